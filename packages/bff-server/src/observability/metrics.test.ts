import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS } from '@oidc-bff/protocol';
import {
  Browser,
  call,
  freePort,
  login,
  openStream,
  signOutAtIdp,
  startPrometheus,
  startRedis,
  startStack,
  type PrometheusServer,
  type RedisServer,
  type Sample,
  type Stack,
} from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import { testRouter } from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { quantile } from './metrics.js';

/**
 * Prometheus metrics (S31) of two API instances on one real Redis, scraped every second by a
 * real Prometheus, after a journey through both: the counts are found through Prometheus's
 * HTTP API across both instances, no label holds anything of a user or a session, and the
 * public port never serves the metrics.
 */
let redis: RedisServer;
let stack: Stack<Api>;
let b: Awaited<ReturnType<Stack<Api>['addInstance']>>;
let prometheus: PrometheusServer;
let metricsA: number;
let metricsB: number;
const A = () => ({ apiUrl: stack.apiUrl });
const B = () => ({ apiUrl: b.apiUrl });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alerts = fileURLToPath(new URL('../../../../deploy/prometheus/alerts.yml', import.meta.url));

beforeAll(async () => {
  redis = await startRedis();
  metricsA = await freePort();
  metricsB = await freePort();
  stack = await startStack(server, {
    env: { REDIS_URL: redis.url, METRICS_PORT: String(metricsA), TRPC_MAX_STREAMS_PER_SESSION: '1' },
    accessTokenTtl: 3,
  });
  b = await stack.addInstance({ env: { METRICS_PORT: String(metricsB) } });
  prometheus = await startPrometheus({ targets: [`127.0.0.1:${metricsA}`, `127.0.0.1:${metricsB}`], ruleFiles: [alerts] });
}, 60_000);
afterAll(async () => {
  await prometheus?.stop();
  await stack?.close();
  await redis?.stop();
});

const total = (samples: Sample[]) => samples.reduce((sum, sample) => sum + sample.value, 0);
/** Waits until the sum over both instances is `expected`, and returns the per-instance samples. */
const sumIs = (promql: string, expected: number) => prometheus.waitFor(promql, (samples) => total(samples) === expected);

