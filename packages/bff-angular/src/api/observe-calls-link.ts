import type { Operation, TRPCClientError, TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { observable } from '@trpc/server/observable';

/** What {@link observeCallsLink} reports; each is optional. */
export interface CallObserver {
  /**
   * The API answered: a result, or (for a subscription) the stream started, sent data or
   * ended. Not a subscription's connection state, which is the browser's view.
   */
  readonly answered?: (op: Operation) => void;
  /** The call failed: an error the API sent (see `bffErrorData`), or a request that never reached it. */
  readonly failed?: (error: TRPCClientError<AnyTRPCRouter>, op: Operation) => void;
}

/**
 * A tRPC link, placed before the transport, that reports how calls end and changes
 * nothing: results and errors still reach the caller as they are. It reads nothing of the
 * app's procedures, so it fits any router.
 *
 * @example
 * observeCallsLink({ failed: (error) => console.warn(error.data?.code) })
 */
export function observeCallsLink<TRouter extends AnyTRPCRouter>(observer: CallObserver): TRPCLink<TRouter> {
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
