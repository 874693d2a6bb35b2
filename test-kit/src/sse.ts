import { API_PATHS } from '@oidc-bff/protocol';
import { FRONT } from './stack.js';
import type { ApiTarget, Browser } from './browser.js';

/** One server-sent event. */
export interface SseEvent {
  readonly event: string;
  readonly id: string | undefined;
  readonly data: string;
}

/** An open event stream and what it received so far. */
export interface EventStream {
  readonly response: Response;
  readonly events: SseEvent[];
  isClosed(): boolean;
  /** Resolves when an event matching `predicate` has arrived (or rejects after `timeoutMs`). */
  waitFor(predicate: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  close(): Promise<void>;
}

/**
 * Opens a tRPC subscription as the browser's EventSource would (`GET`, `accept:
 * text/event-stream`, the front's `Origin`) and collects its events.
 */
export async function openStream(
  target: ApiTarget,
  browser: Browser,
  path: string,
  /** `headers` replace the default `{ origin: FRONT }` (e.g. `{}` for a request without Origin). */
  options: { headers?: Record<string, string>; input?: unknown } = {},
): Promise<EventStream> {
  const url = new URL(`${target.apiUrl}${API_PATHS.trpc}/${path}`);
  if (options.input !== undefined) url.searchParams.set('input', JSON.stringify(options.input));
  const response = await browser.fetch(url.href, { headers: { accept: 'text/event-stream', ...(options.headers ?? { origin: FRONT }) } });
  const reader = response.body?.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  let closed = false;
  const pump = (async () => {
    if (!reader) return;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
        const id = /^id: ?(.*)$/m.exec(block)?.[1];
        const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join('\n');
        events.push({ event, id, data });
        for (const wake of waiters) wake();
      }
    }
  })()
    .catch(() => undefined)
    .finally(() => {
      closed = true;
      for (const wake of waiters) wake();
    });
  return {
    response,
    events,
    isClosed: () => closed,
    waitFor: (predicate, timeoutMs = 5000) =>
      new Promise<SseEvent>((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate);
          if (found) {
            cleanup();
            resolve(found);
          } else if (closed) {
            cleanup();
            reject(new Error('the stream closed before the event arrived'));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching event within ${timeoutMs} ms (got ${events.length})`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: async () => {
      await reader?.cancel().catch(() => undefined);
      await pump;
    },
  };
}
