import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair, importJWK, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { createHmac } from 'node:crypto';
import { Browser, call, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server, { jwksCooldownMs: 3000 });
});
afterAll(() => stack.close());

const now = () => Math.floor(Date.now() / 1000);
const jwksFetches = () => stack.idpRequests.filter((p) => p === '/jwks').length;

function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: stack.idpUrl,
    aud: stack.api.config.oidc.audience,
    sub: 'alice',
    iat: now(),
    exp: now() + 600,
    groups: ['analysts'],
    ...overrides,
  };
}

/** Signs with the IdP's real key unless told otherwise. */
async function signed(payload: JWTPayload, key?: { privateKey: CryptoKey; kid: string }): Promise<string> {
  const privateKey = key?.privateKey ?? (await importJWK(stack.signingKey, 'RS256'));
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key?.kid ?? stack.signingKey.kid ?? '' }).sign(privateKey);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A browser whose session holds the given access token, as if the IdP had issued it. */
async function browserWithToken(accessToken: string, sub = 'alice'): Promise<Browser> {
  const { cookieValue } = await stack.api.sessions.create({
    sub,
    name: 'Alice Martin',
    email: null,
    idpSid: undefined,
    accessToken,
    accessTokenExpiresAt: Date.now() + 600_000,
    tokensObtainedAt: Date.now(),
    idToken: 'unused',
    refreshToken: undefined,
    device: { browser: 'Chrome', os: 'Linux' },
  });
  const browser = new Browser();
  await browser.jar.setCookie(`bff_session=${cookieValue}`, `${stack.apiUrl}/`);
  return browser;
}

async function reasonFor(token: string, sub?: string): Promise<string> {
  const res = await call(stack, await browserWithToken(token, sub), 'me');
  expect(res.status).toBe(401);
  expect(res.text).not.toContain(token);
  return res.body.error.data.reason;
}

describe('access-token verification against the IdP JWKS (S10)', () => {
  beforeAll(async () => {
    await login(stack, new Browser(), 'alice');
  });

  it('accepts a token signed by the IdP key (control)', async () => {
    const res = await call(stack, await browserWithToken(await signed(claims())), 'me');
    expect(res.status).toBe(200);
    expect(res.body.result.data.user.groups).toEqual(['analysts']);
  });

  it('refuses an expired token with session_expired', async () => {
    expect(await reasonFor(await signed(claims({ iat: now() - 3600, exp: now() - 60 })))).toBe('session_expired');
  });

  it('refuses a token signed by another key under the IdP kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    expect(await reasonFor(await signed(claims(), { privateKey, kid: stack.signingKey.kid ?? '' }))).toBe('invalid_token');
  });

  it('refuses alg none', async () => {
    expect(await reasonFor(`${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(claims())}.`)).toBe('invalid_token');
  });

  it('refuses HS256 signed with the IdP public key as the secret', async () => {
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = stack.signingKey;
    const header = b64({ alg: 'HS256', typ: 'at+jwt', kid: stack.signingKey.kid });
    const body = b64(claims());
    for (const secret of [JSON.stringify(publicJwk), publicJwk.n ?? '']) {
      const sig = createHmac('sha256', secret).update(`${header}.${body}`).digest('base64url');
      expect(await reasonFor(`${header}.${body}.${sig}`)).toBe('invalid_token');
    }
  });

  it('refuses a wrong issuer or audience', async () => {
    expect(await reasonFor(await signed(claims({ iss: 'http://evil.example' })))).toBe('invalid_token');
    expect(await reasonFor(await signed(claims({ aud: 'someone-else' })))).toBe('invalid_token');
  });

  it('refuses a token not yet valid, or of another user than the session', async () => {
    expect(await reasonFor(await signed(claims({ nbf: now() + 600 })))).toBe('invalid_token');
    expect(await reasonFor(await signed(claims({ sub: 'bob' })))).toBe('invalid_token');
  });

  it('refuses garbage', async () => {
    expect(await reasonFor('not-a-jwt')).toBe('invalid_token');
  });
});

describe('JWKS caching (S10)', () => {
  it('fetches the keys once under many concurrent requests', async () => {
    const before = jwksFetches();
    expect(before).toBeGreaterThanOrEqual(1);
    const token = await signed(claims());
    const browsers = await Promise.all(Array.from({ length: 10 }, () => browserWithToken(token)));
    const results = await Promise.all(browsers.flatMap((b) => [call(stack, b, 'me'), call(stack, b, 'chat.history')]));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(jwksFetches()).toBe(before);
  });

  it('refetches at most once for an unknown kid, not once per request', async () => {
    await new Promise((resolve) => setTimeout(resolve, 3100)); // let the refetch cooldown pass
    const { privateKey } = await generateKeyPair('RS256');
    const token = await signed(claims(), { privateKey, kid: 'unknown-kid' });
    const before = jwksFetches();
    const browsers = await Promise.all(Array.from({ length: 20 }, () => browserWithToken(token)));
    const results = await Promise.all(browsers.map((b) => call(stack, b, 'me')));
    expect(results.map((r) => r.body.error.data.reason)).toEqual(Array(20).fill('invalid_token'));
    expect(jwksFetches() - before).toBe(1);

    const again = await Promise.all(browsers.map((b) => call(stack, b, 'me')));
    expect(again.every((r) => r.status === 401)).toBe(true);
    expect(jwksFetches() - before).toBe(1);
  });
});