/** What must never show in a label: the cookie, its handle, the session's ids, tokens and the user. */
async function secretsOf(browser: Browser): Promise<string[]> {
  const cookie = (await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '';
  const id = stack.api.sessions.idOf(cookie) ?? '';
  const session = await stack.api.sessions.reload(id);
  if (!session?.refreshToken) throw new Error('no session to take secrets from');
  return [cookie, cookie.split('.')[0] ?? '', id, stack.api.sessions.publicIdOf(id), session.accessToken, session.refreshToken, session.idToken, session.sub];
}

describe('Prometheus scraping two instances', () => {
  const secrets: string[] = [];
  let meOk = 0;

  it('finds the journey counted across both: sign-ins, a failed one, calls, a refresh, streams, logout and back-channel logout', async () => {
    const alice = new Browser();
    const bob = new Browser();
    // Both callbacks land on A (the registered redirect URI is BACK_URL).
    await login(A(), alice, 'alice');
    await login(A(), bob, 'bob');
    secrets.push(...(await secretsOf(alice)), ...(await secretsOf(bob)));

    // A failed sign-in on B (a state this BFF never issued) and one without state on A.
    const forged = await fetch(`${b.apiUrl}${API_PATHS.callback}?state=not-ours&code=stolen`, { redirect: 'manual' });
    expect(new URL(forged.headers.get('location') ?? '').searchParams.get('auth_error')).toBe('state_mismatch');
    const bare = await fetch(`${stack.apiUrl}${API_PATHS.callback}`, { redirect: 'manual' });
    expect(new URL(bare.headers.get('location') ?? '').searchParams.get('auth_error')).toBe('missing_state');

    for (const target of [A(), A(), A(), B(), B()]) {
      expect((await call(target, alice, 'me')).status).toBe(200);
      meOk += 1;
    }
    expect((await call(B(), new Browser(), 'me')).status).toBe(401);
    expect((await call(B(), bob, 'chat.send', { mutation: true, input: { text: 'hello' } })).status).toBe(200);

    // A live stream on B, then a second one its session may not hold (TRPC_MAX_STREAMS_PER_SESSION=1).
    const stream = await openStream(B(), bob, 'chat.onMessage');
    expect(stream.response.status).toBe(200);
    await prometheus.waitFor(`bff_streams_open{instance="127.0.0.1:${metricsB}"}`, (s) => s[0]?.value === 1);
    const refused = await openStream(B(), bob, 'chat.onMessage');
    await refused.close();
    await stream.close();

    // The access tokens live 3 s: alice's next call on B refreshes hers.
    await sleep(3500);
    expect((await call(B(), alice, 'me')).status).toBe(200);
    meOk += 1;

    // Alice signs out through B; bob at the IdP, which posts a logout token to A.
    const me = await call(B(), alice, 'me');
    meOk += 1;
    await alice.fetch(String(me.body.result.data.logoutUrl).replace(stack.apiUrl, b.apiUrl));
    await signOutAtIdp(bob, `${stack.idpUrl}/session/end`);
    expect((await call(A(), bob, 'me')).status).toBe(401);

    await sumIs('bff_logins_total{outcome="success"}', 2);
    await sumIs('bff_logins_total{outcome="state_mismatch"}', 1);
    await sumIs('bff_logins_total{outcome="missing_state"}', 1);
    // Every instance has every outcome's series from the start, at zero if nothing happened there.
    const onB = await prometheus.query(`bff_logins_total{instance="127.0.0.1:${metricsB}",outcome="success"}`);
    expect(onB.map((s) => s.value)).toEqual([0]);

    await sumIs('bff_procedure_duration_seconds_count{procedure="me",outcome="ok"}', meOk);
    await sumIs('bff_procedure_duration_seconds_count{procedure="me",outcome="unauthorized"}', 2);
    await sumIs('bff_procedure_duration_seconds_count{procedure="chat.send",outcome="ok"}', 1);
    await sumIs('bff_http_requests_total{route="me",code="200"}', meOk);
    await sumIs('bff_http_requests_total{route="me",code="401"}', 2);
    await sumIs(`bff_http_requests_total{route="${API_PATHS.callback}",code="302"}`, 4);
    const perInstance = await prometheus.query('sum by (instance) (bff_http_requests_total{route="me"})');
    expect(perInstance.map((s) => s.labels['instance']).sort()).toEqual([`127.0.0.1:${metricsA}`, `127.0.0.1:${metricsB}`].sort());

    await prometheus.waitFor('sum(bff_token_refresh_total{outcome="renewed"})', (s) => (s[0]?.value ?? 0) >= 1);
    await prometheus.waitFor('sum(bff_token_refresh_duration_seconds_count{outcome="renewed"})', (s) => (s[0]?.value ?? 0) >= 1);
    await sumIs('bff_token_refresh_total{outcome="failed"}', 0);

    await sumIs('bff_logouts_total{kind="user"}', 1);
    await sumIs('bff_logouts_total{kind="back_channel"}', 1);
    await sumIs('bff_streams_open', 0);
    await sumIs('bff_streams_refused_total', 1);
  }, 90_000);

  it('counts the dependencies on each instance: up, and the calls made to them', async () => {
    for (const dependency of ['idp', 'session_store']) {
      const up = await prometheus.waitFor(`bff_dependency_up{dependency="${dependency}"}`, (s) => s.length === 2 && s.every((x) => x.value === 1));
      expect(up).toHaveLength(2);
      const calls = await prometheus.waitFor(
        `sum by (instance) (bff_dependency_duration_seconds_count{dependency="${dependency}",outcome="ok"})`,
        (s) => s.length === 2,
      );
      expect(calls.every((s) => s.value > 0)).toBe(true);
    }
    // No directory is configured: no series claims one.
    expect(await prometheus.query('bff_dependency_up{dependency="directory"}')).toEqual([]);
  });

  it('reports the deployment-wide session count from both instances, and Node process metrics from each', async () => {
    const live = await stack.api.sessions.count();
    const active = await prometheus.waitFor('bff_sessions_active', (s) => s.length === 2 && s.every((x) => x.value === live));
    expect(active.map((s) => s.value)).toEqual([live, live]);
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds']) {
      expect(await prometheus.query(`count(${name})`), name).toEqual([{ labels: {}, value: 2 }]);
    }
    expect(total(await prometheus.query('up{job="bff"}'))).toBe(2);
  });

  it('loads the deployment alert rules, all healthy, none firing', async () => {
    const data = (await prometheus.api('rules')) as { groups: Array<{ rules: Array<{ name: string; health: string; state: string }> }> };
    const rules = data.groups.flatMap((group) => group.rules);
    expect(rules.map((rule) => rule.name)).toEqual(
      expect.arrayContaining(['BffIdpDown', 'BffSessionStoreDown', 'BffLoginFailureRate', 'BffRefreshFailures', 'BffStreamExhaustion']),
    );
    expect(rules.filter((rule) => rule.health !== 'ok')).toEqual([]);
    expect(rules.filter((rule) => rule.state === 'firing')).toEqual([]);
  });

  it('keeps labels bounded: no token, cookie, sub or session id, and no route a client made up', async () => {
    // Paths a client chooses: they must be counted under names the BFF defines.
    await fetch(`${stack.apiUrl}${API_PATHS.trpc}/${secrets[0] ?? 'x'}.steal?input=${encodeURIComponent(secrets[4] ?? '')}`);
    await fetch(`${stack.apiUrl}/api/logout/${secrets[3] ?? 'x'}`);
    await fetch(`${stack.apiUrl}${API_PATHS.trpc}/me,chat.history?batch=1`);
    await sumIs('bff_http_requests_total{route="unmatched"}', 1);

    const texts = await Promise.all([metricsA, metricsB].map((port) => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text())));
    const series = (await prometheus.api(`series?${new URLSearchParams({ 'match[]': '{__name__=~"bff_.+"}' })}`)) as Array<Record<string, string>>;
    expect(series.length).toBeGreaterThan(20);
    const values = new Set(
      series.flatMap((labels) =>
        Object.entries(labels)
          .filter(([name]) => name !== '__name__' && name !== 'instance')
          .map(([, value]) => value),
      ),
    );
    expect(secrets.filter(Boolean)).toHaveLength(16);
    for (const secret of secrets) {
      for (const text of texts) expect(text).not.toContain(secret);
      expect([...values].filter((value) => value.includes(secret))).toEqual([]);
    }
    for (const text of texts) expect(text).not.toMatch(/eyJ[\w-]{10,}\.eyJ/);

    const routes = new Set(series.map((labels) => labels['route']).filter((route) => route !== undefined));
    const allowed = new Set<string>([...Object.values(API_PATHS), ...Object.keys(testRouter._def.procedures as object), 'unmatched']);
    expect([...routes].filter((route) => !allowed.has(route))).toEqual([]);
    expect(routes.has(API_PATHS.trpc)).toBe(true);
  });

  it('never serves the metrics on the public port, and nothing else on the metrics port', async () => {
    for (const api of [stack.apiUrl, b.apiUrl]) {
      for (const path of ['/metrics', '/metrics?format=prometheus', '/api/metrics']) {
        const response = await fetch(`${api}${path}`);
        expect(response.status, `${api}${path}`).toBe(404);
        expect(await response.text()).not.toContain('bff_');
      }
    }
    for (const port of [metricsA, metricsB]) {
      expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}${API_PATHS.health}`)).status).toBe(404);
      const scrape = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.headers.get('content-type')).toContain('text/plain');
    }
  });
});

describe('quantile (what the analytics page reads of a histogram)', () => {
  it('interpolates within the bucket as histogram_quantile does, and stops at the highest finite bound', () => {
    const buckets = [
      [0.1, 5],
      [0.2, 10],
      [Infinity, 10],
    ] as const;
    expect(quantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(quantile(0.75, buckets)).toBeCloseTo(0.15);
    expect(
      quantile(0.5, [
        [0.1, 1],
        [Infinity, 10],
      ]),
    ).toBe(0.1);
    expect(quantile(0.5, [])).toBe(0);
  });
});
