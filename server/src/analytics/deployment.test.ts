import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, freePort, login, startRedis, startStack, type RedisServer, type Stack } from '@bff/test-kit';
import type { Bff } from '@oidc-bff/server';
import * as server from '../index.js';

/**
 * The analytics page reads the BFF's own metrics, the ones Prometheus scrapes: its figures
 * are checked against each instance's `GET /metrics` (calls per procedure on the instance
 * that answered, live sessions of the deployment, and sign-ins of both instances against the
 * chart, whose per-minute history is kept on the BFF's Redis).
 */
let redis: RedisServer;
let stack: Stack<Bff>;
let b: Awaited<ReturnType<Stack<Bff>['addInstance']>>;
let metricsA: number;
let metricsB: number;
const A = () => ({ apiUrl: stack.apiUrl });
const B = () => ({ apiUrl: b.apiUrl });

beforeAll(async () => {
  redis = await startRedis();
  metricsA = await freePort();
  metricsB = await freePort();
  stack = await startStack(server, { env: { REDIS_URL: redis.url, METRICS_PORT: String(metricsA) } });
  b = await stack.addInstance({ env: { METRICS_PORT: String(metricsB) } });
}, 30_000);
afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});

/** The sum of the samples of `name` whose labels include `labels`, in one instance's scrape. */
async function scraped(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const has = Object.entries(labels).every(([key, value]) => (match[2] ?? '').split(',').includes(`${key}="${value}"`));
    if (has) sum += Number(match[3]);
  }
  return sum;
}

describe('analytics on two instances sharing one Redis', () => {
  it('shows the figures the metrics hold: calls of the instance that answered, sessions and sign-ins of the deployment', async () => {
    const alice = new Browser();
    await login(B(), alice, 'alice');
    const bob = new Browser();
    await login(A(), bob, 'bob');
    for (let i = 0; i < 3; i++) expect((await call(A(), alice, 'me')).status).toBe(200);
    const fromA = (await call(A(), alice, 'analytics')).body.result.data;
    const fromB = (await call(B(), alice, 'analytics')).body.result.data;
    expect(fromA.instance).toBe('a');
    expect(fromB.instance).toBe('b');

    // Calls: this instance's, as its histogram counts them.
    expect(fromA.procedures.find((p: { path: string }) => p.path === 'me')).toMatchObject({ calls: 3, errors: 0 });
    expect(await scraped(metricsA, 'bff_procedure_duration_seconds_count', { procedure: 'me' })).toBe(3);
    expect(fromB.procedures.find((p: { path: string }) => p.path === 'me')).toBeUndefined();
    const me = fromA.procedures.find((p: { path: string }) => p.path === 'me');
    expect(me.p50Ms).toBeGreaterThan(0);
    expect(me.p95Ms).toBeGreaterThanOrEqual(me.p50Ms);

    // Sessions: the deployment's, the same on both instances and in both scrapes.
    expect(fromA.activeSessions).toBe(2);
    expect(fromB.activeSessions).toBe(2);
    expect(await scraped(metricsA, 'bff_sessions_active')).toBe(2);
    expect(await scraped(metricsB, 'bff_sessions_active')).toBe(2);

    // Sign-ins: the chart's (deployment-wide) total is the sum of both instances' counters.
    const total = (d: { loginsPerMinute: { counts: number[] } }) => d.loginsPerMinute.counts.reduce((n, count) => n + count, 0);
    expect(total(fromA)).toBe(total(fromB));
    const counted =
      (await scraped(metricsA, 'bff_logins_total', { outcome: 'success' })) + (await scraped(metricsB, 'bff_logins_total', { outcome: 'success' }));
    expect(counted).toBe(2);
    expect(total(fromA)).toBe(counted);
  });
});
