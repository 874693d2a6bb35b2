import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server);
});
afterAll(() => stack.close());

/** Nothing a client receives may carry a stack trace or a token. */
function expectNothingLeaked(text: string) {
  expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
  expect(text).not.toMatch(/eyJ[\w-]{10,}\.eyJ/);
}

describe('login over real HTTP against the development IdP (S1)', () => {
  it('signs alice in and lands on the page she asked for', async () => {
    const browser = new Browser();
    const landed = await login(stack, browser, 'alice', 'alice', `${FRONT}/chat?room=1`);
    expect(landed).toBe(`${FRONT}/chat?room=1`);

    const me = await call(stack, browser, 'me');
    expect(me.status).toBe(200);
    expect(me.body.result.data.user).toEqual({ sub: 'alice', name: 'Alice Martin', email: 'alice@example.test', groups: ['analysts'], roles: ['analyst'] });
    expect(new Date(me.body.result.data.session.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(me.body.result.data.logoutUrl).toMatch(new RegExp(`^${stack.apiUrl}/api/logout\\?sid=[\\w-]{16,}$`));
    expectNothingLeaked(me.text);
  });

  it('sets an httpOnly, host-only, SameSite=Lax session cookie holding no token (S6, S7)', async () => {
    const browser = new Browser();
    await login(stack, browser, 'bob');
    const cookies = await browser.jar.getCookies(`${stack.apiUrl}/`);
    const session = cookies.find((c) => c.key === 'bff_session');
    expect(session).toMatchObject({ httpOnly: true, path: '/', sameSite: 'lax', hostOnly: true });
    expect(session?.value).not.toMatch(/^eyJ/);
    expect(session?.value.length).toBeLessThan(200);
    // the login transaction cookie is gone once used
    expect(cookies.filter((c) => c.key.includes('_tx_'))).toEqual([]);
  });

  it('lands on the front home when no returnTo is given', async () => {
    expect(await login(stack, new Browser(), 'bob')).toBe(`${FRONT}/`);
  });

  it('refuses a wrong password and an unknown user at the IdP', async () => {
    await expect(login(stack, new Browser(), 'alice', 'wrong')).rejects.toThrow(/the IdP refused alice \(status 401\)/);
    await expect(login(stack, new Browser(), 'mallory', 'mallory')).rejects.toThrow(/the IdP refused mallory \(status 401\)/);
  });

  it('sends the return URL only to allowed fronts (S3)', async () => {
    expect(await login(stack, new Browser(), 'bob', 'bob', '//evil.example/steal')).toBe(`${FRONT}/`);
  });
});

describe('authorization by group (S13)', () => {
  it('serves analytics to analysts and refuses it to others with FORBIDDEN', async () => {
    const alice = new Browser();
    await login(stack, alice, 'alice');
    const allowed = await call(stack, alice, 'analytics');
    expect(allowed.status).toBe(200);
    const data = allowed.body.result.data;
    expect(data.activeSessions).toBeGreaterThanOrEqual(1);

    const bob = new Browser();
    await login(stack, bob, 'bob');
    const refused = await call(stack, bob, 'analytics');
    expect(refused.status).toBe(403);
    expect(refused.body.error.data).toMatchObject({ code: 'FORBIDDEN', reason: 'forbidden' });
    expectNothingLeaked(refused.text);
  });
});

describe('chat', () => {
  it('round-trips a message whose author comes from the session, never from the input', async () => {
    const alice = new Browser();
    await login(stack, alice, 'alice');
    const sent = await call(stack, alice, 'chat.send', { mutation: true, input: { text: 'hello bob', author: { sub: 'bob', name: 'Bob Durand' } } });
    expect(sent.status).toBe(200);
    expect(sent.body.result.data).toMatchObject({ text: 'hello bob', author: { sub: 'alice', name: 'Alice Martin' } });

    const bob = new Browser();
    await login(stack, bob, 'bob');
    const history = await call(stack, bob, 'chat.history', { input: { limit: 10 } });
    expect(history.status).toBe(200);
    const last = history.body.result.data.at(-1);
    expect(last).toEqual({ id: sent.body.result.data.id, text: 'hello bob', author: { sub: 'alice', name: 'Alice Martin' } });
  });

  it('answers invalid input with BAD_REQUEST and no stack trace', async () => {
    const alice = new Browser();
    await login(stack, alice, 'alice');
    for (const input of [{ text: '' }, { text: 42 }, {}, { text: 'x'.repeat(5000) }]) {
      const res = await call(stack, alice, 'chat.send', { mutation: true, input });
      expect(res.status).toBe(400);
      expect(res.body.error.data.code).toBe('BAD_REQUEST');
      expectNothingLeaked(res.text);
    }
    const badLimit = await call(stack, alice, 'chat.history', { input: { limit: 10_000 } });
    expect(badLimit.body.error.data.code).toBe('BAD_REQUEST');
  });
});

describe('logout (S4)', () => {
  it('ends the session through the logoutUrl and the IdP end-session endpoint; the old cookie is refused', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    const oldCookie = await browser.cookie(`${stack.apiUrl}/`, 'bff_session');
    const { logoutUrl } = (await call(stack, browser, 'me')).body.result.data;

    const res = await browser.fetch(logoutUrl);
    expect(res.status).toBe(303);
    const target = new URL(res.headers.get('location') ?? '');
    expect(`${target.origin}${target.pathname}`).toBe(`${stack.idpUrl}/session/end`);
    expect(target.searchParams.get('id_token_hint')).toMatch(/^eyJ/);
    expect(target.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.apiUrl}/api/logout/return`);
    expect(target.searchParams.get('state')).toBeTruthy();
    expect(await browser.cookie(`${stack.apiUrl}/`, 'bff_session')).toBeUndefined();

    const replay = new Browser();
    await replay.jar.setCookie(`bff_session=${oldCookie}`, `${stack.apiUrl}/`);
    const me = await call(stack, replay, 'me');
    expect(me.status).toBe(401);
    expect(me.body.error.data.reason).toBe('invalid_session');
  });

  it('logs nobody out without the session sid, by GET or by a forged form POST', async () => {
    const browser = new Browser();
    await login(stack, browser, 'bob');
    const withoutSid = await browser.fetch(`${stack.apiUrl}/api/logout`);
    expect(withoutSid.status).toBe(403);
    const wrongSid = await browser.fetch(`${stack.apiUrl}/api/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: 'sid=guess',
    });
    expect(wrongSid.status).toBe(403);
    expect((await call(stack, browser, 'me')).status).toBe(200);
  });

  it('accepts the sid in a form POST from the app', async () => {
    const browser = new Browser();
    await login(stack, browser, 'bob');
    const { logoutUrl } = (await call(stack, browser, 'me')).body.result.data;
    const sid = new URL(logoutUrl).searchParams.get('sid') ?? '';
    const res = await browser.fetch(`${stack.apiUrl}/api/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: FRONT },
      body: new URLSearchParams({ sid }).toString(),
    });
    expect(res.status).toBe(303);
    expect((await call(stack, browser, 'me')).body.error.data.reason).toBe('no_session');
  });

  it('sends a browser without a session straight back to the front', async () => {
    const res = await new Browser().fetch(`${stack.apiUrl}/api/logout?sid=anything`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${FRONT}/`);
  });
});

