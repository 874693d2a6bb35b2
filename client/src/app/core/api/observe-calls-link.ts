import type { Operation, TRPCClientError, TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '@bff/server/router';

/** What {@link observeCallsLink} reports; each is optional. */
export interface CallObserver {
  /**
   * The API answered: a result, or (for a subscription) the stream started, sent data or
   * ended. Not a subscription's connection state, which is the browser's view.
   */
  readonly answered?: (op: Operation) => void;
  /** The call failed: an error the API sent, or a request that never reached it. */
  readonly failed?: (error: TRPCClientError<AppRouter>, op: Operation) => void;
}

/**
 * A tRPC link, placed before the transport, that reports how calls end and changes
 * nothing: results and errors still reach the caller as they are.
 *
 * @example
 * observeCallsLink({ failed: (error) => console.warn(error.data?.code) })
 */
export function observeCallsLink(observer: CallObserver): TRPCLink<AppRouter> {
  return () =>
    ({ op, next }) =>
      observable((subscriber) =>
        next(op).subscribe({
          next: (result) => {
            if (!('type' in result.result) || result.result.type !== 'state') observer.answered?.(op);
            subscriber.next(result);
          },
          error: (error) => {
            observer.failed?.(error, op);
            subscriber.error(error);
          },
          complete: () => subscriber.complete(),
        }),
      );
}
