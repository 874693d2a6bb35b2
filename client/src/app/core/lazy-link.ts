import { TRPCClientError, type OperationLink, type TRPCLink } from '@trpc/client';
import { observable, type Unsubscribable } from '@trpc/server/observable';
import type { AppRouter } from '@bff/server/router';

/**
 * A link whose code is fetched when the first operation reaches it, so that it stays out
 * of the initial bundle: `load` should `import()` the module that builds the real link.
 * If loading fails (e.g. the chunk is gone after a redeployment), the operation fails as a
 * request that never reached the API would, and the next operation tries again.
 *
 * @example
 * lazyLink(() => import('./sse-link').then((m) => m.sseLink({ url })))
 */
export function lazyLink(load: () => Promise<TRPCLink<AppRouter>>): TRPCLink<AppRouter> {
  return (runtime) => {
    let loading: Promise<OperationLink<AppRouter>> | undefined;
    return ({ op, next }) =>
      observable((observer) => {
        let subscription: Unsubscribable | undefined;
        let cancelled = false;
        (loading ??= load().then((link) => link(runtime))).then(
          (link) => {
            if (!cancelled) subscription = link({ op, next }).subscribe(observer);
          },
          (cause: unknown) => {
            loading = undefined;
            if (!cancelled) observer.error(TRPCClientError.from<AppRouter>(cause instanceof Error ? cause : new Error(String(cause))));
          },
        );
        return () => {
          cancelled = true;
          subscription?.unsubscribe();
        };
      });
  };
}
