import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import { setCookie } from '../session/cookie-size.js';
import type { EndpointDeps } from './deps.js';
import { requestCookies } from './request-cookies.js';

/** How long a browser may stay on the IdP's end-session page and still come back with a checked `state`. */
const LOGOUT_STATE_TTL_SECONDS = 600;

/**
 * The `state` of one end-session request (RP-Initiated Logout 1.0 §2), bound to the browser
 * that signed out by a short-lived httpOnly cookie, as a login transaction is. `Lax`, like the
 * login transaction cookie: the return is a top-level navigation from the IdP's site.
 */
export class LogoutState {
  readonly #name: string;
  readonly #options: CookieOptions;

  constructor(sessionCookieName: string, secure: boolean) {
    this.#name = `${sessionCookieName}_logout`;
    this.#options = { httpOnly: true, secure, sameSite: 'lax', path: '/' };
  }

  /** A fresh state, remembered in the browser until it comes back or the cookie expires. */
  issue(res: Response): string {
    const state = randomBytes(32).toString('base64url');
    setCookie(res, this.#name, state, { ...this.#options, maxAge: LOGOUT_STATE_TTL_SECONDS * 1000 });
    return state;
  }

  /** Whether `state` is the one this browser was given; forgets it either way. */
  take(req: Request, res: Response, state: unknown): boolean {
    const expected = requestCookies(req).get(this.#name);
    res.clearCookie(this.#name, this.#options);
    if (typeof state !== 'string' || expected === undefined) return false;
    const a = Buffer.from(state);
    const b = Buffer.from(expected);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/**
 * `GET /api/logout/return?state=`: the post-logout redirect URI. The IdP sends the browser here
 * after its end-session page; the `state` is checked against the browser's logout cookie and the
 * browser goes on to `OIDC_POST_LOGOUT_REDIRECT_URI`, a fixed address (never one from the request).
 * A missing or wrong `state` is only logged: the session ended at `/api/logout`, before the browser
 * left, so a forged or replayed return can end nothing and reach nothing but the front's page.
 */
export function logoutReturnEndpoint(deps: EndpointDeps & { readonly logoutState: LogoutState }) {
  const { config, logger, logoutState } = deps;
  return (req: Request, res: Response): void => {
    if (logoutState.take(req, res, req.query['state'])) logger.info('auth.logout_returned', {});
    else logger.warn('auth.logout_state_mismatch', { state: typeof req.query['state'] === 'string' ? 'wrong' : 'missing' });
    res.redirect(303, config.oidc.postLogoutRedirectUri.href);
  };
}
