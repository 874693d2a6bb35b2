import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import { FRONT, startStack, type Stack } from '@bff/test-kit';
import * as server from '../../testing/test-app.js';
import type { Bff as Api } from '../../bff.js';

/**
 * Issue 16: a subscription asked for without `Accept: text/event-stream` got no abort
 * signal, so its generator outlived the client and `drain()` did not end it (S26).
 * The procedures here end only when their `signal` aborts: a generator that is not
 * told stays open, under the name its caller gave it.
 */
const open = new Set<string>();
const untilAborted = (signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) resolve();
    else signal?.addEventListener('abort', () => resolve(), { once: true });
  });

async function* untilLeft(name: string, signal: AbortSignal | undefined) {
  open.add(name);
  try {
    yield 'ready';
    await untilAborted(signal);
  } finally {
    open.delete(name);
  }
}

const named = z.object({ name: z.string() });
const testRouter = server.router({
  ticks: server.publicProcedure.input(named).subscription(({ input, signal }) => untilLeft(input.name, signal)),
  feed: server.publicProcedure.input(named).query(({ input, signal }) => untilLeft(input.name, signal)),
});

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack({ ...server, createApi: (config, logger, options) => server.createApi(config, logger, { ...options, router: testRouter }) });
});
afterAll(() => stack.close());

type Kind = 'subscription' | 'sse' | 'jsonl';

/** Where a stream named `name` of `kind` is asked for, and with which headers. */
function request(kind: Kind, name: string): { path: string; headers: Record<string, string> } {
  const client = { origin: FRONT, [CSRF_HEADER]: CSRF_HEADER_VALUE };
  switch (kind) {
    case 'subscription':
      return { path: `ticks?input=${encodeURIComponent(JSON.stringify({ name }))}`, headers: client };
    case 'sse':
      return { path: `ticks?input=${encodeURIComponent(JSON.stringify({ name }))}`, headers: { origin: FRONT, accept: 'text/event-stream' } };
    case 'jsonl':
      return { path: `feed?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { name } }))}`, headers: { ...client, 'trpc-accept': 'application/jsonl' } };
  }
}

/** Opens a stream and reads until it is `ready`; `leave()` is the client going away, `ended` resolves when the server ends it. */
async function openUntilReady(apiUrl: string, kind: Kind, name: string) {
  const { path, headers } = request(kind, name);
  const client = new AbortController();
  const res = await fetch(`${apiUrl}${API_PATHS.trpc}/${path}`, { headers, signal: client.signal });
  expect(res.status).toBe(200);
  const reader = res.body?.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('ready')) {
    const chunk = await reader?.read();
    if (!chunk || chunk.done) throw new Error(`the stream ended before it was ready: ${text}`);
    text += decoder.decode(chunk.value, { stream: true });
  }
  expect(open.has(name)).toBe(true);
  const ended = (async () => {
    for (;;) if ((await reader?.read())?.done !== false) return;
  })();
  // Leaving rejects the pending read; a test that waits for the end awaits `ended` itself.
  ended.catch(() => undefined);
  return { leave: () => client.abort(), ended };
}

describe('every stream ends with its client (S26)', () => {
  it.each([
    ['a subscription asked for without Accept: text/event-stream', 'subscription'],
    ['a subscription asked for as an EventSource would', 'sse'],
    ['a jsonl-streamed query', 'jsonl'],
  ] as const)('ends %s when the client leaves', async (_label, kind) => {
    const name = `leaves-${kind}`;
    const stream = await openUntilReady(stack.apiUrl, kind, name);
    stream.leave();
    await expect.poll(() => open.has(name), { timeout: 5000 }).toBe(false);
  });

  it('ends every open stream on drain(), whatever the request asked for, each client seeing its end, and any stream opened after', async () => {
    const instance = await stack.addInstance();
    try {
      const kinds = ['subscription', 'sse', 'jsonl'] as const;
      const streams = await Promise.all(kinds.map((kind) => openUntilReady(instance.apiUrl, kind, `drained-${kind}`)));
      instance.api.drain();
      await Promise.all(streams.map((s) => s.ended));
      await expect.poll(() => kinds.filter((kind) => open.has(`drained-${kind}`)), { timeout: 5000 }).toEqual([]);
      // A stream opened once the instance drains ends at once, so that its client reconnects elsewhere.
      const late = request('subscription', 'drained-late');
      await (await fetch(`${instance.apiUrl}${API_PATHS.trpc}/${late.path}`, { headers: late.headers })).text();
      await expect.poll(() => open.has('drained-late'), { timeout: 5000 }).toBe(false);
    } finally {
      await instance.close();
    }
  });
});
