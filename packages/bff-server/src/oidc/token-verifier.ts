import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { AuthFailureReason } from '@oidc-bff/protocol';
import type { Introspector } from './introspection.js';

/** Claims of a verified access token that the API relies on; the rest (groups, names) as the IdP sent them. */
export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  exp: number;
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

  constructor(
    private readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {}

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

/** Tolerance for `exp`, `nbf` and `iat` against the IdP's clock, in seconds (also the doctor's limit). */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** How old a logout token may be (by its `iat`), whatever its `exp` says. */
export const LOGOUT_TOKEN_MAX_AGE_SECONDS = 120;

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** A token refused by {@link TokenVerifier}; `code` is log-safe (never the token). */
export class TokenRejectedError extends Error {
  readonly code = 'TOKEN_REJECTED';
  constructor(
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Token rejected: ${detail}`, options);
    this.name = 'TokenRejectedError';
  }
}

/** The verified claims of a back-channel logout token. */
export interface LogoutClaims {
  readonly jti: string;
  readonly iat: number;
  /**
   * The end of the time this token is accepted (epoch ms, exclusive): its `jti` must be
   * remembered at least until then, or it could be replayed in the last seconds (S5).
   */
  readonly acceptedUntil: number;
  readonly sid: string | undefined;
  readonly sub: string | undefined;
}

export interface TokenVerifierOptions {
  readonly issuer: string;
  /** Our client id: the `aud` of ID tokens and logout tokens. */
  readonly clientId: string;
  /** The `aud` of access tokens (the API's resource at the IdP). */
  readonly audience: string;
  /** Pinned signature algorithms; never `none` nor HS*. */
  readonly algorithms: readonly string[];
  /** Key source, usually jose's `createRemoteJWKSet` over the IdP's `jwks_uri`. */
  readonly keys: JWTVerifyGetKey;
  readonly clockToleranceSeconds?: number;
  /** How many verified access tokens to remember (0 disables the cache). */
  readonly cacheSize?: number;
  readonly now?: () => number;
  /** Opaque access tokens (`OIDC_ACCESS_TOKEN_VERIFY=introspection`): asked about at the IdP instead of verified as JWTs. */
  readonly introspection?: Introspector;
  /**
   * The RFC 7638 thumbprint of the API's DPoP key (`fapi2` profile): every access token
   * must be bound to it (`cnf.jkt`, RFC 9449 §6), whether a JWT or introspected.
   */
  readonly dpopJkt?: string;
}

/**
 * Verifies every token the IdP signs for us, with one set of rules: issuer,
 * audience, pinned algorithms, clock tolerance and the IdP's keys are known once.
 *
 * - access tokens (RFC 9068): expected failures are returned with a reason the client
 *   can act on; successes are cached until `exp` ({@link VerifiedTokenCache}). A token
 *   is only reachable through a live session, so ending the session ends its use.
 *   With `introspection`, access tokens are opaque: the IdP's RFC 7662 answer (cached
 *   briefly by the {@link Introspector}) decides, with the same `exp`, `nbf`, `iss` and
 *   `aud` rules, and its claims stand in for the JWT's.
 * - with `dpopJkt` (FAPI 2.0 profile), an access token, JWT or introspected, must also be
 *   bound to the API's DPoP key (`cnf.jkt`); any other binding, or none, is `invalid_token`.
 * - ID tokens (OIDC Core §3.1.3.7) and logout tokens (Back-Channel Logout §2.6):
 *   a refusal throws {@link TokenRejectedError}.
 *
 * Failures of the key source itself (JWKS unreachable or malformed) are rethrown:
 * they say nothing about the token.
 */
export class TokenVerifier {
  readonly #options: TokenVerifierOptions;
  readonly #cache: VerifiedTokenCache;
  readonly #common: { issuer: string; algorithms: string[]; clockTolerance: number };

  constructor(options: TokenVerifierOptions) {
    this.#options = options;
    this.#cache = new VerifiedTokenCache(options.cacheSize ?? 10_000, options.now);
    this.#common = { issuer: options.issuer, algorithms: [...options.algorithms], clockTolerance: options.clockToleranceSeconds ?? CLOCK_TOLERANCE_SECONDS };
  }

  #verify(token: string, extra: JWTVerifyOptions) {
    return jwtVerify(token, this.#options.keys, { ...this.#common, ...extra });
  }

  /**
   * @throws {Error} when the key source or the introspection endpoint cannot answer
   * @see https://www.rfc-editor.org/rfc/rfc9068#section-4
   */
  async verifyAccessToken(token: string): Promise<VerifyResult> {
    if (this.#options.introspection) return this.#boundToUs(await this.#introspect(token, this.#options.introspection));
    const cached = this.#cache.get(token);
    if (cached) return { ok: true, claims: cached };
    try {
      const { payload } = await this.#verify(token, { audience: this.#options.audience, requiredClaims: ['sub', 'exp', 'iat'] });
      const claims: AccessTokenClaims = { ...payload, sub: payload.sub ?? '', exp: payload.exp ?? 0 };
      const bound = this.#boundToUs({ ok: true, claims });
      if (!bound.ok) return bound;
      this.#cache.set(token, claims);
      return { ok: true, claims };
    } catch (error) {
      return toFailure(error);
    }
  }

  /**
   * With a DPoP key configured, a token must be bound to it: one bound to another key,
   * or to none (a bearer token), was not issued to this API's proofs.
   * @see https://www.rfc-editor.org/rfc/rfc9449#section-6
   */
  #boundToUs(result: VerifyResult): VerifyResult {
    const expected = this.#options.dpopJkt;
    if (!result.ok || expected === undefined) return result;
    const cnf = result.claims['cnf'];
    const jkt = typeof cnf === 'object' && cnf !== null ? (cnf as Record<string, unknown>)['jkt'] : undefined;
    if (jkt === expected) return result;
    return { ok: false, reason: 'invalid_token', detail: jkt === undefined ? 'cnf_jkt_missing' : 'cnf_jkt_mismatch' };
  }

  /** @see https://www.rfc-editor.org/rfc/rfc7662#section-2.2 */
  async #introspect(token: string, introspector: Introspector): Promise<VerifyResult> {
    const { active, ...claims } = await introspector.introspect(token);
    const refused = (detail: string): VerifyResult => ({ ok: false, reason: 'invalid_token', detail: `introspection:${detail}` });
    if (active !== true) return refused('inactive');
    const { sub, exp, nbf, iss, aud } = claims;
    if (typeof sub !== 'string' || sub === '' || typeof exp !== 'number') return refused('missing_sub_or_exp');
    const now = (this.#options.now ?? Date.now)() / 1000;
    const tolerance = this.#common.clockTolerance;
    if (exp <= now - tolerance) return { ok: false, reason: 'session_expired', detail: 'introspection:exp' };
    if (typeof nbf === 'number' && nbf > now + tolerance) return refused('nbf');
    // RFC 7662 makes iss and aud optional; when the IdP says, they must be ours.
    if (iss !== undefined && iss !== this.#options.issuer) return refused('iss');
    if (aud !== undefined && !(Array.isArray(aud) ? aud : [aud]).includes(this.#options.audience)) return refused('aud');
    return { ok: true, claims: { ...claims, sub, exp } };
  }

  /** Signature, `iss`, `aud` (our client id), `exp`; openid-client has checked `nonce` and the rest. */
  async verifyIdToken(token: string): Promise<JWTPayload> {
    try {
      return (await this.#verify(token, { audience: this.#options.clientId })).payload;
    } catch (error) {
      throw rejected(error);
    }
  }

  /**
   * `exp` is required (Back-Channel Logout 1.0 §2.4) and `iat` must be at most
   * {@link LOGOUT_TOKEN_MAX_AGE_SECONDS} old and not in the future, each within the clock
   * tolerance: the token is accepted until the earlier bound, which `acceptedUntil` says.
   * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
   */
  async verifyLogoutToken(token: string): Promise<LogoutClaims> {
    let verified;
    try {
      verified = await this.#verify(token, {
        audience: this.#options.clientId,
        requiredClaims: ['iat', 'exp', 'jti', 'events'],
        maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SECONDS,
        currentDate: new Date((this.#options.now ?? Date.now)()),
      });
    } catch (error) {
      throw rejected(error);
    }
    const { payload, protectedHeader } = verified;
    if (protectedHeader.typ !== undefined && protectedHeader.typ !== 'logout+jwt' && protectedHeader.typ !== 'JWT') throw new TokenRejectedError('typ');
    const events = payload['events'];
    if (typeof events !== 'object' || events === null || typeof (events as Record<string, unknown>)[BACKCHANNEL_EVENT] !== 'object')
      throw new TokenRejectedError('events');
    if ('nonce' in payload) throw new TokenRejectedError('nonce');
    const sid = typeof payload['sid'] === 'string' ? payload['sid'] : undefined;
    if (!sid && !payload.sub) throw new TokenRejectedError('no_sid_or_sub');
    const iat = payload.iat ?? 0;
    const exp = payload.exp ?? 0;
    // jose compares whole seconds: accepted while ⌊now⌋ ≤ iat + max age + tolerance and ⌊now⌋ < exp + tolerance.
    const lastSecond = Math.min(iat + LOGOUT_TOKEN_MAX_AGE_SECONDS, exp - 1) + this.#common.clockTolerance;
    return { jti: String(payload.jti), iat, acceptedUntil: (lastSecond + 1) * 1000, sid, sub: payload.sub };
  }
}

function rejected(error: unknown): TokenRejectedError {
  if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)) {
    return new TokenRejectedError(error instanceof errors.JWTClaimValidationFailed ? `${error.code}:${error.claim}` : error.code, { cause: error });
  }
  throw error;
}

/**
 * Translates jose's errors into a stable reason plus a log-safe detail (never the token).
 * Failures of the key source itself (JWKS unreachable, timed out or malformed) are
 * rethrown: they say nothing about the token, and must not end the session.
 */
function toFailure(error: unknown): Extract<VerifyResult, { ok: false }> {
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) {
    throw error;
  }
  if (error instanceof errors.JWTExpired) return { ok: false, reason: 'session_expired', detail: error.code };
  if (error instanceof errors.JWTClaimValidationFailed) return { ok: false, reason: 'invalid_token', detail: `${error.code}:${error.claim}` };
  return { ok: false, reason: 'invalid_token', detail: error.code };
}
