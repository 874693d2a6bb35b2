import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server, { accessTokenTtl: 3 });
});
afterAll(() => stack.close());

const tokenRequests = () => stack.idpRequests.filter((p) => p === '/token').length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sessionOf(browser: Browser) {
  const value = (await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '';
  return stack.api.sessions.reload(stack.api.sessions.idOf(value) ?? '');
}

describe('token refresh (S8), with a 3-second access-token lifetime', () => {
  it('keeps the session alive past expiry with exactly one refresh for 20 concurrent calls; a revoked refresh token ends the session', async () => {
    const alice = new Browser();
    const bob = new Browser();
    await login(stack, alice, 'alice');
    await login(stack, bob, 'bob');
    const firstToken = (await sessionOf(alice))?.accessToken;

    // Bob's refresh token is revoked at the IdP, as an administrator would.
    const bobsRefreshToken = (await sessionOf(bob))?.refreshToken ?? '';
    expect(bobsRefreshToken).not.toBe('');
    const revoked = await fetch(`${stack.idpUrl}/token/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: bobsRefreshToken,
        token_type_hint: 'refresh_token',
        client_id: stack.api.config.oidc.clientId,
        client_secret: stack.api.config.oidc.clientSecret,
      }).toString(),
    });
    expect(revoked.status).toBe(200);

    await sleep(3500);
    const before = tokenRequests();
    const results = await Promise.all(Array.from({ length: 20 }, () => call(stack, alice, 'me')));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(tokenRequests() - before).toBe(1);
    const refreshed = await sessionOf(alice);
    expect(refreshed?.accessToken).not.toBe(firstToken);
    expect(refreshed?.accessTokenExpiresAt).toBeGreaterThan(Date.now());

    // the rotated refresh token keeps working on the next expiry
    await sleep(3500);
    expect((await call(stack, alice, 'chat.history')).status).toBe(200);
    expect(tokenRequests() - before).toBe(2);

    const ended = await call(stack, bob, 'me');
    expect(ended.status).toBe(401);
    expect(ended.body.error.data.reason).toBe('refresh_failed');
    expect((await call(stack, bob, 'me')).body.error.data.reason).toBe('invalid_session');
    expect(stack.logs.some((line) => line.includes('auth.refresh_failed'))).toBe(true);
  });
});

describe('the development IdP rotates refresh tokens with reuse detection, as enterprise IdPs do', () => {
  it('refuses a refresh token used twice, and then revokes the grant (the rotated token dies too)', async () => {
    const carol = new Browser();
    await login(stack, carol, 'alice');
    const refreshToken = (await sessionOf(carol))?.refreshToken ?? '';
    expect(refreshToken).not.toBe('');
    const grant = (token: string) =>
      fetch(`${stack.idpUrl}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: token,
          client_id: stack.api.config.oidc.clientId,
          client_secret: stack.api.config.oidc.clientSecret,
        }).toString(),
      });
    const first = await grant(refreshToken);
    expect(first.status).toBe(200);
    const rotated = ((await first.json()) as { refresh_token?: string }).refresh_token ?? '';
    expect(rotated).not.toBe('');
    expect(rotated).not.toBe(refreshToken);
    const reused = await grant(refreshToken);
    expect(reused.status).toBe(400);
    expect(((await reused.json()) as { error: string }).error).toBe('invalid_grant');
    expect((await grant(rotated)).status).toBe(400);
  });
});