describe('unauthenticated calls (S14)', () => {
  it('gets 401 with reason no_session, never a redirect', async () => {
    const res = await call(stack, new Browser(), 'me');
    expect(res.status).toBe(401);
    expect(res.body.error.data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'no_session' });
    expectNothingLeaked(res.text);
  });

  it('tells a tampered cookie from an unknown one and from none', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    const value = (await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '';
    const [id, sig] = value.split('.');
    for (const forged of [`${id}.${'A'.repeat(sig?.length ?? 43)}`, `${'B'.repeat(id?.length ?? 43)}.${sig}`, 'garbage', id ?? '']) {
      const other = new Browser();
      await other.jar.setCookie(`bff_session=${forged}`, `${stack.apiUrl}/`);
      const res = await call(stack, other, 'me');
      expect(res.status).toBe(401);
      expect(res.body.error.data.reason).toBe('invalid_session');
    }
  });
});

describe('health (S18)', () => {
  it('reports ready once the IdP is discovered', async () => {
    const res = await fetch(`${stack.apiUrl}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', idp: 'discovered', sessionStore: 'memory' });
  });

  it('never logs a token, a cookie value or a secret', () => {
    const logs = stack.logs.join('\n');
    expect(logs).not.toMatch(/eyJ[\w-]{10,}/);
    for (const secret of stack.api.config.session.secrets) expect(logs).not.toContain(secret);
    expect(logs).not.toContain(stack.api.config.oidc.clientSecret);
    expect(logs).toContain('auth.login');
  });
});
