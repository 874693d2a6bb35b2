import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { Browser, call, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

/**
 * What a real enterprise SSO does that the BFF must keep handling, against the development IdP
 * playing it: an issuer with a trailing slash, JWT access tokens typed `JWT` with an `aud` array
 * of the client id and the API (DEV_IDP_ACCESS_TOKEN_TYP=JWT), no pushed authorization requests
 * (DEV_IDP_PAR=off), no revocation endpoint (DEV_IDP_REVOCATION=off), refresh tokens that are not
 * rotated and refreshed ID tokens without `nonce` (DEV_IDP_REFRESH=reuse).
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server, {
    issuerTrailingSlash: true,
    accessTokenTtl: 2,
    devIdp: { accessTokenTyp: 'JWT', pushedAuthorizationRequests: false, revocation: false, refresh: 'reuse' },
  });
});
afterAll(() => stack?.close());

async function signedIn(user = 'alice'): Promise<Browser> {
  const browser = new Browser();
  expect(await login(stack, browser, user)).toBe(`${FRONT}/`);
  return browser;
}
const sessionOf = async (browser: Browser) =>
  stack.api.sessions.reload(stack.api.sessions.idOf((await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '') ?? '');

describe('an enterprise SSO as it is', () => {
  it('an issuer with a trailing slash: discovery, ID tokens and access tokens all name it so', async () => {
    expect(stack.api.config.oidc.issuer.href).toBe(`${stack.idpUrl}/`);
    const browser = await signedIn();
    const session = await sessionOf(browser);
    expect(decodeJwt(session?.idToken ?? '').iss).toBe(`${stack.idpUrl}/`);
    expect(decodeJwt(session?.accessToken ?? '').iss).toBe(`${stack.idpUrl}/`);
    expect((await call(stack, browser, 'me')).status).toBe(200);
  });

  it('access tokens typed JWT (not at+jwt) with an aud array of the client id and the API are accepted', async () => {
    const browser = await signedIn();
    const session = await sessionOf(browser);
    expect(decodeProtectedHeader(session?.accessToken ?? '').typ).toBe('JWT');
    expect(decodeJwt(session?.accessToken ?? '').aud).toEqual([stack.api.config.oidc.clientId, stack.api.config.oidc.audience]);
    expect((await call(stack, browser, 'analytics')).status).toBe(200);
  });

  it('no pushed authorization requests: the authorization request goes in the URL, PKCE and all', async () => {
    const metadata = (await (await fetch(`${stack.idpUrl}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata['pushed_authorization_request_endpoint']).toBeUndefined();
    const start = await new Browser().fetch(`${stack.apiUrl}/api/login`);
    const authorization = new URL(start.headers.get('location') ?? '');
    expect(authorization.origin).toBe(stack.idpUrl);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('request_uri')).toBeNull();
    expect(stack.idpRequests).not.toContain('/request');
  });

  it('refresh tokens that are not rotated and refreshed ID tokens without nonce: refreshes go on, twice', async () => {
    const browser = await signedIn();
    const first = await sessionOf(browser);
    expect(decodeJwt(first?.idToken ?? '').nonce).toBeTypeOf('string');
    for (let round = 0; round < 2; round++) {
      await sleep(2500);
      expect((await call(stack, browser, 'me')).status).toBe(200);
    }
    const later = await sessionOf(browser);
    expect(later?.accessToken).not.toBe(first?.accessToken);
    expect(later?.refreshToken).toBe(first?.refreshToken);
    expect(later?.idToken).not.toBe(first?.idToken);
    expect(decodeJwt(later?.idToken ?? '').nonce).toBeUndefined();
    expect(stack.logs.filter((line) => line.includes('"auth.refresh"')).length).toBeGreaterThanOrEqual(2);
  }, 20_000);

  it('no revocation endpoint: logout ends the session and goes on to the end-session endpoint, revoking nothing', async () => {
    const browser = await signedIn();
    const { logoutUrl } = (await call(stack, browser, 'me')).body.result.data;
    const res = await browser.fetch(logoutUrl);
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get('location') ?? '').origin).toBe(stack.idpUrl);
    expect(stack.idpRequests).not.toContain('/token/revocation');
    expect((await call(stack, browser, 'me')).status).toBe(401);
  });
});
