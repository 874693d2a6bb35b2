import { exchangeToken, resourceGrant, ResponseBodyError, type TokenSet } from '../oidc/flows.js';
import type { OidcService } from '../oidc/discovery.js';
import { describeError, DownstreamUnauthorizedError, IdpUnavailableError } from '../errors.js';
import type { DownstreamApiConfig } from '../options/downstream.js';
import type { SessionManager } from '../session/manager.js';
import type { DownstreamToken, SessionData } from '../session/store.js';
import type { Logger } from '../log.js';
import type { DpopProofs } from './dpop.js';

/** Renew at most this long before expiry, and never later than 2/3 through the token's life (as the session's own). */
const MAX_EARLY_RENEWAL_MS = 30_000;
/** How often a request waiting for another holder's grant looks at the session again. */
const WAIT_POLL_MS = 25;
/** A token the IdP gives without `expires_in` is used for this long. */
const DEFAULT_LIFETIME_MS = 300_000;

/** Whether a downstream token is expired or about to be. */
export function isStale(token: DownstreamToken, now: number): boolean {
  const early = Math.min(MAX_EARLY_RENEWAL_MS, (token.expiresAt - token.obtainedAt) / 3);
  return now >= token.expiresAt - early;
}

/** What one obtained a token for, told to `onToken` (metrics, audit). */
export interface DownstreamTokenEvent {
  readonly api: string;
  readonly mode: 'exchange' | 'resource';
  readonly outcome: 'obtained' | 'refused' | 'unavailable';
}

/**
 * The user's tokens for downstream APIs, per session and API (S21 for their single flight):
 * obtained on first use (token exchange, or a refresh grant with a resource indicator),
 * kept in the session record (sealed at rest like the rest of it), renewed before they
 * expire or when the API refused one, and gone with the session. Within this process one
 * grant serves every concurrent request of a session and API; across instances the grant
 * runs under the session's lease, the one the refresh of its own tokens takes, so that a
 * rotating refresh token is never used twice and exactly one grant reaches the IdP.
 */
export class DownstreamTokens {
  readonly #inFlight = new Map<string, Promise<string>>();
  readonly #leaseMs: number;

  constructor(
    private readonly deps: {
      readonly oidc: OidcService;
      readonly sessions: SessionManager;
      readonly logger: Logger;
      /** Bound of one call to the IdP. */
      readonly timeoutMs: number;
      readonly onToken?: (event: DownstreamTokenEvent) => void;
      /** FAPI 2.0: the key the IdP binds the tokens to; every call with one carries a proof of it. */
      readonly proofs?: DpopProofs | undefined;
    },
    private readonly now: () => number = Date.now,
  ) {
    this.#leaseMs = Math.max(2000, deps.timeoutMs * 2);
  }

  /** FAPI 2.0: proofs of the key the tokens are bound to (RFC 9449), for every call that carries one. */
  get proofs(): DpopProofs | undefined {
    return this.deps.proofs;
  }

  /**
   * The token to send `api` for the session's user.
   * @param refused a token the API has just refused: a new one is obtained even if it has not expired.
   * @throws {DownstreamUnauthorizedError} when the IdP will not issue one (no permission, a resource not granted).
   * @throws {IdpUnavailableError} when the IdP cannot be reached.
   */
  tokenFor(session: SessionData, api: DownstreamApiConfig, refused?: string): Promise<string> {
    if (api.token === 'session') return Promise.resolve(session.accessToken);
    const cached = session.downstreamTokens?.[api.name];
    if (cached && cached.accessToken !== refused && !isStale(cached, this.now())) return Promise.resolve(cached.accessToken);
    const key = `${session.id}\n${api.name}`;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#underLease(session, api, refused ?? cached?.accessToken).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  /** Whether `session` already holds a usable token for `api` other than `replaced`. */
  #usable(session: SessionData, api: DownstreamApiConfig, replaced: string | undefined): string | undefined {
    const token = session.downstreamTokens?.[api.name];
    return token && token.accessToken !== replaced && !isStale(token, this.now()) ? token.accessToken : undefined;
  }

