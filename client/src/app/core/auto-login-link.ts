import type { TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '@bff/server/router';
import type { AuthFailureReason } from '@bff/shared';

/** Receives every UNAUTHORIZED failure; decides whether and where to navigate. */
export type UnauthorizedHandler = (reason: AuthFailureReason | undefined, options: { readonly autoLogin: boolean }) => void;

/**
 * Operation context understood by {@link autoLoginLink}: `autoLogin: false` marks a call
 * whose caller handles "not signed in" itself (the session probe of the landing page).
 *
 * @example
 * trpc.me.query(undefined, { context: { autoLogin: false } satisfies AutoLoginContext })
 */
export interface AutoLoginContext {
  readonly autoLogin?: boolean;
}

/**
 * A tRPC link, placed before the terminating link, that reports calls failing with
 * UNAUTHORIZED to `onUnauthorized` (with the reason the API gives). The error still
 * reaches the caller: the page may be about to be replaced, but nothing is swallowed.
 */
export function autoLoginLink(onUnauthorized: UnauthorizedHandler): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) =>
        next(op).subscribe({
          next: (result) => observer.next(result),
          error: (error) => {
            if (error.data?.code === 'UNAUTHORIZED') {
              onUnauthorized(error.data.reason, { autoLogin: (op.context as AutoLoginContext).autoLogin !== false });
            }
            observer.error(error);
          },
          complete: () => observer.complete(),
        }),
      );
}
