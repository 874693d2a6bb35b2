import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attemptLogin, Browser, call, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { Introspector, type IntrospectionResponse } from './introspection.js';

const INTROSPECTION_PATH = '/token/introspection';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('opaque access tokens checked by introspection (RFC 7662), against the dev IdP issuing opaque tokens', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, {
      devIdp: { accessTokenFormat: 'opaque' },
      env: { OIDC_ACCESS_TOKEN_VERIFY: 'introspection', OIDC_INTROSPECTION_CACHE_TTL: '1' },
    });
  });
  afterAll(() => stack.close());

  const introspections = () => stack.idpRequests.filter((path) => path === INTROSPECTION_PATH).length;
  async function accessTokenOf(browser: Browser): Promise<string> {
    const cookie = (await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '';
    return (await stack.api.sessions.reload(stack.api.sessions.idOf(cookie) ?? ''))?.accessToken ?? '';
  }

  it('signs in and answers me, with groups from the introspection response', async () => {
    const alice = new Browser();
    expect(await login(stack, alice, 'alice')).not.toContain('auth_error');
    expect((await accessTokenOf(alice)).split('.')).toHaveLength(1);
    const me = await call(stack, alice, 'me');
    expect(me.status).toBe(200);
    expect(me.body.result.data.user).toMatchObject({ sub: 'alice', groups: ['analysts'], roles: ['analyst'] });
  });

  it('asks the IdP at most once per token and TTL for 30 concurrent calls', async () => {
    const bob = new Browser();
    await login(stack, bob, 'bob');
    await sleep(1100);
    const before = introspections();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 30 }, () => call(stack, bob, 'me')));
    const elapsed = Date.now() - started;
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    // An answer is kept for the TTL (1 s here) from when it arrives, so a burst that a loaded
    // machine stretches past the TTL rightly asks again: once per TTL the burst spans. Without
    // the shared request, the 30 calls would each ask (they all arrive before the first answer).
    expect(introspections() - before).toBeGreaterThanOrEqual(1);
    expect(introspections() - before).toBeLessThanOrEqual(1 + Math.floor(elapsed / 1000));
  });

  it('stops accepting a token revoked at the IdP within the cache TTL, with invalid_token', async () => {
    const alice = new Browser();
    await login(stack, alice, 'alice');
    expect((await call(stack, alice, 'chat.history')).status).toBe(200);
    const revoked = await fetch(`${stack.idpUrl}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: await accessTokenOf(alice),
        token_type_hint: 'access_token',
        client_id: stack.api.config.oidc.clientId,
        client_secret: stack.api.config.oidc.clientSecret,
      }).toString(),
    });
    expect(revoked.status).toBe(200);
    await sleep(1100);
    const refused = await call(stack, alice, 'chat.history');
    expect(refused.status).toBe(401);
    expect(refused.body.error.data.reason).toBe('invalid_token');
  });
});

describe('the callback with opaque access tokens', () => {
  it('refuses them with access_token_invalid when the API expects JWTs (OIDC_ACCESS_TOKEN_VERIFY=jwt)', async () => {
    const stack = await startStack(server, { devIdp: { accessTokenFormat: 'opaque' } });
    try {
      expect(await attemptLogin(stack, new Browser(), 'alice')).toMatch(/[?&]auth_error=access_token_invalid$/);
    } finally {
      await stack.close();
    }
  });
});

describe('Introspector', () => {
  const answer = (active: boolean, exp?: number): IntrospectionResponse => ({ active, sub: 'alice', ...(exp === undefined ? {} : { exp }) });

  it('reuses answers for the TTL but never past exp, keeps inactive answers, forgets failures, and stays bounded', async () => {
    let now = 1_000_000;
    const asked: string[] = [];
    const introspector = new Introspector({
      ttlSeconds: 30,
      capacity: 2,
      now: () => now,
      introspect: async (token) => {
        asked.push(token);
        if (token === 'broken') throw new Error('unreachable');
        return token === 'revoked' ? answer(false) : answer(true, now / 1000 + (token === 'short' ? 5 : 3600));
      },
    });
    await introspector.introspect('long');
    await introspector.introspect('long');
    now += 29_000;
    await introspector.introspect('long');
    now += 2_000;
    await introspector.introspect('long');
    expect(asked).toEqual(['long', 'long']);

    await introspector.introspect('short');
    now += 6_000;
    await introspector.introspect('short');
    expect(asked.filter((t) => t === 'short')).toHaveLength(2);

    await expect(introspector.introspect('broken')).rejects.toThrow('unreachable');
    await expect(introspector.introspect('broken')).rejects.toThrow('unreachable');
    expect(asked.filter((t) => t === 'broken')).toHaveLength(2);

    expect((await introspector.introspect('revoked')).active).toBe(false);
    expect((await introspector.introspect('revoked')).active).toBe(false);
    expect(asked.filter((t) => t === 'revoked')).toHaveLength(1);
    expect(introspector.size).toBeLessThanOrEqual(2);
  });

  it('shares one request among concurrent questions about one token, its failure included', async () => {
    let asked = 0;
    let fail = false;
    const introspector = new Introspector({
      ttlSeconds: 30,
      introspect: async () => {
        asked += 1;
        await sleep(20);
        if (fail) throw new Error('unreachable');
        return answer(true, Date.now() / 1000 + 60);
      },
    });
    fail = true;
    const failures = await Promise.allSettled(Array.from({ length: 30 }, () => introspector.introspect('t')));
    expect(failures.every((r) => r.status === 'rejected')).toBe(true);
    expect(asked).toBe(1);
    fail = false;
    const answers = await Promise.all(Array.from({ length: 30 }, () => introspector.introspect('t')));
    expect(answers.every((r) => r.active)).toBe(true);
    expect(asked).toBe(2);
  });
});
