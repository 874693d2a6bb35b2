import { decodeJwt } from 'jose';
import { refreshGrant, ResponseBodyError, type TokenSet } from './flows.js';
import type { Idp } from './idp.js';
import { signInIdentity, type UserinfoMode } from './userinfo.js';
import type { AuthzSettings } from '../authz/grants.js';
import type { OidcService } from './discovery.js';
import { describeError, IdpUnavailableError } from '../errors.js';
import type { SessionManager } from '../session/manager.js';
import type { SessionData } from '../session/store.js';
import type { Logger } from '../log.js';
import type { RefreshEvent } from '../hooks.js';
import { inSpan, startSpan } from '../observability/tracing.js';

export type RefreshOutcome = { readonly ok: true; readonly session: SessionData } | { readonly ok: false; readonly reason: 'refresh_failed' };

/** Refresh at most this long before expiry, and never later than 2/3 through the token's life. */
const MAX_EARLY_REFRESH_MS = 30_000;
/** How often a request waiting for another holder's refresh looks at the session again. */
const WAIT_POLL_MS = 25;

/** True when the session's access token is expired or about to be. */
export function needsRefresh(session: SessionData, now: number): boolean {
  const lifetime = session.accessTokenExpiresAt - session.tokensObtainedAt;
  const early = Math.min(MAX_EARLY_REFRESH_MS, lifetime / 3);
  return now >= session.accessTokenExpiresAt - early;
}

/**
 * Renews access tokens with the refresh token before they expire (S8, S21).
 * Within this process, concurrent requests of one session share one refresh
 * (single-flight). Across instances, the refresh runs under the session's lease in
 * the store: the holder refreshes and writes over the version it read; the others
 * wait and re-read the session until the new tokens appear. With rotating refresh
 * tokens, exactly one refresh grant reaches the IdP per expiry.
 */
export class TokenRefresher {
  readonly #inFlight = new Map<string, Promise<RefreshOutcome>>();
  readonly #leaseMs: number;
  /** When each session's refresh under way started, for {@link RefreshEvent.durationMs}. */
  readonly #started = new Map<string, number>();

  constructor(
    private readonly deps: {
      oidc: OidcService;
      sessions: SessionManager;
      logger: Logger;
      timeoutMs: number;
      /** `OIDC_RESOURCE`: asked for at every refresh (RFC 8707 §2.2). */
      resource?: string | undefined;
      /** Userinfo after a refresh, as at sign-in (`OIDC_USERINFO`, the scope, the groups settings); none: the sign-in's claims stay. */
      userinfo?: { readonly mode: UserinfoMode; readonly scope: string; readonly authz: AuthzSettings };
      /** Told how each refresh ended (metrics, audit). */
      onRefresh?: (event: RefreshEvent) => void;
    },
    private readonly now: () => number = Date.now,
  ) {
    // Long enough for one refresh grant (bounded by the IdP timeout); renewed while held.
    this.#leaseMs = Math.max(2000, deps.timeoutMs * 2);
  }

  /**
   * Returns the session with a fresh access token, refreshing it if needed.
   * @throws {IdpUnavailableError} when a refresh is needed, the IdP cannot be reached and the current token has expired.
   */
  ensureFresh(session: SessionData): Promise<RefreshOutcome> {
    if (!session.refreshToken || !needsRefresh(session, this.now())) return Promise.resolve({ ok: true, session });
    let pending = this.#inFlight.get(session.id);
    if (!pending) {
      this.#started.set(session.id, performance.now());
      // One span for the refresh this request shares; its lease wait, if any, is a child of it.
      pending = inSpan('token.refresh', {}, async (span) => {
        const outcome = await this.#refreshUnderLease(session);
        span?.setAttribute('bff.refresh.ok', outcome.ok);
        return outcome;
      }).finally(() => {
        this.#inFlight.delete(session.id);
        this.#started.delete(session.id);
      });
      this.#inFlight.set(session.id, pending);
    }
    return pending;
  }

