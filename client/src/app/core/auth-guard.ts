import { inject } from '@angular/core';
import { Router, type CanActivateFn, type UrlTree } from '@angular/router';
import { Auth } from './auth';
import { LoginFlow } from './login-flow';

/**
 * For pages that need a session. Waits for the session state; when signed out, starts
 * sign-in with the requested page as `returnTo` (or shows the session problem if the
 * user has just come back from one). When the API cannot be reached the page opens and
 * shows its own error: the server enforces access either way, guards only spare a detour.
 */
export const sessionGuard: CanActivateFn = (_route, state) => sessionCheck()(state.url);

/**
 * For pages that need membership of `group`: as {@link sessionGuard}, then non-members
 * go to `/forbidden?group=<group>`.
 *
 * @example
 * { path: 'analytics', canActivate: [groupGuard('analysts')], loadComponent: ... }
 */
export function groupGuard(group: string): CanActivateFn {
  return (_route, state) => {
    const check = sessionCheck();
    const auth = inject(Auth);
    const router = inject(Router);
    return check(state.url).then((allowed) => {
      if (allowed !== true || auth.status() !== 'signed-in' || auth.hasGroup(group)) return allowed;
      return router.createUrlTree(['/forbidden'], { queryParams: { group } });
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
