import * as client from 'openid-client';
import { createRemoteJWKSet } from 'jose';
import { TokenVerifier } from './token-verifier.js';
import { Introspector } from './introspection.js';
import { introspectAccessToken, ResponseBodyError } from './flows.js';
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
}

/** The identity provider once discovered: its metadata, for openid-client's calls, and the one token verifier. */
export interface Idp {
  /** openid-client's view of the IdP and our client; used by the flows in `oidc/`. */
  readonly configuration: client.Configuration;
  readonly metadata: client.ServerMetadata;
  readonly tokens: TokenVerifier;
}

/** Thrown when the identity provider cannot be reached or has not been discovered yet. */
export class IdpUnavailableError extends Error {
  readonly code = 'IDP_UNAVAILABLE';
  constructor(options?: { cause?: unknown }) {
    super('The identity provider is unavailable.', options);
    this.name = 'IdpUnavailableError';
  }
}

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
    const configuration = await client.discovery(
      options.issuer,
      options.clientId,
      { client_secret: options.clientSecret, id_token_signed_response_alg: options.algorithms[0] },
      client.ClientSecretPost(options.clientSecret),
      {
        timeout: Math.ceil(options.timeoutMs / 1000),
        execute: options.allowHttp ? [client.allowInsecureRequests] : [],
      },
    );
    const jwksUri = configuration.serverMetadata().jwks_uri;
    if (!jwksUri) throw new Error('The identity provider publishes no jwks_uri.');
    const keys = createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: options.timeoutMs,
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: 10 * 60_000,
    });
    const metadata = configuration.serverMetadata();
    let introspection: Introspector | undefined;
    if (options.accessTokenVerify === 'introspection') {
      if (!metadata.introspection_endpoint) throw new Error('The identity provider publishes no introspection_endpoint (OIDC_ACCESS_TOKEN_VERIFY=introspection).');
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
    const tokens = new TokenVerifier({ issuer: metadata.issuer, clientId: options.clientId, audience: options.audience, algorithms: options.algorithms, keys, ...(introspection ? { introspection } : {}) });
    return { configuration, metadata, tokens };
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

/** A log-safe description of an outbound failure: a code and a class, never a body. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? ` (${(error.cause as { code?: string }).code ?? error.cause.name})` : '';
    return `${typeof code === 'string' ? code : error.name}${cause}`;
  }
  return 'unknown error';
}
