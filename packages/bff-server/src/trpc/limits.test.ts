import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import { Browser, call, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

/** Abuse limits (S22): capped batches, per-session call and mutation limits. */
let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server, { env: { RATE_LIMIT_CALLS_PER_MINUTE: '600', RATE_LIMIT_MUTATIONS_PER_MINUTE: '60' } });
});
afterAll(() => stack.close());

/** A tRPC batch of `size` chat.send mutations in one POST, as httpBatchLink sends it. */
async function sendBatch(browser: Browser, size: number, text: string) {
  const paths = Array(size).fill('chat.send').join(',');
  const body = Object.fromEntries(Array.from({ length: size }, (_, i) => [i, { text: `${text} ${i}` }]));
  return browser.fetch(`${stack.apiUrl}${API_PATHS.trpc}/${paths}?batch=1`, {
    method: 'POST',
    headers: { origin: FRONT, [CSRF_HEADER]: CSRF_HEADER_VALUE, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const historyTexts = async (browser: Browser) =>
  ((await call(stack, browser, 'chat.history', { input: { limit: 200 } })).body.result.data as Array<{ text: string }>).map((m) => m.text);

describe('abuse limits (S22)', () => {
  it('refuses a batch of 11 calls whole with BAD_REQUEST, before any procedure runs', async () => {
    const carol = new Browser();
    await login(stack, carol, 'alice');
    const refused = await sendBatch(carol, 11, 'flood');
    expect(refused.status).toBe(400);
    const body = (await refused.json()) as Array<{ error: { data: { code: string } } }> | { error: { data: { code: string } } };
    const first = Array.isArray(body) ? body[0] : body;
    expect(first?.error.data.code).toBe('BAD_REQUEST');
    expect((await historyTexts(carol)).filter((t) => t.startsWith('flood'))).toEqual([]);
    const accepted = await sendBatch(carol, 10, 'fine');
    expect(accepted.status).toBe(200);
    expect((await historyTexts(carol)).filter((t) => t.startsWith('fine'))).toHaveLength(10);
  });

  it('allows 60 mutations a minute per session; the 61st is TOO_MANY_REQUESTS with Retry-After; another session is unaffected', async () => {
    const alice = new Browser();
    const bob = new Browser();
    await login(stack, alice, 'alice');
    await login(stack, bob, 'bob');
    const statuses: number[] = [];
    let refused;
    for (let i = 0; i < 70; i++) {
      const res = await call(stack, alice, 'chat.send', { mutation: true, input: { text: `m${i}` } });
      statuses.push(res.status);
      if (res.status === 429 && !refused) refused = res;
    }
    expect(statuses.slice(0, 60)).toEqual(Array(60).fill(200));
    expect(statuses.slice(60)).toEqual(Array(10).fill(429));
    expect(refused?.body.error.data).toMatchObject({ code: 'TOO_MANY_REQUESTS', reason: 'rate_limited' });
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused?.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    // Queries still have room under the overall limit; bob has his own counters.
    expect((await call(stack, alice, 'me')).status).toBe(200);
    expect((await call(stack, bob, 'chat.send', { mutation: true, input: { text: 'bob is fine' } })).status).toBe(200);
  });
});
