import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, login, startRedis, startStack, type RedisServer, type Stack } from '@bff/test-kit';
import type { Bff } from '@oidc-bff/server';
import * as server from '../index.js';

/**
 * The analytics page reads deployment-wide figures: sign-ins and sessions are counted on
 * the BFF's Redis (the app's own stores on `infra.redis`), calls per instance.
 */
let redis: RedisServer;
let stack: Stack<Bff>;
let b: Awaited<ReturnType<Stack<Bff>['addInstance']>>;
const A = () => ({ apiUrl: stack.apiUrl });
const B = () => ({ apiUrl: b.apiUrl });

beforeAll(async () => {
  redis = await startRedis();
  stack = await startStack(server, { env: { REDIS_URL: redis.url } });
  b = await stack.addInstance();
}, 30_000);
afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});

describe('analytics on two instances sharing one Redis', () => {
  it('analytics counts sign-ins and sessions of the whole deployment and names the instance that answered', async () => {
    const alice = new Browser();
    await login(B(), alice, 'alice');
    const fromA = (await call(A(), alice, 'analytics')).body.result.data;
    const fromB = (await call(B(), alice, 'analytics')).body.result.data;
    expect(fromA.instance).toBe('a');
    expect(fromB.instance).toBe('b');
    expect(fromA.activeSessions).toBe(fromB.activeSessions);
    const total = (d: { loginsPerMinute: Array<{ count: number }> }) => d.loginsPerMinute.reduce((n, m) => n + m.count, 0);
    expect(total(fromA)).toBe(total(fromB));
    expect(total(fromA)).toBeGreaterThanOrEqual(1);
  });
});
