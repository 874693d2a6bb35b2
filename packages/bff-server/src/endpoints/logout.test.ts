import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { Browser, call, FRONT, login, startStack, type Stack, signOutAtIdp } from '@bff/test-kit';
import { LOGOUT_TOKEN_MAX_AGE_SECONDS } from '../oidc/token-verifier.js';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server);
});
afterAll(() => stack.close());

async function loginShowsForm(browser: Browser): Promise<boolean> {
  const landed = await browser.follow(`${stack.apiUrl}/api/login`);
  return landed.response.status === 200 && (await landed.response.text()).includes('name="password"');
}

const sessionCookie = (browser: Browser) => browser.cookie(`${stack.apiUrl}/`, 'bff_session');

describe('logout that holds (S4)', () => {
  it('ends the IdP session and revokes the refresh token: the next login shows the IdP form again', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    expect(await loginShowsForm(browser)).toBe(false); // the IdP session signs her straight back in
    const { logoutUrl } = (await call(stack, browser, 'me')).body.result.data;
    const revocationsBefore = stack.idpRequests.filter((p) => p === '/token/revocation').length;

    const res = await browser.fetch(logoutUrl);
    expect(stack.idpRequests.filter((p) => p === '/token/revocation').length).toBe(revocationsBefore + 1);
    expect(await signOutAtIdp(browser, res.headers.get('location') ?? '')).toBe(`${FRONT}/`);
    expect(await loginShowsForm(browser)).toBe(true);
  });
});

