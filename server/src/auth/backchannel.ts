import { Router } from 'express';
import { errors, jwtVerify } from 'jose';
import type { OidcService } from './oidc.js';
import type { SessionManager } from './session.js';
import type { Logger } from '../log.js';

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How old a logout token may be; also how long its `jti` is remembered. */
const MAX_TOKEN_AGE_SECONDS = 120;

/** Remembers `jti` values until they expire, so that a logout token is accepted once. */
export class ReplayCache {
  readonly #seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Records `jti`; false if it was already seen. */
  firstUse(jti: string, expiresAt: number): boolean {
    const now = this.now();
    for (const [key, until] of this.#seen) if (until <= now) this.#seen.delete(key);
    if (this.#seen.has(jti)) return false;
    this.#seen.set(jti, expiresAt);
    return true;
  }
}

/**
 * OIDC Back-Channel Logout (S5): the IdP posts a signed `logout_token`; once it is
 * verified (signature via JWKS, `iss`, `aud`, `iat`, `events`, no `nonce`, `jti` not
 * replayed), every session of its `sid` (or else its `sub`) ends.
 *
 * @see https://openid.net/specs/openid-connect-backchannel-1_0.html#Validation
 */
export function createBackchannelLogoutRoute(options: {
  oidc: OidcService;
  sessions: SessionManager;
  clientId: string;
  algorithms: readonly string[];
  logger: Logger;
  replay?: ReplayCache;
}): Router {
  const replay = options.replay ?? new ReplayCache();
  const routes = Router();
  routes.post('/backchannel-logout', async (req, res) => {
    res.set('cache-control', 'no-store');
    const refuse = (detail: string) => {
      options.logger.warn('auth.backchannel_logout_refused', { detail });
      res.status(400).json({ error: 'invalid_request', error_description: 'The logout token is not valid.' });
    };
    const token = (req.body as Record<string, unknown> | undefined)?.['logout_token'];
    if (typeof token !== 'string' || token.length > 8192) return refuse('missing_logout_token');

    const idp = await options.oidc.get();
    let verified;
    try {
      verified = await jwtVerify(token, idp.keys, {
        issuer: idp.configuration.serverMetadata().issuer,
        audience: options.clientId,
        algorithms: [...options.algorithms],
        requiredClaims: ['iat', 'jti', 'events'],
        maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      });
    } catch (error) {
      if (error instanceof errors.JOSEError) return refuse(error.code);
      throw error;
    }
    const { payload, protectedHeader } = verified;
    if (protectedHeader.typ !== undefined && protectedHeader.typ !== 'logout+jwt' && protectedHeader.typ !== 'JWT') return refuse('typ');
    const events = payload['events'];
    if (typeof events !== 'object' || events === null || typeof (events as Record<string, unknown>)[BACKCHANNEL_EVENT] !== 'object') return refuse('events');
    if ('nonce' in payload) return refuse('nonce');
    const sid = typeof payload['sid'] === 'string' ? payload['sid'] : undefined;
    const sub = payload.sub;
    if (!sid && !sub) return refuse('no_sid_or_sub');
    if (!replay.firstUse(String(payload.jti), ((payload.iat ?? 0) + MAX_TOKEN_AGE_SECONDS) * 1000)) return refuse('jti_replayed');

    const ended = await options.sessions.destroyMatching(sid ? { idpSid: sid } : { sub: sub ?? '' });
    options.logger.info('auth.backchannel_logout', { sub, sessions: ended });
    res.status(200).end();
  });
  return routes;
}
