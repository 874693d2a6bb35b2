import { Location } from '@angular/common';
import { DOCUMENT, InjectionToken, inject, signal } from '@angular/core';
import { Router, type UrlTree } from '@angular/router';
import { API_PATHS, type AuthFailureReason } from '@oidc-bff/protocol';
import { BFF_ROUTES } from '../bff-routes.js';
import { BFF_CONFIG } from '../config/bff-config.js';
import { WindowLocation } from './window-location.js';

/**
 * How long after leaving for the identity provider a "not signed in" answer is taken
 * to mean that the browser did not keep the session cookie, rather than that the user
 * needs to sign in (again).
 */
export const LOGIN_LOOP_WINDOW_MS = 2 * 60_000;

/** The sessionStorage key holding the time of the last sign-in attempt. */
export const LOGIN_ATTEMPT_KEY = 'bff.login-attempt';

/** The sessionStorage key holding the last step-up's time and requirement (`<ms>&acr_values=…&max_age=…`). */
export const STEP_UP_ATTEMPT_KEY = 'bff.step-up';

/**
 * The tab's sessionStorage, or null where the browser refuses it (site data blocked:
 * reading `window.sessionStorage` then throws).
 */
export const SESSION_STORAGE = new InjectionToken<Storage | null>('SESSION_STORAGE', {
  providedIn: 'root',
  factory: () => {
    try {
      return inject(DOCUMENT).defaultView?.sessionStorage ?? null;
    } catch {
      return null;
    }
  },
});

/**
 * Sending the browser to sign in, and noticing when that goes round in circles.
 *
 * Before each sign-in the time is written to sessionStorage (it survives the trip to
 * the identity provider, per tab). The first successful `me` erases it. If the API
 * still answers UNAUTHORIZED while the mark is recent, the cookie set by the callback
 * was not kept or not sent: signing in again would loop, so the user is shown the app's
 * session-problem page (`routes.sessionProblem` of `provideBff`) instead.
 */
export class LoginFlow {
  private readonly apiUrl = inject(BFF_CONFIG).apiUrl;
  private readonly routes = inject(BFF_ROUTES);
  private readonly location = inject(WindowLocation);
  private readonly appLocation = inject(Location);
  private readonly router = inject(Router);
  private readonly storage = inject(SESSION_STORAGE);
  private readonly leaving = signal(false);
  private problemShown = false;

  /** True once an automatic sign-in has started: the page is about to be replaced. */
  readonly redirecting = this.leaving.asReadonly();

  /** The API's sign-in URL that brings the browser back to `returnTo` (an absolute URL). */
  loginUrl(returnTo: string): string {
    const target = new URL(returnTo);
    // Coming back to a failed sign-in's message after a good one would confuse.
    target.searchParams.delete('auth_error');
    return `${this.apiUrl}${API_PATHS.login}?returnTo=${encodeURIComponent(target.href)}`;
  }

  /**
   * Signs in now: records the attempt and leaves the page. `query` adds `/api/login` parameters:
   * `&prompt=none` asks the IdP for no page (an IdP that needs the user sends the browser back
   * with `?auth_error=login_required`, and `provideBff` then signs in interactively), or a step-up's
   * `&acr_values=…&max_age=…`.
   */
  login(returnTo: string = this.location.href, query = ''): void {
    this.leaving.set(true);
    try {
      this.storage?.setItem(LOGIN_ATTEMPT_KEY, String(Date.now()));
    } catch {
      // Storage full or refused: the attempt goes unrecorded, and returnedFromLogin() errs on the safe side.
    }
    this.location.assign(this.loginUrl(returnTo) + query);
  }

  /**
   * Whether the browser came back from a sign-in moments ago without a usable session.
   * Also true when sessionStorage is refused, since the attempts then cannot be counted
   * and a browser that refuses site data usually refuses the session cookie too.
   */
  returnedFromLogin(): boolean {
    if (!this.storage) return true;
    let recorded: string | null;
    try {
      recorded = this.storage.getItem(LOGIN_ATTEMPT_KEY);
    } catch {
      return true;
    }
    const at = Number(recorded);
    return recorded !== null && Number.isFinite(at) && Math.abs(Date.now() - at) < LOGIN_LOOP_WINDOW_MS;
  }

  /** Forgets the last attempt: it succeeded, or came back with `?auth_error=` and so is over. */
  forgetAttempt(): void {
    try {
      this.storage?.removeItem(LOGIN_ATTEMPT_KEY);
    } catch {
      // Nothing was recorded either.
    }
  }

