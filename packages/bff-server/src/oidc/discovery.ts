import * as client from 'openid-client';
import { createRemoteJWKSet, customFetch } from 'jose';
import { TokenVerifier } from './token-verifier.js';
import { Introspector } from './introspection.js';
import { introspectAccessToken, ResponseBodyError } from './flows.js';
import { fapi2Requirements } from './fapi2-requirements.js';
import type { Idp } from './idp.js';
import { importClientKey } from '../config/client-keys.js';
import type { Fapi2Keys } from '../config/fapi2.js';
import { describeError, IdpProfileError, IdpUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';

export interface OidcOptions {
  readonly issuer: URL;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly audience: string;
  readonly algorithms: readonly string[];
  readonly timeoutMs: number;
  /** Permit a plain-http issuer (development hosts only; the configuration decides). */
  readonly allowHttp: boolean;
  readonly logger: Logger;
  /** First retry delay after a failed discovery; doubles up to {@link maxRetryDelayMs}. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Minimum time between two JWKS fetches triggered by an unknown `kid`. */
  readonly jwksCooldownMs?: number;
  /** `introspection`: access tokens are opaque and checked at the IdP (RFC 7662); default `jwt`. */
  readonly accessTokenVerify?: 'jwt' | 'introspection';
  /** How long an introspection answer is reused, at most. Default 30. */
  readonly introspectionCacheTtlSeconds?: number;
  /** The FAPI 2.0 profile's keys: `private_key_jwt` instead of the secret, DPoP-bound tokens, and an IdP that must offer both. */
  readonly fapi2?: Fapi2Keys | undefined;
  /** The `fetch` every call to the IdP goes through (discovery, keys, token, revocation, introspection): measured by the metrics. Node's by default. */
  readonly fetch?: ((url: string, init: RequestInit) => Promise<Response>) | undefined;
}

// Where code and tests import them from; they live in the one error module.
export { describeError, IdpProfileError, IdpUnavailableError } from '../errors.js';

export interface OidcService {
  /** The discovered IdP; triggers a discovery attempt if none is under way. */
  get(): Promise<Idp>;
  /** Readiness for health checks. */
  status(): { readonly ready: boolean; readonly lastError?: string };
  /** Starts discovery in the background, retrying until it succeeds. */
  start(): void;
  stop(): void;
}

/**
 * Discovers the IdP lazily and keeps retrying in the background with backoff, so
 * that the API starts (and reports not-ready) while the IdP is down, and a failed
 * discovery is never cached. Every outbound call has a timeout.
 */
export function createOidcService(options: OidcOptions): OidcService {
  const baseDelay = options.retryDelayMs ?? 1000;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;
  let idp: Idp | undefined;
  let inFlight: Promise<Idp> | undefined;
  let lastError: string | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = baseDelay;
  let stopped = false;

  const discover = async (): Promise<Idp> => {
    const { fapi2 } = options;
    const credentials = await clientCredentials(options);
    const configuration = await client.discovery(
      options.issuer,
      options.clientId,
      { ...credentials.metadata, id_token_signed_response_alg: options.algorithms[0] },
      credentials.authentication,
      {
        timeout: Math.ceil(options.timeoutMs / 1000),
        execute: options.allowHttp ? [client.allowInsecureRequests] : [],
        ...(options.fetch ? { [client.customFetch]: options.fetch } : {}),
      },
    );
    const jwksUri = configuration.serverMetadata().jwks_uri;
    if (!jwksUri) throw new Error('The identity provider publishes no jwks_uri.');
    const keys = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: options.timeoutMs,
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: 10 * 60_000,
      ...(options.fetch ? { [customFetch]: options.fetch } : {}),
    });
    const metadata = configuration.serverMetadata();
    if (fapi2) {
      // openid-client requires RFC 9207 `iss` only when the IdP advertises it, and PAR is used only when offered: both are checked here.
      const missing = fapi2Requirements(metadata, fapi2)
        .filter((r) => !r.met)
        .map((r) => r.metadata);
      if (missing.length > 0) {
        options.logger.warn('idp.profile_unsupported', { profile: 'fapi2', missing, fix: 'npm run doctor names what to enable at the IdP' });
        throw new IdpProfileError(missing);
      }
    }
    const dpop = credentials.dpopKeyPair ? client.getDPoPHandle(configuration, credentials.dpopKeyPair) : undefined;
    let introspection: Introspector | undefined;
    if (options.accessTokenVerify === 'introspection') {
      if (!metadata.introspection_endpoint)
        throw new Error('The identity provider publishes no introspection_endpoint (OIDC_ACCESS_TOKEN_VERIFY=introspection).');
      introspection = new Introspector({
        ttlSeconds: options.introspectionCacheTtlSeconds ?? 30,
        introspect: async (token) => {
          try {
            return await introspectAccessToken(configuration, token);
          } catch (error) {
            // Unreachable, or refusing our client: either way the token's fate is unknown, and an outage is not a logout.
            const refusal = error instanceof ResponseBodyError ? { status: error.status, oauthError: error.error } : {};
            options.logger.warn('idp.introspection_failed', { error: describeError(error), ...refusal });
            throw new IdpUnavailableError({ cause: error });
          }
        },
      });
    }
    const tokens = new TokenVerifier({
      issuer: metadata.issuer,
      clientId: options.clientId,
      audience: options.audience,
      algorithms: options.algorithms,
      keys,
      ...(introspection ? { introspection } : {}),
      // The thumbprint openid-client binds tokens to, so that the check cannot disagree with the proofs.
      ...(dpop ? { dpopJkt: await dpop.calculateThumbprint() } : {}),
    });
    return { configuration, metadata, tokens, dpop };
  };

  const attempt = (): Promise<Idp> => {
    if (idp) return Promise.resolve(idp);
    if (inFlight) return inFlight;
    clearTimeout(retryTimer);
    inFlight = discover().then(
      (found) => {
        idp = found;
        inFlight = undefined;
        lastError = undefined;
        options.logger.info('idp.discovered', { issuer: options.issuer.href });
        return found;
      },
      (error: unknown) => {
        inFlight = undefined;
        lastError = describeError(error);
        options.logger.warn('idp.discovery_failed', { issuer: options.issuer.href, error: lastError, retryInMs: delay });
        scheduleRetry();
        throw new IdpUnavailableError({ cause: error });
      },
    );
    return inFlight;
  };

  const scheduleRetry = () => {
    if (stopped) return;
    retryTimer = setTimeout(() => attempt().catch(() => undefined), delay);
    retryTimer.unref();
    delay = Math.min(delay * 2, maxDelay);
  };

  return {
    get: attempt,
    status: () => (lastError === undefined ? { ready: idp !== undefined } : { ready: idp !== undefined, lastError }),
    start: () => {
      stopped = false;
      attempt().catch(() => undefined);
    },
    stop: () => {
      stopped = true;
      clearTimeout(retryTimer);
    },
  };
}

/**
 * How our client proves itself: `private_key_jwt` with the client key in the `fapi2`
 * profile (and the DPoP key pair for proofs), the client secret otherwise.
 */
async function clientCredentials(
  options: OidcOptions,
): Promise<{ metadata: Partial<client.ClientMetadata>; authentication: client.ClientAuth; dpopKeyPair: client.CryptoKeyPair | undefined }> {
  if (!options.fapi2) {
    return { metadata: { client_secret: options.clientSecret }, authentication: client.ClientSecretPost(options.clientSecret), dpopKeyPair: undefined };
  }
  const [clientKey, dpopKeyPair] = await Promise.all([importClientKey(options.fapi2.client), importClientKey(options.fapi2.dpop)]);
  return { metadata: {}, authentication: client.PrivateKeyJwt({ key: clientKey.privateKey, kid: options.fapi2.client.kid }), dpopKeyPair };
}
