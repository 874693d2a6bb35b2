import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server);
});
afterAll(() => stack.close());

const silentUrl = () => `${stack.apiUrl}/api/login?prompt=none&returnTo=${encodeURIComponent(`${FRONT}/chat?room=1`)}`;

describe('silent sign-in (prompt=none) against the development IdP', () => {
  it('signs in without any IdP page while the IdP session lives', async () => {
    const relogin = new Browser();
    await login(stack, relogin, 'alice');
    const apiCookie = await relogin.cookie(stack.apiUrl, 'bff_session');
    // The BFF session is gone from this browser; the IdP's session cookie stays.
    await relogin.jar.setCookie('bff_session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT', stack.apiUrl);
    expect(await relogin.cookie(stack.apiUrl, 'bff_session')).toBeUndefined();
    expect((await call(stack, relogin, 'me')).status).toBe(401);

    const before = stack.idpRequests.length;
    const { url } = await relogin.follow(silentUrl());
    expect(url).toBe(`${FRONT}/chat?room=1`);
    expect(stack.idpRequests.slice(before).some((path) => path.startsWith('/interaction/'))).toBe(false);
    const renewed = await relogin.cookie(stack.apiUrl, 'bff_session');
    expect(renewed).toBeDefined();
    expect(renewed).not.toBe(apiCookie);
    expect((await call(stack, relogin, 'me')).body.result.data.user.sub).toBe('alice');
  });

  it('sends the browser back to the page it left with auth_error=login_required when the IdP needs the user', async () => {
    const browser = new Browser();
    const { url } = await browser.follow(silentUrl());
    const back = new URL(url);
    expect(`${back.origin}${back.pathname}`).toBe(`${FRONT}/chat`);
    expect(back.searchParams.get('room')).toBe('1');
    expect(back.searchParams.get('auth_error')).toBe('login_required');
    expect(await browser.cookie(stack.apiUrl, 'bff_session')).toBeUndefined();
  });

  it('refuses any other prompt with a typed 400', async () => {
    const res = await new Browser().fetch(`${stack.apiUrl}/api/login?prompt=login`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error?: unknown }).error).toBe('invalid_prompt');
  });
});
