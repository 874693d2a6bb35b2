import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthFailureReason } from '@bff/shared';

/** Claims of a verified access token that the API relies on. */
export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  exp: number;
  groups: string[];
}

export type VerifyResult =
  | { readonly ok: true; readonly claims: AccessTokenClaims }
  | { readonly ok: false; readonly reason: Extract<AuthFailureReason, 'session_expired' | 'invalid_token'>; readonly detail: string };

export interface TokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  /** Pinned signature algorithms; never `none` nor HS*. */
  readonly algorithms: readonly string[];
  /** Key source, usually jose's `createRemoteJWKSet` over the IdP's `jwks_uri`. */
  readonly keys: JWTVerifyGetKey;
  readonly clockToleranceSeconds?: number;
  /** How many verified tokens to remember (0 disables the cache). */
  readonly cacheSize?: number;
  readonly now?: () => number;
}

/**
 * Remembers successful verifications, keyed by the whole token, until the token's
 * `exp` at the latest: a token verified once need not be re-verified on every call.
 * Bounded; the oldest entries go first.
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, AccessTokenClaims>();

  constructor(private readonly capacity: number, private readonly now: () => number = Date.now) {}

  get(token: string): AccessTokenClaims | undefined {
    const claims = this.#entries.get(token);
    if (!claims) return undefined;
    if (claims.exp * 1000 <= this.now() || (claims.nbf !== undefined && claims.nbf * 1000 > this.now())) {
      this.#entries.delete(token);
      return undefined;
    }
    return claims;
  }

  set(token: string, claims: AccessTokenClaims): void {
    if (this.capacity <= 0) return;
    if (this.#entries.size >= this.capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, claims);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * Builds a verifier for IdP-signed JWT access tokens (RFC 9068): signature by a
 * key of the IdP's JWKS with a pinned algorithm, `iss`, `aud`, `exp` and `nbf`.
 * Expected failures are returned, not thrown, with a reason the client can act on.
 * Successes are cached until the token expires ({@link VerifiedTokenCache}); a
 * token is only ever reached through a live session, so ending the session ends
 * its use whatever the cache holds.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
 */
export function createAccessTokenVerifier(options: TokenVerifierOptions): (token: string) => Promise<VerifyResult> {
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: [...options.algorithms],
    clockTolerance: options.clockToleranceSeconds ?? 5,
    requiredClaims: ['sub', 'exp', 'iat'],
  };
  const cache = new VerifiedTokenCache(options.cacheSize ?? 10_000, options.now);
  return async (token) => {
    const cached = cache.get(token);
    if (cached) return { ok: true, claims: cached };
    try {
      const { payload } = await jwtVerify(token, options.keys, verifyOptions);
      const groups = Array.isArray(payload['groups']) ? payload['groups'].filter((g): g is string => typeof g === 'string') : [];
      const claims: AccessTokenClaims = { ...payload, sub: payload.sub ?? '', exp: payload.exp ?? 0, groups };
      cache.set(token, claims);
      return { ok: true, claims };
    } catch (error) {
      return toFailure(error);
    }
  };
}

/**
 * Translates jose's errors into a stable reason plus a log-safe detail (never the token).
 * Failures of the key source itself (JWKS unreachable, timed out or malformed) are
 * rethrown: they say nothing about the token, and must not end the session.
 */
export function toFailure(error: unknown): Extract<VerifyResult, { ok: false }> {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) {
    throw error;
  }
  if (error instanceof errors.JWTExpired) return { ok: false, reason: 'session_expired', detail: error.code };
  if (error instanceof errors.JWTClaimValidationFailed) return { ok: false, reason: 'invalid_token', detail: `${error.code}:${error.claim}` };
  return { ok: false, reason: 'invalid_token', detail: error.code };
}
