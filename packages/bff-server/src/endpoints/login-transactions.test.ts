import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Cookie } from 'tough-cookie';
import { Browser, call, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { MAX_RETURN_TO_LENGTH } from './return-to.js';
import { MAX_PENDING_LOGIN_BYTES, MAX_PENDING_LOGINS } from '../session/transaction-cookies.js';

// Many logins in a row from one address: the per-address limit (S17) is tested elsewhere.
const env = { RATE_LIMIT_LOGIN_PER_MINUTE: '100000' };
const SECURE_FRONT = 'https://app.example.test';

let stack: Stack<Api>;
/** BACK_URL is public https while the API listens on plain http, as behind a TLS-terminating proxy. */
let secure: Stack<Api>;
beforeAll(async () => {
  [stack, secure] = await Promise.all([
    startStack(server, { env }),
    startStack(server, { env: { ...env, BACK_URL: 'https://api.example.test', FRONT_URL: SECURE_FRONT } }),
  ]);
});
afterAll(() => Promise.all([stack.close(), secure.close()]));

const TX = /^(?:__Host-|__Secure-)?bff_session_tx_([^=]+)=/;

function longestReturnTo(front: string): string {
  return `${front}/${'p'.repeat(MAX_RETURN_TO_LENGTH - front.length - 1)}`;
}

/** Starts a login and stops before the IdP: its state (from the transaction cookie's name), its Set-Cookie and the IdP URL. */
async function startLogin(browser: Browser, returnTo: string, on: Stack<Api> = stack) {
  const res = await browser.fetch(`${on.apiUrl}/api/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(res.status).toBe(302);
  const setCookie = res.headers.getSetCookie().find((c) => TX.test(c)) ?? '';
  return { state: TX.exec(setCookie)?.[1] ?? '', setCookie, authorize: new URL(res.headers.get('location') ?? '') };
}

/**
 * Walks the IdP (signing in at its form if it shows one) up to its redirect to our
 * callback, and returns that callback on the address the API listens at, without following it.
 */
async function callbackUrlFor(browser: Browser, authorize: URL, on: Stack<Api> = stack, user = 'alice'): Promise<string> {
  const redirectUri = on.api.config.oidc.redirectUri.href;
  let url = authorize.href;
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(redirectUri)) return `${on.apiUrl}${url.slice(new URL(redirectUri).origin.length)}`;
    let res = await browser.fetch(url);
    if (res.status === 200) {
      const action = /action="([^"]+)"/.exec(await res.text())?.[1] ?? '';
      res = await browser.fetch(new URL(action, url).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login: user, password: user }).toString(),
      });
    } else {
      await res.body?.cancel();
    }
    url = new URL(res.headers.get('location') ?? '', url).href;
  }
  throw new Error('the IdP never redirected to the callback');
}

/** Whether a response hands the browser a session. */
function signsIn(res: Response, on: Stack<Api> = stack): boolean {
  const name = on.api.sessions.cookieName;
  return res.headers.getSetCookie().some((c) => c.startsWith(`${name}=`) && !c.startsWith(`${name}=;`));
}

function loginError(res: Response, front = FRONT): string | null {
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.origin).toBe(front);
  return location.searchParams.get('auth_error');
}

/** A request with exactly this Cookie header, as another page or a crafted client could send it. */
function fetchWithCookie(url: string, cookie: string): Promise<Response> {
  return fetch(url, { headers: { cookie }, redirect: 'manual' });
}

describe('login transactions are bounded per browser (S27, S1)', () => {
  it('signs in after 20 abandoned logins with the longest returnTo (was a 431 at the callback)', async () => {
    const browser = new Browser();
    for (let i = 0; i < 20; i++) await startLogin(browser, longestReturnTo(FRONT));
    expect(await login(stack, browser, 'alice', 'alice', `${FRONT}/chat`)).toBe(`${FRONT}/chat`);
    expect((await call(stack, browser, 'me')).status).toBe(200);
    // What the browser sends the API on every request stays far below what servers and proxies accept.
    const sent = await browser.jar.getCookieString(`${stack.apiUrl}/api/callback`);
    expect(sent.length).toBeLessThan(6 * 1024);
  });

  it('keeps what the browser sends bounded, whatever the number of logins', async () => {
    const browser = new Browser();
    for (let i = 0; i < 20; i++) {
      await startLogin(browser, longestReturnTo(FRONT));
      expect((await browser.jar.getCookieString(`${stack.apiUrl}/api/callback`)).length).toBeLessThanOrEqual(MAX_PENDING_LOGIN_BYTES);
    }
    for (let i = 0; i < 20; i++) await startLogin(browser, `${FRONT}/chat`);
    const pending = (await browser.jar.getCookies(`${stack.apiUrl}/api/callback`)).filter((c) => c.key.startsWith('bff_session_tx_'));
    expect(pending).toHaveLength(MAX_PENDING_LOGINS);
  });

  it('clears, at the next login, transaction cookies that do not open', async () => {
    const browser = new Browser();
    const planted = `bff_session_tx_${'A'.repeat(43)}`;
    await browser.jar.setCookie(`${planted}=${'x'.repeat(3000)}; Path=/`, `${stack.apiUrl}/`);
    await startLogin(browser, `${FRONT}/chat`);
    expect(await browser.cookie(`${stack.apiUrl}/`, planted)).toBeUndefined();
  });

  it('completes two logins started at once in one browser, each back to its own page', async () => {
    const browser = new Browser();
    const [one, two] = await Promise.all([startLogin(browser, `${FRONT}/one`), startLogin(browser, `${FRONT}/two`)]);
    const cb1 = await callbackUrlFor(browser, one.authorize);
    const cb2 = await callbackUrlFor(browser, two.authorize);
    expect((await browser.fetch(cb2)).headers.get('location')).toBe(`${FRONT}/two`);
    expect((await browser.fetch(cb1)).headers.get('location')).toBe(`${FRONT}/one`);
  });

  it('completes a login started before a few others that were abandoned', async () => {
    const browser = new Browser();
    const first = await startLogin(browser, `${FRONT}/first`);
    for (let i = 0; i < 2; i++) await startLogin(browser, `${FRONT}/abandoned`);
    const callback = await callbackUrlFor(browser, first.authorize);
    expect((await browser.fetch(callback)).headers.get('location')).toBe(`${FRONT}/first`);
  });
});

describe('a state the BFF did not make is state_mismatch, never a 500 (S27)', () => {
  it.each(['a b', 'a:b', 'a=b', 'a;b', '€', '\0', 'a,b', '"', 'x'.repeat(4000)])('state %j', async (state) => {
    const browser = new Browser();
    await startLogin(browser, `${FRONT}/chat`);
    const res = await browser.fetch(`${stack.apiUrl}/api/callback?code=abc&state=${encodeURIComponent(state)}`);
    expect(loginError(res)).toBe('state_mismatch');
    expect(signsIn(res)).toBe(false);
  });

  it('for any string as state: a login error on the front, nobody signed in', async () => {
    const browser = new Browser();
    await startLogin(browser, `${FRONT}/chat`);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (state) => {
        const res = await browser.fetch(`${stack.apiUrl}/api/callback?${new URLSearchParams({ code: 'abc', state })}`);
        expect(['missing_state', 'state_mismatch']).toContain(loginError(res));
        expect(signsIn(res)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

/** Cookie values cookie-parser turned into objects, numbers or booleans (`j:` JSON cookies). */
const JSON_COOKIES = ['j:{}', 'j:1', 'j:true', 'j:[]', 'j:null', 'j:"x"', 'j:{"__proto__":{"a":1}}'];

/** Characters a Cookie header can carry (visible Latin-1, space and tab; no CR, LF or NUL). */
const headerText = (maxLength: number) =>
  fc.string({
    unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }), fc.constant(0x09)).map((code) => String.fromCharCode(code)),
    maxLength,
  });
const cookieValue = fc.oneof(
  headerText(300),
  fc.constantFrom(...JSON_COOKIES),
  headerText(100).map((json) => `j:${json}`),
  fc.string({ unit: 'grapheme', maxLength: 100 }).map(encodeURIComponent),
);

describe('cookies are read as strings only: a JSON cookie is no session (S27)', () => {
  it.each(JSON_COOKIES)('%s as the session cookie: no session for logout, tRPC and login, and a sign-in replaces it', async (value) => {
    const cookie = `bff_session=${value}`;
    const logout = await fetchWithCookie(`${stack.apiUrl}/api/logout?sid=x`, cookie);
    expect(logout.status).toBe(303);
    expect(logout.headers.get('location')).toBe(`${FRONT}/`);

    const browser = new Browser();
    await browser.jar.setCookie(`${cookie}; Path=/`, `${stack.apiUrl}/`);
    const me = await call(stack, browser, 'me');
    expect(me.status).toBe(401);
    expect(me.body.error.data.reason).toBe('invalid_session');

    expect(await login(stack, browser, 'alice', 'alice', `${FRONT}/chat`)).toBe(`${FRONT}/chat`);
    expect((await call(stack, browser, 'me')).status).toBe(200);
  });

  it.each(JSON_COOKIES)('%s as the transaction cookie is no transaction', async (value) => {
    const browser = new Browser();
    const { state } = await startLogin(browser, `${FRONT}/chat`);
    const res = await fetchWithCookie(`${stack.apiUrl}/api/callback?code=abc&state=${state}`, `bff_session_tx_${state}=${value}`);
    expect(loginError(res)).toBe('state_mismatch');
  });

  it('for any session and transaction cookie values: no 500 from logout, login or callback, and nobody signed in', async () => {
    const browser = new Browser();
    const { state } = await startLogin(browser, `${FRONT}/chat`);
    await fc.assert(
      fc.asyncProperty(cookieValue, cookieValue, headerText(200), async (session, transaction, header) => {
        const cookie = `bff_session=${session}; bff_session_tx_${state}=${transaction}; ${header}`;
        const logout = await fetchWithCookie(`${stack.apiUrl}/api/logout?sid=x`, cookie);
        expect(logout.status).toBe(303);
        const started = await fetchWithCookie(`${stack.apiUrl}/api/login`, cookie);
        expect(started.status).toBe(302);
        const callback = await fetchWithCookie(`${stack.apiUrl}/api/callback?code=abc&state=${state}`, cookie);
        expect(loginError(callback)).toBe('state_mismatch');
        expect(signsIn(callback)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the login transaction is bound to the browser as tightly as cookies allow (S27)', () => {
  it('is a __Host- cookie when BACK_URL is https: Path=/, no Domain, HttpOnly, Secure, SameSite=Lax', async () => {
    const { setCookie, state } = await startLogin(new Browser(), `${SECURE_FRONT}/chat`, secure);
    const cookie = Cookie.parse(setCookie);
    expect(cookie).toMatchObject({ key: `__Host-bff_session_tx_${state}`, path: '/', httpOnly: true, secure: true, sameSite: 'lax', domain: null });
    expect(state).toMatch(/^[\w-]{43}$/);
  });

  it('signs nobody in with a transaction planted under another name or path (cookie tossing)', async () => {
    // The attacker starts a login in their own browser and stops before the callback...
    const attacker = new Browser();
    const { state, setCookie, authorize } = await startLogin(attacker, `${SECURE_FRONT}/chat`, secure);
    const sealed = Cookie.parse(setCookie)?.value ?? '';
    const callback = await callbackUrlFor(attacker, authorize, secure, 'bob');
    // ...then a sibling subdomain (or another port of the host) plants it in the victim's browser.
    const planted = [
      `__Secure-bff_session_tx_${state}=${sealed}`,
      `bff_session_tx_${state}=${sealed}`,
      `__Host-bff_session_tx=${sealed}`,
      `bff_session_tx=${sealed}`,
    ];
    for (const cookie of planted) {
      const res = await fetchWithCookie(callback, cookie);
      expect(loginError(res, SECURE_FRONT)).toBe('state_mismatch');
      expect(signsIn(res, secure)).toBe(false);
    }
    // The same code with the cookie the API set signs in: the refusals above were the name's.
    const own = await fetchWithCookie(callback, `${Cookie.parse(setCookie)?.key}=${sealed}`);
    expect(own.headers.get('location')).toBe(`${SECURE_FRONT}/chat`);
    expect(signsIn(own, secure)).toBe(true);
  });
});
