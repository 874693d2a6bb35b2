import { InjectionToken } from '@angular/core';

/**
 * The app's pages the machinery sends the user to, as application paths (`/`,
 * `/errors/forbidden`…). The pages themselves are the app's; the machinery only navigates.
 */
export interface BffRoutes {
  /** Where the signed-out state and the way to sign in are shown: after a sign-out in another tab, or a session found ended. */
  readonly home: string;
  /** Where `roleGuard(role)` sends a signed-in user without `role`, as `<forbidden>?role=<role>`. */
  readonly forbidden: string;
  /**
   * Where a suspected sign-in loop is explained, as `<sessionProblem>?reason=…&from=…` (the
   * API still says "not signed in" right after a sign-in: the session cookie was not kept).
   * Its "Try again" calls `LoginFlow.retry(from)`.
   */
  readonly sessionProblem: string;
}

/** The {@link BffRoutes} given to `provideBff`. */
export const BFF_ROUTES = new InjectionToken<BffRoutes>('BFF_ROUTES');
