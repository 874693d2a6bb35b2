import { TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import type { AppRouter } from '@bff/server/router';

/** The part of the browser's `EventSource` this link uses. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void;
  close(): void;
}

export type EventSourceConstructor = new (url: string, init?: EventSourceInit) => EventSourceLike;

export interface SseLinkOptions {
  /** The API's tRPC endpoint, e.g. `https://api.example.com/api/trpc`. */
  readonly url: string;
  /** E.g. `{ withCredentials: true }` to send the session cookie to another origin. */
  readonly eventSourceOptions?: EventSourceInit;
  /** For tests; defaults to the browser's `EventSource`. */
  readonly EventSource?: EventSourceConstructor;
}

/** `EventSource.CLOSED`, without touching a global that may be missing. */
const CLOSED = 2;

/** Errors after which tRPC's own client keeps the stream (the browser reconnects by itself). */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['BAD_GATEWAY', 'SERVICE_UNAVAILABLE', 'GATEWAY_TIMEOUT']);

/**
 * A terminating link that runs subscriptions over server-sent events, speaking the
 * protocol of tRPC 11's `httpSubscriptionLink` (events `connected`, `ping`, `message`,
 * `serialized-error`, `return`; no data transformer, no tracked event ids) with the same
 * option names.
 *
 * Why not `httpSubscriptionLink` itself: it lives in the same module file as
 * `createTRPCClient`, and esbuild (the Angular builder) splits code by file, so using it
 * anywhere puts it and its stream machinery (~3 KB gzipped) in the initial bundle.
 * This file is only reached through a dynamic `import()`, so it loads with the first
 * subscription.
 *
 * Results, as `httpSubscriptionLink` sends them: `started` and a `pending` state on each
 * (re)connection; a `connecting` state while the browser reconnects; each message as
 * data; on `return` (the API ended the stream) `stopped`, then completion. The stream is
 * reopened when nothing, not even a ping, arrives within the inactivity limit the API
 * announces, since a connection that died silently (sleep, network change) would
 * otherwise look open for a long time.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export function sseLink(options: SseLinkOptions): TRPCLink<AppRouter> {
  return () =>
    ({ op }) =>
      observable((observer) => {
        const url = subscriptionUrl(options.url, op.path, op.input);
        let source: EventSourceLike | undefined;
        let inactivityMs = 0;
        let inactivityTimer: ReturnType<typeof setTimeout> | undefined;

        const stop = () => {
          clearTimeout(inactivityTimer);
          source?.close();
          source = undefined;
        };
        const fail = (error: TRPCClientError<AppRouter>) => {
          stop();
          observer.error(error);
        };
        const connecting = (error: TRPCClientError<AppRouter> | null) =>
          observer.next({ result: { type: 'state', state: 'connecting', error } });
        const active = () => {
          clearTimeout(inactivityTimer);
          if (inactivityMs > 0) inactivityTimer = setTimeout(reopen, inactivityMs);
        };
        const reopen = () => {
          stop();
          connecting(TRPCClientError.from<AppRouter>(new Error(`No event for ${inactivityMs} ms.`)));
          open();
        };

        const open = () => {
          let es: EventSourceLike;
          try {
            es = source = new (options.EventSource ?? globalThis.EventSource)(url, options.eventSourceOptions);
          } catch (cause) {
            fail(TRPCClientError.from<AppRouter>(asError(cause)));
            return;
          }
          // Events of a stream already replaced or stopped are ignored; a payload that is not JSON ends the subscription.
          const on = (type: string, handle: (data: string) => void) =>
            es.addEventListener(type, (event) => {
              if (source !== es) return;
              try {
                handle(event.data);
              } catch (cause) {
                fail(TRPCClientError.from<AppRouter>(asError(cause)));
              }
            });

          on('connected', (data) => {
            inactivityMs = readInactivityMs(data);
            active();
            observer.next({ result: { type: 'started' } });
            observer.next({ result: { type: 'state', state: 'pending', error: null } });
          });
          on('ping', active);
          on('message', (data) => {
            active();
            observer.next({ result: { type: 'data', data: JSON.parse(data) as unknown } });
          });
          on('serialized-error', (data) => {
            const error = TRPCClientError.from<AppRouter>({ error: JSON.parse(data) as never });
            if (RETRYABLE_CODES.has(error.data?.code ?? '')) connecting(error);
            else fail(error);
          });
          on('return', () => {
            stop();
            observer.next({ result: { type: 'stopped' } });
            observer.complete();
          });
          on('error', () => {
            // CLOSED: refused for good (an HTTP error, not an event stream); otherwise the browser is reconnecting.
            if (es.readyState === CLOSED) fail(TRPCClientError.from<AppRouter>(new Error('The event stream could not be opened.')));
            else connecting(TRPCClientError.from<AppRouter>(new Error('The event stream was interrupted.')));
          });
        };

        open();
        return stop;
      });
}

/** The URL tRPC's HTTP links use for a GET of `path` (e.g. `chat.onMessage`). */
function subscriptionUrl(base: string, path: string, input: unknown): string {
  const url = `${base.replace(/\/$/, '')}/${path}`;
  return input === undefined ? url : `${url}?input=${encodeURIComponent(JSON.stringify(input))}`;
}

/** The `reconnectAfterInactivityMs` the API sends with `connected`; 0 (never) if absent. */
function readInactivityMs(data: string): number {
  const options: unknown = data ? JSON.parse(data) : null;
  const ms = typeof options === 'object' && options !== null ? (options as Record<string, unknown>)['reconnectAfterInactivityMs'] : undefined;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0;
}

function asError(cause: unknown): Error {
  return cause instanceof Error ? cause : new Error(String(cause));
}
