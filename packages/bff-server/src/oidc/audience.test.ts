import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { attemptLogin, Browser, call, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { diagnose } from '../config/doctor.js';
import { registrationBlock } from '../config/doctor-registration.js';

/**
 * Audience without guessing (RFC 8707), against the development IdP in the mode of a provider
 * whose access tokens carry the scope string as `aud` unless a resource is asked
 * (DEV_IDP_AUDIENCE=scope), at sign-in and again at every refresh.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SCOPE_AUD = 'openid profile email';

describe('without OIDC_RESOURCE, an IdP that puts the scope string in aud', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { devIdp: { audienceFrom: 'scope' } });
  });
  afterAll(() => stack?.close());

  it('refuses the sign-in (access_token_invalid) and logs, once, the aud the IdP issued', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const landed = new URL(await attemptLogin(stack, new Browser(), 'alice'));
      expect(landed.searchParams.get('auth_error')).toBe('access_token_invalid');
    }
    const lines = stack.logs.filter((line) => line.includes('auth.audience_mismatch')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([expect.objectContaining({ expected: stack.api.config.oidc.audience, issued: [SCOPE_AUD] })]);
    expect(lines[0]?.['fix']).toEqual(expect.stringContaining('OIDC_RESOURCE'));
  });

  it('the doctor says where the aud actually issued is named, and how to fix it', async () => {
    const findings = await diagnose({ OIDC_ISSUER: stack.idpUrl, BACK_URL: stack.apiUrl, FRONT_URL: FRONT });
    expect(findings.find((finding) => finding.check === 'audience')).toMatchObject({
      severity: 'info',
      message: expect.stringContaining('auth.audience_mismatch'),
      fix: expect.stringContaining('OIDC_RESOURCE'),
    });
  });
});

describe('OIDC_RESOURCE: the resource indicator at sign-in (through PAR) and at every refresh', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { devIdp: { audienceFrom: 'scope' }, accessTokenTtl: 2, env: { OIDC_RESOURCE: 'urn:bff:api' } });
  });
  afterAll(() => stack?.close());

  const sessionOf = async (browser: Browser) =>
    stack.api.sessions.reload(stack.api.sessions.idOf((await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '') ?? '');

  it('signs in with an access token for the API, and refreshes it for the API again', async () => {
    expect(stack.api.config.oidc.resource).toBe('urn:bff:api');
    const browser = new Browser();
    expect(await login(stack, browser, 'alice')).toBe(`${FRONT}/`);
    expect(stack.idpRequests).toContain('/request'); // the authorization request went through PAR
    const first = await sessionOf(browser);
    expect(decodeJwt(first?.accessToken ?? '').aud).toBe(stack.api.config.oidc.audience);

    await sleep(2500);
    const me = await call(stack, browser, 'me');
    expect(me.status).toBe(200);
    const renewed = await sessionOf(browser);
    expect(renewed?.accessToken).not.toBe(first?.accessToken);
    expect(decodeJwt(renewed?.accessToken ?? '').aud).toBe(stack.api.config.oidc.audience);
    expect(stack.logs.some((line) => line.includes('"auth.refresh"'))).toBe(true);
    expect(stack.logs.some((line) => line.includes('auth.audience_mismatch'))).toBe(false);
    expect(registrationBlock(stack.api.config, undefined)).toContain('aud = urn:bff:api for the resource urn:bff:api (RFC 8707, asked at sign-in and refresh)');
  });

  it('a refresh without the resource gets no token for the API from that IdP (why the BFF sends it every time)', async () => {
    const browser = new Browser();
    await login(stack, browser, 'bob');
    const session = await sessionOf(browser);
    const metadata = (await (await fetch(`${stack.idpUrl}/.well-known/openid-configuration`)).json()) as { token_endpoint: string };
    const response = await fetch(metadata.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: session?.refreshToken ?? '',
        client_id: stack.api.config.oidc.clientId,
        client_secret: stack.api.config.oidc.clientSecret,
      }).toString(),
    });
    expect(response.status).toBe(200);
    const { access_token: accessToken } = (await response.json()) as { access_token: string };
    // Not a JWT for the API: an opaque token good for userinfo only.
    expect(() => decodeProtectedHeader(accessToken)).toThrow();
  });
});

describe('OIDC_RESOURCE is checked at start-up', () => {
  it('refuses a value that is not an absolute URI, naming the variable', () => {
    expect(() => server.loadConfig({ OIDC_RESOURCE: 'api' })).toThrow(/OIDC_RESOURCE/);
    expect(() => server.loadConfig({ OIDC_RESOURCE: 'https://api.example.com/#x' })).toThrow(/OIDC_RESOURCE/);
    expect(server.loadConfig({ OIDC_RESOURCE: 'api://bff' }).oidc.resources[0]).toBe('api://bff');
  });
});