describe('logout that comes back only with state (DEV_IDP_LOGOUT_RETURN=with_state, RP-Initiated Logout 1.0)', () => {
  let strict: Stack<Api>;
  beforeAll(async () => {
    strict = await startStack(server, { devIdp: { logoutReturn: 'with_state' } });
  });
  afterAll(() => strict?.close());

  async function loggedOut(): Promise<{ browser: Browser; endSession: URL }> {
    const browser = new Browser();
    await login(strict, browser, 'alice');
    const { logoutUrl } = (await call(strict, browser, 'me')).body.result.data;
    const res = await browser.fetch(logoutUrl);
    expect(res.status).toBe(303);
    return { browser, endSession: new URL(res.headers.get('location') ?? '') };
  }

  it('sends state and client_id to the end-session endpoint; the IdP returns to the API, which checks the state and lands on the front', async () => {
    const { browser, endSession } = await loggedOut();
    expect(endSession.origin).toBe(strict.idpUrl);
    expect(endSession.searchParams.get('client_id')).toBe(strict.api.config.oidc.clientId);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${strict.apiUrl}/api/logout/return`);
    expect(endSession.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(await signOutAtIdp(browser, endSession.href)).toBe(`${FRONT}/`);
    expect(strict.logs.some((line) => line.includes('auth.logout_returned'))).toBe(true);
    expect((await call(strict, browser, 'me')).status).toBe(401);
  });

  it('without state that IdP keeps the browser on its own page (what broke before)', async () => {
    const { browser, endSession } = await loggedOut();
    endSession.searchParams.delete('state');
    expect(new URL(await signOutAtIdp(browser, endSession.href)).origin).toBe(strict.idpUrl);
  });

  it('a return with a wrong or no state is harmless: logged, the session stays ended, the browser lands on the front', async () => {
    const { browser } = await loggedOut();
    for (const query of ['?state=forged', '']) {
      const res = await browser.fetch(`${strict.apiUrl}/api/logout/return${query}`);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`${FRONT}/`);
    }
    expect(strict.logs.filter((line) => line.includes('auth.logout_state_mismatch'))).toHaveLength(2);
    expect((await call(strict, browser, 'me')).status).toBe(401);
  });
});

describe('back-channel logout (S5)', () => {
  it('ends the API session when the user signs out at the IdP itself', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    expect((await call(stack, browser, 'me')).status).toBe(200);
    await signOutAtIdp(browser, `${stack.idpUrl}/session/end`);
    const me = await call(stack, browser, 'me');
    expect(me.status).toBe(401);
    expect(me.body.error.data.reason).toBe('invalid_session');
    expect(stack.logs.some((l) => l.includes('auth.backchannel_logout') && !l.includes('refused'))).toBe(true);
  });

  describe('verifies the logout token', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const post = (token: string) =>
      fetch(`${stack.apiUrl}/api/backchannel-logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: token }).toString(),
      });

    async function signedIn(): Promise<{ browser: Browser; sid: string }> {
      const browser = new Browser();
      await login(stack, browser, 'bob');
      const id = stack.api.sessions.idOf(await sessionCookie(browser)) ?? '';
      const sid = (await stack.api.sessions.reload(id))?.idpSid;
      if (!sid) throw new Error('the ID token carried no sid');
      return { browser, sid };
    }

    async function logoutToken(claims: JWTPayload, key?: CryptoKey): Promise<string> {
      const payload = {
        iss: stack.idpUrl,
        aud: stack.api.config.oidc.clientId,
        iat: now(),
        // as the dev IdP (oidc-provider) sets it
        exp: now() + 120,
        jti: randomUUID(),
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
        ...claims,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', typ: 'logout+jwt', kid: stack.signingKey.kid ?? '' })
        .sign(key ?? (await importJWK(stack.signingKey, 'RS256')));
    }

    it('accepts a valid token once, and refuses its replay', async () => {
      const { browser, sid } = await signedIn();
      const token = await logoutToken({ sid });
      const first = await post(token);
      expect(first.status).toBe(200);
      expect(first.headers.get('cache-control')).toBe('no-store');
      expect((await call(stack, browser, 'me')).status).toBe(401);
      expect((await post(token)).status).toBe(400);
    });

    it('refuses the replay of a token accepted within the clock tolerance past its maximum age (was a 5-second replay window)', async () => {
      const { browser, sid } = await signedIn();
      const iat = now() - LOGOUT_TOKEN_MAX_AGE_SECONDS - 2;
      const token = await logoutToken({ sid, iat, exp: iat + LOGOUT_TOKEN_MAX_AGE_SECONDS });
      expect((await post(token)).status).toBe(200);
      expect((await call(stack, browser, 'me')).status).toBe(401);
      expect((await post(token)).status).toBe(400);
    });

    it('refuses a forged, nonce-bearing, event-less, foreign or stale token and keeps the session', async () => {
      const { browser, sid } = await signedIn();
      const { privateKey } = await generateKeyPair('RS256');
      const bad = [
        await logoutToken({ sid }, privateKey),
        await logoutToken({ sid, nonce: 'n' }),
        await logoutToken({ sid, events: {} }),
        await logoutToken({ sid, aud: 'another-client' }),
        await logoutToken({ sid, iss: 'http://evil.example' }),
        await logoutToken({ sid, iat: now() - 3600 }),
        await logoutToken({ sid, iat: now() - 3600, exp: now() + 60 }),
        await logoutToken({ sid, iat: now() + 60, exp: now() + 180 }),
        await logoutToken({ sid, exp: now() - 60 }),
        await logoutToken({ sid, exp: undefined }),
        await logoutToken({}),
        'not-a-jwt',
      ];
      for (const token of bad) {
        const res = await post(token);
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'The logout token is not valid.' });
      }
      expect((await post('')).status).toBe(400);
      expect((await call(stack, browser, 'me')).status).toBe(200);
    });

    it('ends every session of a user when the token names only the sub', async () => {
      const a = new Browser();
      const b = new Browser();
      await login(stack, a, 'bob');
      await login(stack, b, 'bob');
      expect((await post(await logoutToken({ sub: 'bob' }))).status).toBe(200);
      expect((await call(stack, a, 'me')).status).toBe(401);
      expect((await call(stack, b, 'me')).status).toBe(401);
    });
  });
});
