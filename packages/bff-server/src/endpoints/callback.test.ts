import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server);
});
afterAll(() => stack.close());

/** Starts a login and stops before the IdP; returns the state (from the transaction cookie's name) and the IdP URL. */
async function startLogin(browser: Browser, returnTo = `${FRONT}/chat`, on: Stack<Api> = stack) {
  const res = await browser.fetch(`${on.apiUrl}/api/login?returnTo=${encodeURIComponent(returnTo)}`);
  expect(res.status).toBe(302);
  const authorize = new URL(res.headers.get('location') ?? '');
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('bff_session_tx_')) ?? '';
  return { state: /^bff_session_tx_([^=]+)=/.exec(cookie)?.[1] ?? '', authorize };
}

/**
 * Walks the IdP (signing in at its form if it shows one) up to the redirect to
 * the callback, and returns that callback URL without following it.
 */
async function callbackUrlFor(browser: Browser, authorize: URL): Promise<string> {
  let url = authorize.href;
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(`${stack.apiUrl}/api/callback`)) return url;
    let res = await browser.fetch(url);
    if (res.status === 200) {
      const action = /action="([^"]+)"/.exec(await res.text())?.[1] ?? '';
      res = await browser.fetch(new URL(action, url).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'login=alice&password=alice',
      });
    }
    url = new URL(res.headers.get('location') ?? '', url).href;
  }
  throw new Error('the IdP never redirected to the callback');
}

function loginError(res: Response): string | null {
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.origin).toBe(FRONT);
  return location.searchParams.get('auth_error');
}

describe('the authorization request (S1)', () => {
  it('pushes the authorization request (RFC 9126) when the IdP offers it: the front channel carries only request_uri', async () => {
    const pushes = stack.idpRequests.filter((p) => p === '/request').length;
    const a = await startLogin(new Browser());
    const b = await startLogin(new Browser());
    expect(stack.idpRequests.filter((p) => p === '/request').length - pushes).toBe(2);
    for (const { authorize } of [a, b]) {
      expect([...authorize.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    }
    expect(a.state).toMatch(/^[\w-]{43}$/);
    expect(a.state).not.toBe(b.state);
  });

  it('uses PKCE S256, a fresh state and nonce, and the registered redirect URI', async () => {
    const plain = await startStack(server, { devIdp: { pushedAuthorizationRequests: false } });
    const a = await startLogin(new Browser(), undefined, plain);
    const b = await startLogin(new Browser(), undefined, plain);
    await plain.close();
    for (const { authorize, state } of [a, b]) {
      expect(authorize.searchParams.get('state')).toBe(state);
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${plain.apiUrl}/api/callback`);
      expect(authorize.searchParams.get('response_type')).toBe('code');
    }
    expect(a.state).not.toBe(b.state);
    expect(a.authorize.searchParams.get('nonce')).not.toBe(b.authorize.searchParams.get('nonce'));
  });

  it('keeps the transaction in an encrypted, httpOnly, SameSite=Lax, host-only cookie (Path=/: __Host- needs it when Secure)', async () => {
    const browser = new Browser();
    const { state } = await startLogin(browser);
    const [tx] = await browser.jar.getCookies(`${stack.apiUrl}/api/callback`);
    expect(tx).toMatchObject({ key: `bff_session_tx_${state}`, httpOnly: true, sameSite: 'lax', path: '/', hostOnly: true });
    expect(tx?.value).not.toContain(state);
  });
});

describe('the callback refuses (S2)', () => {
  it('a missing state', async () => {
    expect(loginError(await new Browser().fetch(`${stack.apiUrl}/api/callback?code=abc`))).toBe('missing_state');
  });

  it('a state with no matching transaction', async () => {
    const browser = new Browser();
    await startLogin(browser);
    expect(loginError(await browser.fetch(`${stack.apiUrl}/api/callback?code=abc&state=forged`))).toBe('state_mismatch');
  });

  it('a valid code presented by a browser that did not start the login', async () => {
    const victim = new Browser();
    const { authorize } = await startLogin(victim);
    const callback = await callbackUrlFor(victim, authorize);
    expect(loginError(await new Browser().fetch(callback))).toBe('state_mismatch');
  });

  it('a replayed code', async () => {
    const browser = new Browser();
    const { authorize, state } = await startLogin(browser);
    const callback = await callbackUrlFor(browser, authorize);
    const sealed = await browser.cookie(`${stack.apiUrl}/api/callback`, `bff_session_tx_${state}`);
    const first = await browser.fetch(callback);
    expect(first.headers.get('location')).toBe(`${FRONT}/chat`);
    // even with the transaction cookie put back, the IdP refuses the code a second time
    await browser.jar.setCookie(`bff_session_tx_${state}=${sealed}; Path=/`, `${stack.apiUrl}/api/callback`);
    expect(loginError(await browser.fetch(callback))).toBe('code_rejected');
  });

  it('an error response from the IdP, without forwarding its text', async () => {
    const browser = new Browser();
    const { state } = await startLogin(browser);
    const res = await browser.fetch(`${stack.apiUrl}/api/callback?error=access_denied&error_description=%3Cscript%3E&state=${state}`);
    expect(loginError(res)).toBe('access_denied');
    expect(res.headers.get('location')).not.toContain('script');
  });

  it('a tampered transaction cookie', async () => {
    const browser = new Browser();
    const { state } = await startLogin(browser);
    await browser.jar.setCookie(`bff_session_tx_${state}=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.BBBB.CCCC; Path=/`, `${stack.apiUrl}/api/callback`);
    expect(loginError(await browser.fetch(`${stack.apiUrl}/api/callback?code=abc&state=${state}`))).toBe('state_mismatch');
  });
});

describe('two tabs signing in at once', () => {
  it('completes both logins, each back to its own page', async () => {
    const browser = new Browser();
    const tab1 = await startLogin(browser, `${FRONT}/one`);
    const tab2 = await startLogin(browser, `${FRONT}/two`);
    const cb1 = await callbackUrlFor(browser, tab1.authorize);
    const cb2 = await callbackUrlFor(browser, tab2.authorize);
    expect((await browser.fetch(cb2)).headers.get('location')).toBe(`${FRONT}/two`);
    expect((await browser.fetch(cb1)).headers.get('location')).toBe(`${FRONT}/one`);
  });
});

describe('auth routes', () => {
  it('are never cached', async () => {
    const res = await new Browser().fetch(`${stack.apiUrl}/api/login`);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('still work after a login (sanity: the helper signs in)', async () => {
    expect(await login(stack, new Browser(), 'alice', 'alice', '/profile')).toBe(`${FRONT}/profile`);
  });
});
