import * as client from 'openid-client';
import { describeError, IdpUnavailableError, type OidcService } from './oidc.js';
import type { SessionManager } from './session.js';
import type { SessionData } from './session-store.js';
import type { Logger } from '../log.js';

export type RefreshOutcome =
  | { readonly ok: true; readonly session: SessionData }
  | { readonly ok: false; readonly reason: 'refresh_failed' };

/** Refresh at most this long before expiry, and never later than 2/3 through the token's life. */
const MAX_EARLY_REFRESH_MS = 30_000;

/** True when the session's access token is expired or about to be. */
export function needsRefresh(session: SessionData, now: number): boolean {
  const lifetime = session.accessTokenExpiresAt - session.tokensObtainedAt;
  const early = Math.min(MAX_EARLY_REFRESH_MS, lifetime / 3);
  return now >= session.accessTokenExpiresAt - early;
}

/**
 * Renews access tokens with the refresh token before they expire (S8).
 * Concurrent requests of one session share a single refresh (single-flight), so
 * with rotating refresh tokens no request fails because another refreshed first.
 */
export class TokenRefresher {
  readonly #inFlight = new Map<string, Promise<RefreshOutcome>>();

  constructor(
    private readonly deps: { oidc: OidcService; sessions: SessionManager; logger: Logger },
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Returns the session with a fresh access token, refreshing it if needed.
   * @throws {IdpUnavailableError} when a refresh is needed, the IdP cannot be reached and the current token has expired.
   */
  ensureFresh(session: SessionData): Promise<RefreshOutcome> {
    if (!session.refreshToken || !needsRefresh(session, this.now())) return Promise.resolve({ ok: true, session });
    let pending = this.#inFlight.get(session.id);
    if (!pending) {
      pending = this.#refresh(session, session.refreshToken).finally(() => this.#inFlight.delete(session.id));
      this.#inFlight.set(session.id, pending);
    }
    return pending;
  }

  async #refresh(session: SessionData, refreshToken: string): Promise<RefreshOutcome> {
    const { oidc, sessions, logger } = this.deps;
    const idp = await oidc.get();
    let tokens;
    try {
      tokens = await client.refreshTokenGrant(idp.configuration, refreshToken);
    } catch (error) {
      if (error instanceof client.ResponseBodyError) {
        // Another instance sharing the store may have rotated the token already.
        const current = await sessions.reload(session.id);
        if (current && current.refreshToken !== refreshToken) return { ok: true, session: current };
        await sessions.destroy(session.id);
        logger.warn('auth.refresh_failed', { sub: session.sub, error: error.error });
        return { ok: false, reason: 'refresh_failed' };
      }
      logger.warn('auth.refresh_unavailable', { sub: session.sub, error: describeError(error) });
      if (this.now() < session.accessTokenExpiresAt) return { ok: true, session };
      throw new IdpUnavailableError({ cause: error });
    }
    const verified = await idp.verifyAccessToken(tokens.access_token);
    if (!verified.ok || verified.claims.sub !== session.sub) {
      await sessions.destroy(session.id);
      logger.warn('auth.refresh_failed', { sub: session.sub, error: verified.ok ? 'sub_mismatch' : verified.detail });
      return { ok: false, reason: 'refresh_failed' };
    }
    const refreshed: SessionData = {
      ...session,
      accessToken: tokens.access_token,
      accessTokenExpiresAt: verified.claims.exp * 1000,
      tokensObtainedAt: this.now(),
      refreshToken: tokens.refresh_token ?? refreshToken,
      idToken: tokens.id_token ?? session.idToken,
    };
    await sessions.update(refreshed);
    logger.info('auth.refresh', { sub: session.sub });
    return { ok: true, session: refreshed };
  }
}
