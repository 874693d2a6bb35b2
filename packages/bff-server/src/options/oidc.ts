import { z } from 'zod';
import { DEV_DEFAULTS } from '@oidc-bff/protocol';
import { ClientKeyError, FAPI2_ALGORITHMS, KEY_GENERATION_HINT, readClientKey } from '../config/client-keys.js';
import { httpUrl, int, orDevDefault, REQUIRED_IN_PRODUCTION, requiredText, validAt, type OptionsContext } from './fields.js';
import { setting } from './issues.js';

/** Signature algorithms a token may use; `none` and HS* (shared secrets) never. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** The path of a private key file (PEM or JWK), read and checked for the FAPI 2.0 profile. */
const keyFile = z
  .string({ error: 'must be the path of a PEM or JWK file' })
  .trim()
  .min(1, { error: 'must be the path of a PEM or JWK file' })
  .transform((path, ctx) => {
    try {
      return readClientKey(path);
    } catch (error) {
      if (!(error instanceof ClientKeyError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  });

const FAPI2 = setting('oidc.profile', 'fapi2');

/**
 * The identity provider and this API's client there (`OIDC_*`). In production the issuer,
 * client and audience have no defaults; in the `fapi2` profile (S24) both key files are
 * required and differ, the client has no secret, and tokens are ES256 or PS256 only.
 */
export function oidcOptions(context: OptionsContext) {
  return (
    z
      .strictObject({
        /** The issuer identifier; discovery at `/.well-known/openid-configuration` under it. */
        issuer: httpUrl(context)
          .optional()
          .transform(orDevDefault(context, () => new URL(DEV_DEFAULTS.OIDC_ISSUER))),
        clientId: requiredText(context, DEV_DEFAULTS.OIDC_CLIENT_ID),
        /** Not used, and not required, in the `fapi2` profile. */
        clientSecret: z.string().trim().optional(),
        /** Expected `aud` of access tokens. */
        audience: requiredText(context, DEV_DEFAULTS.OIDC_AUDIENCE),
        /**
         * A resource indicator (RFC 8707) sent at sign-in and at every refresh, for IdPs that issue an access
         * token for the API only when asked (without one, some put the scope string in `aud`).
         */
        resource: z
          .string()
          .trim()
          .refine((value) => URL.canParse(value) && !value.includes('#'), {
            error: 'must be an absolute URI without a fragment (RFC 8707 §2), e.g. https://api.example.com or api://bff',
          })
          .optional(),
        scopes: z.array(z.string().trim().min(1)).min(1).readonly().default(['openid', 'profile', 'email']),
        /** Accepted token signature algorithms; `RS256` by default, `ES256` and `PS256` in the `fapi2` profile. */
        algorithms: z
          .array(z.enum(ASYMMETRIC_ALGORITHMS, { error: `only asymmetric algorithms are accepted: ${ASYMMETRIC_ALGORITHMS.join(', ')}` }))
          .min(1, { error: `list at least one of ${ASYMMETRIC_ALGORITHMS.join(', ')}` })
          .readonly()
          .optional(),
        /** Default: `backUrl` + `/api/callback`; must be under `backUrl`. */
        redirectUri: httpUrl(context).optional(),
        /** Default: the first front origin + `/`; must be on a front origin. */
        postLogoutRedirectUri: httpUrl(context).optional(),
        /** Timeout of each outbound call to the identity provider. */
        timeoutMs: int(100, 120_000).default(5000),
        accessTokenVerify: z
          .enum(['jwt', 'introspection'], {
            error: "must be jwt (JWT access tokens checked with the IdP's keys) or introspection (opaque access tokens checked at the IdP's RFC 7662 endpoint)",
          })
          .default('jwt'),
        /** Seconds an introspection answer is reused at most (never past the token's `exp`). */
        introspectionCacheTtlSeconds: int(0, 3600).default(30),
        /**
         * Userinfo after the code exchange (OIDC Core §5.3): `auto` when the ID token lacks a requested claim
         * (name, email, the groups claim), `always`, or `never`. Its `sub` must be the ID token's (S30).
         */
        userinfo: z
          .enum(['auto', 'always', 'never'], {
            error: 'must be auto (when the ID token lacks a requested claim), always or never',
          })
          .default('auto'),
        profile: z
          .enum(['oidc', 'fapi2'], {
            error: 'must be oidc (authorization code flow with PKCE and a client secret) or fapi2 (the FAPI 2.0 Security Profile: PAR, private_key_jwt, DPoP)',
          })
          .default('oidc'),
        /** `fapi2`: the client's private key file, for `private_key_jwt`; its public half is served at `/api/jwks`. */
        clientPrivateKey: keyFile.optional(),
        /** `fapi2`: the API's DPoP key file (RFC 9449), the same on every instance. */
        dpopPrivateKey: keyFile.optional(),
      })
      .superRefine(
        (oidc, ctx) => {
          if (context.production && oidc.profile !== 'fapi2' && !oidc.clientSecret)
            ctx.addIssue({ code: 'custom', path: ['clientSecret'], message: REQUIRED_IN_PRODUCTION });
        },
        { when: validAt('profile', 'clientSecret') },
      )
      // Both keys are required, and must differ: the client key's public half is registered at
      // the IdP (and rotates with that registration), while the DPoP key binds every access token
      // and rotates with the sessions; one key for both would tie the two together and let a
      // client assertion and a DPoP proof be signed by the same key.
      .superRefine(
        (oidc, ctx) => {
          if (oidc.profile === 'fapi2' && !oidc.clientPrivateKey)
            ctx.addIssue({
              code: 'custom',
              path: ['clientPrivateKey'],
              message: keyRequired("the client's private key for private_key_jwt client authentication"),
            });
        },
        { when: validAt('profile', 'clientPrivateKey') },
      )
      .superRefine(
        (oidc, ctx) => {
          if (oidc.profile === 'fapi2' && !oidc.dpopPrivateKey)
            ctx.addIssue({
              code: 'custom',
              path: ['dpopPrivateKey'],
              message: keyRequired("the API's DPoP key (RFC 9449), the same file on every instance"),
            });
        },
        { when: validAt('profile', 'dpopPrivateKey') },
      )
      .superRefine(
        (oidc, ctx) => {
          if (oidc.profile === 'fapi2' && oidc.clientPrivateKey && oidc.clientPrivateKey.thumbprint === oidc.dpopPrivateKey?.thumbprint)
            ctx.addIssue({
              code: 'custom',
              path: ['dpopPrivateKey'],
              message: `must be a different key from ${setting('oidc.clientPrivateKey')} (one key, one purpose: client authentication and DPoP rotate separately); generate a second key.`,
            });
        },
        { when: validAt('profile', 'clientPrivateKey', 'dpopPrivateKey') },
      )
      .superRefine(
        (oidc, ctx) => {
          const allowed: readonly string[] = FAPI2_ALGORITHMS;
          const others = oidc.profile === 'fapi2' ? (oidc.algorithms ?? []).filter((a) => !allowed.includes(a)) : [];
          if (others.length > 0)
            ctx.addIssue({
              code: 'custom',
              path: ['algorithms'],
              message: `must list only ${FAPI2_ALGORITHMS.join(' and/or ')} with ${FAPI2} (got ${others.join(', ')}); unset it to accept both.`,
            });
        },
        { when: validAt('profile', 'algorithms') },
      )
      // Outside the profile, a key is a mistake: the operator believes in a protection that is not on.
      .superRefine(
        (oidc, ctx) => {
          const stray = (['clientPrivateKey', 'dpopPrivateKey'] as const).filter((key) => oidc[key] !== undefined);
          if (oidc.profile !== 'fapi2' && stray.length > 0)
            ctx.addIssue({
              code: 'custom',
              path: ['profile'],
              message: `must be fapi2 when ${stray.map((key) => setting(`oidc.${key}`)).join(' and ')} ${stray.length > 1 ? 'are' : 'is'} set (the keys are only used by the FAPI 2.0 profile); set ${FAPI2} or unset ${stray.length > 1 ? 'them' : 'it'}.`,
            });
        },
        { when: validAt('profile', 'clientPrivateKey', 'dpopPrivateKey') },
      )
  );
}

export type OidcOptions = z.input<ReturnType<typeof oidcOptions>>;

function keyRequired(purpose: string): string {
  return `is required with ${FAPI2}: the path of a PEM or JWK file with ${purpose} (EC P-256 for ES256, or RSA of at least 2048 bits for PS256); ${KEY_GENERATION_HINT}`;
}
