import type { Request, Response } from 'express';
import { API_PATHS } from '@oidc-bff/protocol';
import { describeError, IdpUnavailableError } from '../errors.js';
import { endSessionUrl, revokeRefreshToken } from '../oidc/flows.js';
import { sendProblem } from '../http/problem.js';
import type { EndpointDeps } from './deps.js';
import { requestCookies } from './request-cookies.js';
import type { LogoutState } from './logout-return.js';
import { requestOrigin } from '../observability/request-origin.js';

/**
 * `GET|POST /api/logout?sid=`: ends the session (S4). The per-session `sid` (from `me`)
 * is required, so another site cannot sign the user out. Revokes the refresh token and
 * sends the browser to the IdP's end-session endpoint with `id_token_hint`, `client_id` and a
 * `state` bound to the browser, checked when the IdP sends it back (`logout-return.ts`).
 */
export function logoutEndpoint(deps: EndpointDeps & { readonly logoutState: LogoutState }) {
  const { config, oidc, sessions, logger } = deps;
  return async (req: Request, res: Response): Promise<void> => {
    const home = config.oidc.postLogoutRedirectUri.href;
    const lookup = await sessions.resolve(requestCookies(req).get(sessions.cookieName));
    if (!lookup.ok) {
      res.clearCookie(sessions.cookieName, sessions.clearCookieOptions());
      res.redirect(303, home);
      return;
    }
    const body = req.body as Record<string, unknown> | undefined;
    const sid = req.query['sid'] ?? body?.['sid'];
    if (sid !== lookup.session.logoutId) {
      logger.warn('auth.logout_denied', { sub: lookup.session.sub });
      sendProblem(req, res, 403, 'logout_denied', 'This sign-out link is not valid for your session. Use the sign-out button of the application.');
      return;
    }
    await sessions.destroy(lookup.session.id);
    res.clearCookie(sessions.cookieName, sessions.clearCookieOptions());
    logger.info('auth.logout', { sub: lookup.session.sub });
    deps.hooks.onLogout?.({
      kind: 'user',
      sub: lookup.session.sub,
      sessionId: sessions.publicIdOf(lookup.session.id),
      sessions: 1,
      request: requestOrigin(req, res, req.ip),
    });
    let target = home;
    try {
      const idp = await oidc.get();
      const { refreshToken } = lookup.session;
      if (refreshToken) {
        await revokeRefreshToken(idp, refreshToken).catch((error: unknown) => {
          logger.warn('auth.revocation_failed', { sub: lookup.session.sub, error: describeError(error) });
        });
      }
      // The IdP comes back to /api/logout/return with this state, which sends the browser on to `home`.
      if (idp.metadata.end_session_endpoint) {
        const state = deps.logoutState.issue(res);
        target = endSessionUrl(idp, lookup.session.idToken, new URL(API_PATHS.logoutReturn, config.backUrl).href, state)?.href ?? home;
      }
    } catch (error) {
      if (!(error instanceof IdpUnavailableError)) throw error;
    }
    res.redirect(303, target);
  };
}
