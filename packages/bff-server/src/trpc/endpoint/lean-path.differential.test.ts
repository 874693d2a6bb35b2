import { describe, expect, it } from 'vitest';
import { answer, Browser, login, runDifferential, startRedis, startStack } from '@bff/test-kit';
import * as server from '../../testing/test-app.js';

/**
 * The lean path (lean-path.ts) answers plain queries and mutations without tRPC's fetch
 * adapter. What makes it safe to keep: every procedure of `bffRouter` and of the test app,
 * with good and bad inputs, signed in (alice, an analyst; bob, not) and not, alone and in
 * batches, by the right and the wrong method, is answered by it exactly as tRPC's own
 * handler answers on an instance with `TRPC_LEAN_PATH=false`: status, the headers that
 * matter and the body (times and fresh ids masked, since two calls differ there by nature).
 */
describe('the lean path against tRPC fetch adapter', () => {
  it('answers every procedure of the machinery and the test app as tRPC does', async () => {
    const report = await runDifferential(server, {
      router: server.testRouter,
      users: ['alice', 'bob'],
      good: {
        'sessions.revoke': [{ id: 'no-such-session' }],
        'chat.send': [{ text: 'the same to both' }],
        'chat.history': [{ limit: 2 }, { limit: 200 }],
        'chat.onMessage': [{ lastEventId: null }],
      },
      stack: { reports: 'exchange' },
    });
    expect(report.mismatches).toEqual([]);
    // Most requests are plain calls the lean path takes; the rest (wrong method, unknown
    // procedure, bad JSON, encoded paths, over the batch limit) it leaves to tRPC.
    expect(report.requests).toBeGreaterThan(200);
    expect(report.servedLean).toBeGreaterThan(report.requests / 2);
    expect(report.adapterServedLean).toBe(0);
  }, 120_000);

  it('validates output as tRPC does: only what the schema names, and a 500 for an answer that fails it, alone and in a batch', async () => {
    const redis = await startRedis();
    const stack = await startStack(server, { env: { REDIS_URL: redis.url } });
    try {
      const adapter = await stack.addInstance({ env: { TRPC_LEAN_PATH: 'false' } });
      const alice = new Browser();
      await login(stack, alice, 'alice');
      const cookie = await alice.jar.getCookieString(`${stack.apiUrl}/`);
      const cases = [
        { name: 'stripped', method: 'GET', path: 'outputs.stripped' },
        { name: 'invalid', method: 'GET', path: 'outputs.invalid' },
        { name: 'both', method: 'GET', path: 'outputs.stripped,outputs.invalid', batch: true, input: '{}' },
      ] as const;
      const [stripped, invalid, both] = await Promise.all(cases.map((request) => answer(stack.apiUrl, request, cookie)));
      expect(stripped?.status).toBe(200);
      expect(stripped?.body).toEqual({ result: { data: { sub: 'alice' } } });
      expect(invalid?.status).toBe(500);
      expect(invalid?.body).toMatchObject({ error: { data: { code: 'INTERNAL_SERVER_ERROR', path: 'outputs.invalid' } } });
      expect(both?.status).toBe(207);
      for (const [index, request] of cases.entries())
        expect([request.name, await answer(adapter.apiUrl, request, cookie)]).toEqual([request.name, [stripped, invalid, both][index]]);
      // The three requests to the first instance were the lean path's.
      expect(stack.logs.filter((line) => line.includes('"trpc":"lean"'))).toHaveLength(cases.length);
    } finally {
      await stack.close();
      await redis.stop();
    }
  }, 60_000);

  it('refuses a call over the per-session limit alike, Retry-After included', async () => {
    const redis = await startRedis();
    const stack = await startStack(server, { env: { REDIS_URL: redis.url, RATE_LIMIT_CALLS_PER_MINUTE: '3' } });
    try {
      const adapter = await stack.addInstance({ env: { TRPC_LEAN_PATH: 'false' } });
      const alice = new Browser();
      await login(stack, alice, 'alice');
      const cookie = await alice.jar.getCookieString(`${stack.apiUrl}/`);
      const me = { name: 'me', method: 'GET', path: 'me' } as const;
      for (let i = 0; i < 3; i++) expect((await answer(stack.apiUrl, me, cookie)).status).toBe(200);
      const lean = await answer(stack.apiUrl, me, cookie);
      const reference = await answer(adapter.apiUrl, me, cookie);
      expect(lean.status).toBe(429);
      const seconds = (a: typeof lean) => Number(a.headers['retry-after']);
      // Both read the same window in Redis, a moment apart: the same second, or the next.
      expect(Math.abs(seconds(lean) - seconds(reference))).toBeLessThanOrEqual(1);
      expect(seconds(lean)).toBeGreaterThan(0);
      const withoutRetry = (a: typeof lean) => ({ ...a, headers: { ...a.headers, 'retry-after': null } });
      expect(withoutRetry(lean)).toEqual(withoutRetry(reference));
    } finally {
      await stack.close();
      await redis.stop();
    }
  }, 60_000);
});