  /**
   * The "Try again" of the session-problem page: a fresh attempt, not counted as a loop,
   * that comes back to `path` (an application path such as `/chat`).
   */
  retry(path: string): void {
    this.forgetAttempt();
    try {
      this.storage?.removeItem(STEP_UP_ATTEMPT_KEY);
    } catch {
      // Nothing was recorded either.
    }
    this.login(this.absoluteUrl(path));
  }

  /**
   * What a guard does for a page (`path`, e.g. `/chat`) that needs a session when the
   * user has none: sign in and come back to it (cancelling this navigation), or show
   * the session problem if the user has only just come back from signing in.
   */
  requireLogin(path: string, reason: AuthFailureReason | undefined): UrlTree | false {
    // Already on the way to sign-in (another guard or a failed call): the attempt just recorded must not read as a loop.
    if (this.leaving()) return false;
    if (this.returnedFromLogin()) return this.sessionProblemUrl(reason, path);
    this.login(this.absoluteUrl(path), renewal(reason));
    return false;
  }

  /**
   * What happens when a call fails with UNAUTHORIZED (reported by `autoLoginLink`): sign
   * in again and come back to this page, or, when the user has only just come back from
   * signing in, show the session problem instead of looping. Acts once per page however
   * many calls fail together. Calls made with `autoLogin: false` (the session probe) only
   * take part in the loop check.
   */
  signInOrShowSessionProblem(reason: AuthFailureReason | undefined, options: { readonly autoLogin: boolean }): void {
    if (this.leaving()) return;
    if (this.returnedFromLogin()) {
      const path = this.appLocation.path() || '/';
      if (this.problemShown || path.startsWith(this.routes.sessionProblem)) return;
      this.problemShown = true;
      void this.router.navigateByUrl(this.sessionProblemUrl(reason, path));
      return;
    }
    if (options.autoLogin) this.login(this.location.href, renewal(reason));
  }

  /**
   * A step-up (RFC 9470): a call was refused with `insufficient_user_authentication`, so the
   * browser signs in again with the `acr_values` / `max_age` the API named and comes back to
   * this page, where the user retries. The same requirement again within
   * {@link LOGIN_LOOP_WINDOW_MS} means the sign-in cannot meet it (the IdP or an API does not
   * accept it): the session-problem page says so instead of going round in circles.
   */
  stepUp(challenge: { readonly acr_values?: unknown; readonly max_age?: unknown }): void {
    if (this.leaving()) return;
    const query = new URLSearchParams();
    if (typeof challenge.acr_values === 'string') query.set('acr_values', challenge.acr_values);
    if (typeof challenge.max_age === 'number') query.set('max_age', String(challenge.max_age));
    const mark = `&${query}`;
    let last: string | null | undefined;
    try {
      last = this.storage?.getItem(STEP_UP_ATTEMPT_KEY);
      this.storage?.setItem(STEP_UP_ATTEMPT_KEY, Date.now() + mark);
    } catch {
      // Unrecorded: the check below then errs on the safe side, as for sign-in.
    }
    const at = parseInt(last ?? '', 10);
    if (!this.storage || (last === at + mark && Date.now() - at < LOGIN_LOOP_WINDOW_MS)) {
      if (!this.problemShown) void this.router.navigateByUrl(this.sessionProblemUrl('insufficient_user_authentication', this.appLocation.path() || '/'));
      this.problemShown = true;
      return;
    }
    this.login(this.location.href, mark);
  }

  /** `<sessionProblem>?reason=…&from=…`, `from` being the page to come back to after a retry. */
  sessionProblemUrl(reason: AuthFailureReason | undefined, from: string): UrlTree {
    return this.router.createUrlTree([this.routes.sessionProblem], { queryParams: { reason, from } });
  }

  /** The absolute URL of an application path; anything but a plain path (or the problem page itself) means the home page. */
  private absoluteUrl(path: string): string {
    const plain = path.startsWith('/') && !path.startsWith('//') && !path.includes('\\');
    const safePath = plain && !path.startsWith(this.routes.sessionProblem) ? path : this.routes.home;
    return new URL(this.appLocation.prepareExternalUrl(safePath), this.location.href).href;
  }
}

/**
 * Silent renewal (`&prompt=none`): a session that expired, or whose refresh the IdP refused, may end
 * while the user is still signed in at the IdP, which can then sign them back in without a page. Not a
 * session ended on purpose (signed out, revoked: `invalid_session`), and not a first sign-in.
 */
function renewal(reason: AuthFailureReason | undefined): string {
  return reason === 'session_expired' || reason === 'refresh_failed' ? '&prompt=none' : '';
}
