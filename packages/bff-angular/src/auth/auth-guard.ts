import { inject } from '@angular/core';
import { Router, type CanActivateFn, type UrlTree } from '@angular/router';
import { BFF_ROUTES } from '../bff-routes.js';
import { Auth } from './auth.js';
import { LoginFlow } from './login-flow.js';

/**
 * For pages that need a session. Waits for the session state; when signed out, starts
 * sign-in with the requested page as `returnTo` (or shows the session problem if the
 * user has just come back from one). When the API cannot be reached, or answers that it
 * is unavailable, the page opens and shows its own error (never a sign-in): the server
 * enforces access either way, guards only spare a detour.
 */
export const sessionGuard: CanActivateFn = (_route, state) => sessionCheck()(state.url);

/**
 * For pages that need the application role `role` (as `me` reports it in `user.roles`):
 * as {@link sessionGuard}, then users without it go to the app's forbidden page
 * (`routes.forbidden` of `provideBff`) as `<forbidden>?role=<role>`. The roles are the
 * app's: the API grants them from the user's groups and enforces them; the guard only
 * spares the detour to a page the API would refuse.
 *
 * @example
 * { path: 'analytics', canActivate: [roleGuard('analyst')], loadComponent: ... }
 */
export function roleGuard(role: string): CanActivateFn {
  return (_route, state) => {
    const check = sessionCheck();
    const auth = inject(Auth);
    const router = inject(Router);
    const forbidden = inject(BFF_ROUTES).forbidden;
    return check(state.url).then((allowed) => {
      if (allowed !== true || auth.status() !== 'signed-in' || auth.hasRole(role)) return allowed;
      return router.createUrlTree([forbidden], { queryParams: { role } });
    });
  };
}

/** Injects what the check needs while still in the injection context, for use after `await`. */
function sessionCheck(): (url: string) => Promise<true | false | UrlTree> {
  const auth = inject(Auth);
  const flow = inject(LoginFlow);
  return async (url) => {
    const status = await auth.load();
    if (status !== 'signed-out') return true;
    return flow.requireLogin(url, auth.signedOutReason());
  };
}
