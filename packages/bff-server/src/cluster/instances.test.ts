import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, login, openStream, signOutAtIdp, startRedis, startStack, type RedisServer, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

/**
 * Several API instances on one real Redis behave as one (S19–S21): a session made on
 * one is known to the other, logout and back-channel logout end it everywhere, live
 * chat crosses instances, a refresh race across instances yields one refresh grant,
 * and a Redis outage is a 503, never a logout.
 */
let redis: RedisServer;
let stack: Stack<Api>;
let b: Awaited<ReturnType<Stack<Api>['addInstance']>>;
const A = () => ({ apiUrl: stack.apiUrl });
const B = () => ({ apiUrl: b.apiUrl });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  redis = await startRedis({ persistence: true });
  stack = await startStack(server, { env: { REDIS_URL: redis.url, REDIS_TIMEOUT_MS: '500' }, accessTokenTtl: 3 });
  b = await stack.addInstance();
}, 30_000);
afterAll(async () => {
  await stack?.close();
  await redis?.stop();
});

async function cookieOf(browser: Browser): Promise<string> {
  return (await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '';
}

describe('two API instances on one Redis', () => {
  it('a session made through A works through B, and logout on B ends it on A at once', async () => {
    const alice = new Browser();
    await login(A(), alice, 'alice');
    const me = await call(B(), alice, 'me');
    expect(me.status).toBe(200);
    expect(me.body.result.data.user.sub).toBe('alice');
    await alice.fetch(me.body.result.data.logoutUrl.replace(stack.apiUrl, b.apiUrl));
    const after = await call(A(), alice, 'me');
    expect(after.status).toBe(401);
  });

  it('keeps nothing readable at rest: no token, no cookie handle, no sub in any key or value', async () => {
    const bob = new Browser();
    await login(A(), bob, 'bob');
    const session = await stack.api.sessions.reload(stack.api.sessions.idOf(await cookieOf(bob)) ?? '');
    expect(session).toBeDefined();
    const handle = (await cookieOf(bob)).split('.')[0] ?? '';
    const keys = (await redis.cli('--scan')).split('\n').filter(Boolean);
    expect(keys.length).toBeGreaterThan(0);
    let dump = keys.join('\n');
    for (const key of keys) {
      const type = await redis.cli('TYPE', key);
      if (type === 'string') dump += await redis.cli('GET', key);
      else if (type === 'hash') dump += await redis.cli('HGETALL', key);
      else if (type === 'zset') dump += await redis.cli('ZRANGE', key, '0', '-1');
      else if (type === 'set') dump += await redis.cli('SMEMBERS', key);
      else if (type === 'stream') dump += await redis.cli('XRANGE', key, '-', '+');
    }
    for (const secret of [session?.accessToken, session?.refreshToken, session?.idToken, handle, session?.idpSid]) {
      expect(secret).toBeTruthy();
      expect(dump).not.toContain(secret);
    }
    // A JWT is two base64url JSON objects and a dot between (ciphertext may contain "eyJ" by chance).
    expect(dump).not.toMatch(/eyJ[\w-]{10,}\.eyJ[\w-]{10,}\./);
  });

  it('back-channel logout received by A closes the live stream held by B', async () => {
    const alice = new Browser();
    await login(A(), alice, 'alice');
    const stream = await openStream(B(), alice, 'chat.onMessage');
    expect(stream.response.status).toBe(200);
    // Signing out at the IdP itself makes it post a logout token to the registered URI (instance A).
    await signOutAtIdp(alice, `${stack.idpUrl}/session/end`);
    const started = Date.now();
    while (!stream.isClosed() && Date.now() - started < 5000) await sleep(50);
    expect(stream.isClosed()).toBe(true);
    expect((await call(B(), alice, 'me')).status).toBe(401);
  });

  it('a message sent through A reaches a stream held by B; a reconnect to A resumes after lastEventId with no gap and no duplicate', async () => {
    const alice = new Browser();
    const bob = new Browser();
    await login(A(), alice, 'alice');
    await login(B(), bob, 'bob');
    const onB = await openStream(B(), bob, 'chat.onMessage');
    const first = await call(A(), alice, 'chat.send', { mutation: true, input: { text: 'one' } });
    expect(first.status).toBe(200);
    const seen = await onB.waitFor((e) => e.data.includes('"one"'));
    expect(seen.id).toBe(first.body.result.data.id);
    await onB.close();

    // While bob is away, two more messages; he comes back to the other instance.
    await call(B(), alice, 'chat.send', { mutation: true, input: { text: 'two' } });
    await call(A(), alice, 'chat.send', { mutation: true, input: { text: 'three' } });
    const onA = await openStream(A(), bob, 'chat.onMessage', { input: { lastEventId: seen.id } });
    await onA.waitFor((e) => e.data.includes('"three"'));
    const texts = onA.events.filter((e) => e.id).map((e) => (JSON.parse(e.data) as { text: string }).text);
    expect(texts).toEqual(['two', 'three']);
    await onA.close();

    const history = await call(B(), bob, 'chat.history', { input: { limit: 3 } });
    expect(history.body.result.data.map((m: { text: string }) => m.text)).toEqual(['one', 'two', 'three']);
  });

  it('40 concurrent calls of one expired session, split across both instances, make exactly one refresh grant (S21)', async () => {
    const alice = new Browser();
    await login(A(), alice, 'alice');
    const before = await stack.api.sessions.reload(stack.api.sessions.idOf(await cookieOf(alice)) ?? '');
    await sleep(3200);
    const grants = stack.idpRequests.filter((p) => p === '/token').length;
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => call(i % 2 === 0 ? A() : B(), alice, 'me')));
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(200));
    expect(stack.idpRequests.filter((p) => p === '/token').length - grants).toBe(1);
    const after = await stack.api.sessions.reload(before?.id ?? '');
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    // The rotated refresh token is the one kept: the next expiry refreshes again, on the other instance.
    await sleep(3200);
    expect((await call(B(), alice, 'chat.history')).status).toBe(200);
    expect((await call(A(), alice, 'me')).status).toBe(200);
  });

  it('Redis down is a 503 with a reason, never a logout; when it returns, the same cookie works', async () => {
    const alice = new Browser();
    await login(A(), alice, 'alice');
    expect((await call(B(), alice, 'me')).status).toBe(200);
    await redis.stop();
    // Each instance may answer from its one-second local copy of the session; then the store is needed.
    await sleep(1100);
    try {
      for (const target of [A(), B()]) {
        const res = await call(target, alice, 'me');
        expect(res.status).toBe(503);
        expect(res.body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'session_store_unavailable' });
      }
      const health = await fetch(`${stack.apiUrl}/api/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ sessionStore: 'unreachable' });
    } finally {
      await redis.start();
    }
    // Each instance reconnects by itself (backoff capped at 2 s).
    for (const target of [A(), B()]) {
      const started = Date.now();
      let res = await call(target, alice, 'me');
      while (res.status !== 200 && Date.now() - started < 10_000) {
        await sleep(200);
        res = await call(target, alice, 'me');
      }
      expect(res.status).toBe(200);
    }
    expect((await fetch(`${b.apiUrl}/api/health`)).status).toBe(200);
  });
  // Last: it uses up this client's sign-in attempts for the minute.
  it('counts limits across instances: mutations per session and sign-in attempts per client', async () => {
    const bob = new Browser();
    await login(A(), bob, 'bob');
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) statuses.push((await call(i % 2 === 0 ? A() : B(), bob, 'chat.send', { mutation: true, input: { text: `n${i}` } })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses[60]).toBe(429);
    const logins: number[] = [];
    for (let i = 0; i < 61; i++) logins.push((await fetch(`${i % 2 === 0 ? stack.apiUrl : b.apiUrl}/api/login`, { redirect: 'manual' })).status);
    expect(logins.filter((s) => s === 429).length).toBeGreaterThan(0);
  });
});
