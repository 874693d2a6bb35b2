import { ClientKeyError, FAPI2_ALGORITHMS, KEY_GENERATION_HINT, readClientKey, type ClientKey } from './client-keys.js';
import type { Env } from './env.js';

/** `OIDC_PROFILE`: `oidc` (code flow, PKCE, client secret) or `fapi2` (the FAPI 2.0 Security Profile). */
export type OidcProfile = 'oidc' | 'fapi2';

/** The API's two keys in the `fapi2` profile, one per purpose. */
export interface Fapi2Keys {
  /** `OIDC_CLIENT_PRIVATE_KEY`: signs the `private_key_jwt` client assertions; its public half is served at `/api/jwks`. */
  readonly client: ClientKey;
  /** `OIDC_DPOP_PRIVATE_KEY`: signs DPoP proofs; access tokens are bound to its thumbprint (`cnf.jkt`). */
  readonly dpop: ClientKey;
}

/**
 * The `fapi2` profile's part of the configuration: both keys read and checked, and
 * the token algorithms narrowed to ES256/PS256. Each problem is reported through
 * `add` with the variable to fix.
 *
 * Both keys are required, and must differ: the client key's public half is registered
 * at the IdP (and rotates with that registration), while the DPoP key binds every
 * access token and rotates with the sessions; one key for both would tie the two
 * together and let a client assertion and a DPoP proof be signed by the same key.
 */
export function fapi2Settings(
  env: Env,
  add: (variable: string, message: string) => void,
  warnings: string[],
): { readonly keys: Fapi2Keys | undefined; readonly algorithms: readonly string[] } {
  const read = (variable: 'OIDC_CLIENT_PRIVATE_KEY' | 'OIDC_DPOP_PRIVATE_KEY', purpose: string): ClientKey | undefined => {
    const path = env[variable]?.trim();
    if (!path) {
      add(
        variable,
        `is required with OIDC_PROFILE=fapi2: the path of a PEM or JWK file with ${purpose} (EC P-256 for ES256, or RSA of at least 2048 bits for PS256); ${KEY_GENERATION_HINT}`,
      );
      return undefined;
    }
    try {
      return readClientKey(path);
    } catch (error) {
      if (!(error instanceof ClientKeyError)) throw error;
      add(variable, error.message);
      return undefined;
    }
  };
  const client = read('OIDC_CLIENT_PRIVATE_KEY', "the client's private key for private_key_jwt client authentication");
  const dpop = read('OIDC_DPOP_PRIVATE_KEY', "the API's DPoP key (RFC 9449), the same file on every instance");
  if (client && dpop && client.thumbprint === dpop.thumbprint) {
    add(
      'OIDC_DPOP_PRIVATE_KEY',
      'must be a different key from OIDC_CLIENT_PRIVATE_KEY (one key, one purpose: client authentication and DPoP rotate separately); generate a second key.',
    );
  }

  const allowed: readonly string[] = FAPI2_ALGORITHMS;
  let algorithms: readonly string[] = [...FAPI2_ALGORITHMS];
  const configured = env.OIDC_TOKEN_ALGS?.trim();
  if (configured) {
    algorithms = configured
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    const others = algorithms.filter((a) => !allowed.includes(a));
    if (others.length > 0)
      add(
        'OIDC_TOKEN_ALGS',
        `must list only ${FAPI2_ALGORITHMS.join(' and/or ')} with OIDC_PROFILE=fapi2 (got ${others.join(', ')}); unset it to accept both.`,
      );
  }
  if (env.OIDC_CLIENT_SECRET?.trim()) {
    warnings.push(
      'OIDC_CLIENT_SECRET is not used with OIDC_PROFILE=fapi2: the client authenticates with OIDC_CLIENT_PRIVATE_KEY (private_key_jwt). Remove it.',
    );
  }
  return { keys: client && dpop ? { client, dpop } : undefined, algorithms };
}

/** Outside the profile, a key variable is a mistake: the operator believes in a protection that is not on. */
export function strayFapi2Variables(env: Env, add: (variable: string, message: string) => void): void {
  const stray = (['OIDC_CLIENT_PRIVATE_KEY', 'OIDC_DPOP_PRIVATE_KEY'] as const).filter((name) => env[name]?.trim());
  if (stray.length > 0)
    add(
      'OIDC_PROFILE',
      `must be fapi2 when ${stray.join(' and ')} ${stray.length > 1 ? 'are' : 'is'} set (the keys are only used by the FAPI 2.0 profile); set OIDC_PROFILE=fapi2 or unset ${stray.length > 1 ? 'them' : 'it'}.`,
    );
}