  async #refreshUnderLease(seen: SessionData): Promise<RefreshOutcome> {
    const deadline = this.now() + this.#leaseMs + this.deps.timeoutMs;
    // Open while another holder (here or on another instance) has the lease.
    let waiting: ReturnType<typeof startSpan>;
    try {
      return await this.#refreshOrWait(seen, deadline, (waits) => {
        if (waits) waiting ??= startSpan('token.refresh.lease_wait');
        else {
          waiting?.end();
          waiting = undefined;
        }
      });
    } finally {
      waiting?.end();
    }
  }

  async #refreshOrWait(seen: SessionData, deadline: number, onWait: (waits: boolean) => void): Promise<RefreshOutcome> {
    const { sessions } = this.deps;
    for (;;) {
      const lease = await sessions.lock(seen.id, this.#leaseMs);
      onWait(!lease);
      if (lease) {
        const renewal = setInterval(() => void lease.renew().catch(() => undefined), Math.floor(this.#leaseMs / 3));
        try {
          // Another holder may have refreshed between our read and our lease.
          const current = await sessions.reload(seen.id);
          if (!current) return { ok: false, reason: 'refresh_failed' };
          if (!current.refreshToken || !needsRefresh(current, this.now())) return this.#report(current, 'waited', { ok: true, session: current });
          return await this.#refresh(current, current.refreshToken);
        } finally {
          clearInterval(renewal);
          await lease.release().catch(() => undefined);
        }
      }
      // Somebody else (here or on another instance) is refreshing: wait for their tokens.
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
      const current = await sessions.reload(seen.id);
      if (!current) return { ok: false, reason: 'refresh_failed' };
      if (current.refreshToken !== seen.refreshToken && !needsRefresh(current, this.now()))
        return this.#report(current, 'waited', { ok: true, session: current });
      if (this.now() > deadline) {
        this.#report(current, 'unavailable');
        if (this.now() < current.accessTokenExpiresAt) return { ok: true, session: current };
        throw new IdpUnavailableError();
      }
    }
  }

  async #refresh(session: SessionData, refreshToken: string): Promise<RefreshOutcome> {
    const { oidc, sessions, logger } = this.deps;
    const idp = await oidc.get();
    let tokens;
    try {
      tokens = await refreshGrant(idp, refreshToken, this.deps.resource);
    } catch (error) {
      if (error instanceof ResponseBodyError) {
        await sessions.destroy(session.id);
        logger.warn('auth.refresh_failed', { sub: session.sub, error: error.error });
        return this.#report(session, 'failed', { ok: false, reason: 'refresh_failed' }, error.error);
      }
      logger.warn('auth.refresh_unavailable', { sub: session.sub, error: describeError(error) });
      this.#report(session, 'unavailable');
      if (this.now() < session.accessTokenExpiresAt) return { ok: true, session };
      throw new IdpUnavailableError({ cause: error });
    }
    const verified = await idp.tokens.verifyAccessToken(tokens.access_token);
    if (!verified.ok || verified.claims.sub !== session.sub) {
      await sessions.destroy(session.id);
      logger.warn('auth.refresh_failed', { sub: session.sub, error: verified.ok ? 'sub_mismatch' : verified.detail });
      return this.#report(session, 'failed', { ok: false, reason: 'refresh_failed' }, verified.ok ? 'sub_mismatch' : verified.reason);
    }
    const identity = await this.#identity(idp, session, tokens, verified.claims);
    if (!identity) {
      await sessions.destroy(session.id);
      logger.warn('auth.refresh_failed', { sub: session.sub, error: 'userinfo_invalid' });
      return this.#report(session, 'failed', { ok: false, reason: 'refresh_failed' }, 'userinfo_invalid');
    }
    const renewed = {
      ...identity,
      accessToken: tokens.access_token,
      accessTokenExpiresAt: verified.claims.exp * 1000,
      tokensObtainedAt: this.now(),
      refreshToken: tokens.refresh_token ?? refreshToken,
      idToken: tokens.id_token ?? session.idToken,
    };
    // Compare-and-set over the version read under the lease; a concurrent idle-timer write
    // only moved lastSeenAt, so the new tokens go on top of it. Tokens newer than the ones
    // we used (a holder that outlived its lease) are never overwritten.
    let base: SessionData | undefined = session;
    for (let attempt = 0; base && attempt < 5; attempt++) {
      const saved = await sessions.update({ ...base, ...renewed });
      if (saved) {
        logger.info('auth.refresh', { sub: session.sub });
        return this.#report(session, 'renewed', { ok: true, session: saved });
      }
      base = await sessions.reload(session.id);
      if (base && base.refreshToken !== refreshToken) return this.#report(session, 'renewed', { ok: true, session: base });
    }
    return base ? this.#report(session, 'renewed', { ok: true, session: { ...base, ...renewed } }) : { ok: false, reason: 'refresh_failed' };
  }

  /**
   * The user's claims after a refresh: the IdP may have changed them since sign-in. Userinfo is asked as at
   * sign-in (the refreshed ID token's claims, else the sign-in's, decide and win); its `sub` must be the
   * session's, else undefined (S30). Any other userinfo failure keeps the claims the session has.
   */
  async #identity(
    idp: Idp,
    session: SessionData,
    tokens: TokenSet,
    accessClaims: Readonly<Record<string, unknown>>,
  ): Promise<Partial<Pick<SessionData, 'name' | 'email' | 'userinfoGroups'>> | undefined> {
    const settings = this.deps.userinfo;
    if (!settings) return {};
    const idClaims = (tokens.id_token ? tokens.claims() : undefined) ?? decodeJwt(session.idToken);
    const result = await signInIdentity(
      idp,
      { ...settings, lenient: true },
      { sub: session.sub, accessToken: tokens.access_token, idClaims, accessClaims },
      (detail) => this.deps.logger.warn('auth.userinfo_failed', { detail, sub: session.sub }),
    );
    if (!result.ok) return undefined;
    if (result.fromUserinfo) {
      const { name, email, userinfoGroups } = result.identity;
      return { name, email, ...(userinfoGroups ? { userinfoGroups } : {}) };
    }
    // No userinfo answer: only what a refreshed ID token itself says replaces what the session has.
    const fresh: Readonly<Record<string, unknown>> = tokens.id_token ? idClaims : {};
    return {
      ...(typeof fresh['name'] === 'string' ? { name: fresh['name'] } : {}),
      ...(typeof fresh['email'] === 'string' ? { email: fresh['email'] } : {}),
    };
  }

  /** Tells `onRefresh` how the refresh of `session` ended; returns `result` unchanged. */
  #report<T extends RefreshOutcome | undefined>(session: SessionData, outcome: RefreshEvent['outcome'], result?: T, reason?: string): T {
    const { onRefresh, sessions } = this.deps;
    const started = this.#started.get(session.id);
    if (onRefresh && started !== undefined) {
      onRefresh({
        outcome,
        durationMs: performance.now() - started,
        sub: session.sub,
        sessionId: sessions.publicIdOf(session.id),
        ...(reason === undefined ? {} : { reason }),
      });
    }
    return result as T;
  }
}