  async #underLease(seen: SessionData, api: DownstreamApiConfig, replaced: string | undefined): Promise<string> {
    const { sessions } = this.deps;
    const deadline = this.now() + this.#leaseMs + this.deps.timeoutMs;
    for (;;) {
      const lease = await sessions.lock(seen.id, this.#leaseMs);
      if (lease) {
        const renewal = setInterval(() => void lease.renew().catch(() => undefined), Math.floor(this.#leaseMs / 3));
        try {
          // Another holder may have obtained one between our read and our lease.
          const current = (await sessions.reload(seen.id)) ?? seen;
          return this.#usable(current, api, replaced) ?? (await this.#obtain(current, api));
        } finally {
          clearInterval(renewal);
          await lease.release().catch(() => undefined);
        }
      }
      // Somebody else (here or on another instance) holds the session's lease: wait for their token.
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
      const current = await sessions.reload(seen.id);
      const usable = current && this.#usable(current, api, replaced);
      if (usable) return usable;
      if (this.now() > deadline) throw new IdpUnavailableError();
    }
  }

  async #obtain(session: SessionData, api: DownstreamApiConfig): Promise<string> {
    const { oidc, logger } = this.deps;
    const idp = await oidc.get();
    const scope = api.scopes.join(' ');
    const mode = api.token === 'resource' ? 'resource' : 'exchange';
    let tokens: TokenSet;
    try {
      if (mode === 'resource') {
        if (!session.refreshToken) throw new DownstreamUnauthorizedError(api.name, 'no_refresh_token');
        tokens = await resourceGrant(idp, session.refreshToken, { resource: api.resource ?? '', scope });
      } else {
        tokens = await exchangeToken(idp, session.accessToken, { audience: api.audience, resource: api.resource, scope });
      }
    } catch (error) {
      if (error instanceof DownstreamUnauthorizedError) throw error;
      if (error instanceof ResponseBodyError) {
        logger.warn('downstream.token_refused', { api: api.name, mode, sub: session.sub, error: error.error });
        this.deps.onToken?.({ api: api.name, mode, outcome: 'refused' });
        throw new DownstreamUnauthorizedError(api.name, error.error, { cause: error });
      }
      logger.warn('downstream.token_unavailable', { api: api.name, mode, sub: session.sub, error: describeError(error) });
      this.deps.onToken?.({ api: api.name, mode, outcome: 'unavailable' });
      throw new IdpUnavailableError({ cause: error });
    }
    const obtainedAt = this.now();
    const lifetime = tokens.expires_in !== undefined && tokens.expires_in > 0 ? tokens.expires_in * 1000 : DEFAULT_LIFETIME_MS;
    const token: DownstreamToken = { accessToken: tokens.access_token, obtainedAt, expiresAt: obtainedAt + lifetime };
    // A resource grant may rotate the refresh token: the new one replaces the session's, or the next refresh would fail.
    const rotated = mode === 'resource' && tokens.refresh_token ? tokens.refresh_token : undefined;
    await this.#save(session, api.name, token, rotated);
    logger.info('downstream.token', { api: api.name, mode, sub: session.sub });
    this.deps.onToken?.({ api: api.name, mode, outcome: 'obtained' });
    return token.accessToken;
  }

  /** Writes the token into the session over the version read (compare-and-set), merging with concurrent writes. */
  async #save(session: SessionData, name: string, token: DownstreamToken, refreshToken: string | undefined): Promise<void> {
    const { sessions } = this.deps;
    let base: SessionData | undefined = session;
    for (let attempt = 0; base && attempt < 5; attempt++) {
      const saved = await sessions.update({
        ...base,
        downstreamTokens: { ...base.downstreamTokens, [name]: token },
        ...(refreshToken ? { refreshToken } : {}),
      });
      if (saved) return;
      base = await sessions.reload(session.id);
    }
    // The session ended meanwhile, or five writers came first: the token serves this request only.
  }
}
