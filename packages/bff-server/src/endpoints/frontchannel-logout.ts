import type { Request, Response } from 'express';
import { requestOrigin } from '../observability/request-origin.js';
import type { EndpointDeps } from './deps.js';

/** The longest `sid` taken: IdPs issue short opaque values; anything longer is not one of theirs. */
const MAX_SID_LENGTH = 256;

/** The same few bytes for every request, acted on or not: the page tells the IdP's iframe nothing. */
const PAGE = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><p>Signed out.</p></body></html>';

/**
 * `GET /api/frontchannel-logout?iss=&sid=`, OIDC Front-Channel Logout 1.0 (S30): the IdP's
 * logout page loads this in an iframe, and every session of that IdP session (`sid`) ends, on
 * every instance, through the same index as back-channel logout. The BFF's `SameSite=Lax`
 * cookie is not sent in a third-party iframe, so sessions are found by `iss` + `sid` alone.
 * A request whose `iss` is not the configured issuer, or without `sid`, ends nothing and gets
 * the same page. The page may be framed only by the IdP's origin.
 *
 * @see https://openid.net/specs/openid-connect-frontchannel-1_0.html#RPLogout
 */
export function frontchannelLogoutEndpoint(deps: EndpointDeps) {
  const { config, oidc, sessions, logger } = deps;
  const idpOrigin = config.oidc.issuer.origin;
  return async (req: Request, res: Response): Promise<void> => {
    const { iss, sid } = req.query;
    // helmet's frame-ancestors 'self' and X-Frame-Options would keep the IdP's page from framing it.
    res.removeHeader('x-frame-options');
    res.set({
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; frame-ancestors ${idpOrigin}`,
      'content-type': 'text/html; charset=utf-8',
    });
    if (typeof sid !== 'string' || sid.length === 0 || sid.length > MAX_SID_LENGTH) {
      logger.warn('auth.frontchannel_logout_ignored', { detail: 'missing_sid' });
    } else if (typeof iss !== 'string' || iss !== (await oidc.get()).metadata.issuer) {
      // The discovered issuer is the one ID tokens were checked against: the comparison is exact (a trailing slash counts).
      logger.warn('auth.frontchannel_logout_ignored', { detail: 'issuer_mismatch' });
    } else {
      const ended = await sessions.destroyMatching({ idpSid: sid });
      logger.info('auth.frontchannel_logout', { sessions: ended });
      deps.hooks.onLogout?.({ kind: 'front_channel', sub: undefined, sessionId: undefined, sessions: ended, request: requestOrigin(req, res, req.ip) });
    }
    res.status(200).send(PAGE);
  };
}
