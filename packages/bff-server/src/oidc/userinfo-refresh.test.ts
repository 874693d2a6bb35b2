import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS } from '@bff/dev-idp';
import { Browser, call, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

/**
 * Userinfo after a refresh and in introspection mode, against the development IdP: an IdP that
 * releases profile claims only at userinfo (DEV_IDP_CLAIMS=userinfo) is asked again after each
 * refresh, since the user's claims may have changed there; the same `sub` rule and ID-token claims
 * winning, as at sign-in.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const userinfoRequests = (stack: Stack<Api>) => stack.idpRequests.filter((path) => path === '/me').length;
const alice = DEMO_ACCOUNTS.find((account) => account.sub === 'alice') as { name: string } | undefined;

async function signedIn(stack: Stack<Api>, user = 'alice'): Promise<Browser> {
  const browser = new Browser();
  expect(await login(stack, browser, user)).toBe(`${FRONT}/`);
  return browser;
}
const userOf = async (stack: Stack<Api>, browser: Browser) => (await call(stack, browser, 'me')).body.result.data.user as Record<string, unknown>;

describe('userinfo after a refresh', () => {
  let strict: Stack<Api>;
  let classic: Stack<Api>;
  beforeAll(async () => {
    [strict, classic] = await Promise.all([
      startStack(server, { devIdp: { claims: 'userinfo' }, accessTokenTtl: 2 }),
      startStack(server, { accessTokenTtl: 2 }),
    ]);
  });
  afterAll(() => Promise.all([strict?.close(), classic?.close()]));

  it('asks userinfo again after a refresh: a name changed at the IdP reaches me', async () => {
    if (!alice) throw new Error('no demo account alice');
    const browser = await signedIn(strict);
    expect(await userOf(strict, browser)).toMatchObject({ name: 'Alice Martin', email: 'alice@example.test' });
    const asked = userinfoRequests(strict);
    const original = alice.name;
    alice.name = 'Alice Martin-Durand'; // renamed in the directory behind the IdP
    try {
      expect((await userOf(strict, browser))['name']).toBe('Alice Martin'); // no refresh yet: the session's claims
      await sleep(2500);
      expect(await userOf(strict, browser)).toMatchObject({ sub: 'alice', name: 'Alice Martin-Durand', email: 'alice@example.test' });
      expect(userinfoRequests(strict)).toBe(asked + 1);
      expect(strict.logs.some((line) => line.includes('"auth.refresh"'))).toBe(true);
    } finally {
      alice.name = original;
    }
  });

  it('does not ask userinfo after a refresh when the tokens carry every requested claim', async () => {
    const browser = await signedIn(classic);
    await sleep(2500);
    expect(await userOf(classic, browser)).toMatchObject({ name: 'Alice Martin', email: 'alice@example.test' });
    expect(classic.logs.some((line) => line.includes('"auth.refresh"'))).toBe(true);
    expect(userinfoRequests(classic)).toBe(0);
  });
});

describe('a userinfo answer about another user after a refresh (DEV_IDP_USERINFO_SUB=other_after_first, S30)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { devIdp: { claims: 'userinfo', userinfoSub: 'other_after_first' }, accessTokenTtl: 2 });
  });
  afterAll(() => stack?.close());

  it('ends the session at that refresh, as the same answer refuses a sign-in', async () => {
    const browser = await signedIn(stack);
    expect(await userOf(stack, browser)).toMatchObject({ sub: 'alice', name: 'Alice Martin' });
    await sleep(2500);
    const me = await call(stack, browser, 'me');
    expect(me.status).toBe(401);
    expect(me.body.error.data.reason).toBe('refresh_failed');
    expect(stack.logs.some((line) => line.includes('auth.refresh_failed') && line.includes('userinfo_invalid'))).toBe(true);
    expect((await call(stack, browser, 'me')).status).toBe(401);
  });
});

describe('userinfo in introspection mode, with introspection answers without aud or groups (DEV_IDP_INTROSPECTION=minimal)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, {
      devIdp: { claims: 'userinfo', accessTokenFormat: 'opaque', introspection: 'minimal', groups: 'joined' },
      env: { OIDC_ACCESS_TOKEN_VERIFY: 'introspection' },
      accessTokenTtl: 2,
    });
  });
  afterAll(() => stack?.close());

  it('signs in with name, email and the groups of userinfo, and keeps them through a refresh', async () => {
    const metadata = (await (await fetch(`${stack.idpUrl}/.well-known/openid-configuration`)).json()) as { introspection_endpoint: string };
    const browser = await signedIn(stack);
    expect(await userOf(stack, browser)).toMatchObject({ sub: 'alice', name: 'Alice Martin', email: 'alice@example.test' });
    expect((await call(stack, browser, 'analytics')).status).toBe(200);

    // What the IdP's introspection says of the session's token: active, without aud or groups.
    const session = await stack.api.sessions.reload(stack.api.sessions.idOf((await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '') ?? '');
    const answer = (await (
      await fetch(metadata.introspection_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token: session?.accessToken ?? '',
          client_id: stack.api.config.oidc.clientId,
          client_secret: stack.api.config.oidc.clientSecret,
        }).toString(),
      })
    ).json()) as Record<string, unknown>;
    expect(answer).toMatchObject({ active: true, sub: 'alice' });
    expect(answer).not.toHaveProperty('aud');
    expect(answer).not.toHaveProperty('groups');

    const asked = userinfoRequests(stack);
    await sleep(2500);
    expect(await userOf(stack, browser)).toMatchObject({ name: 'Alice Martin', email: 'alice@example.test' });
    expect((await call(stack, browser, 'analytics')).status).toBe(200);
    expect(userinfoRequests(stack)).toBe(asked + 1);
  });
});
