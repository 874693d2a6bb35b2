import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { decodeJwt, decodeProtectedHeader, importJWK, SignJWT, type JWTPayload } from 'jose';
import { API_PATHS } from '@oidc-bff/protocol';
import { Browser, call, FRONT, login, signInAt, startStack, type Stack, signOutAtIdp } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { importClientKey, jwkThumbprint, readClientKey } from '../config/client-keys.js';

const ACCESS_TOKEN_TTL = 3;

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server, { fapi2: true, accessTokenTtl: ACCESS_TOKEN_TTL });
});
afterAll(() => stack.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (path: string) => stack.idpRequests.filter((p) => p === path).length;
const redirectUri = () => stack.api.config.oidc.redirectUri.href;
const ourJkt = () => stack.api.config.oidc.fapi2?.dpop.thumbprint ?? 'no DPoP key';
const cnfJkt = (accessToken: string) => (decodeJwt(accessToken)['cnf'] as { jkt?: string } | undefined)?.jkt;

function keyFiles() {
  if (!stack.keyFiles) throw new Error('the stack runs without FAPI 2.0 keys');
  return stack.keyFiles;
}

/** Our client as openid-client sees it, driven by hand: authenticated with `auth` (private_key_jwt with our key by default). */
async function ourClient(auth?: client.ClientAuth): Promise<client.Configuration> {
  const key = readClientKey(keyFiles().clientKey);
  const { privateKey } = await importClientKey(key);
  return client.discovery(
    new URL(stack.idpUrl),
    stack.api.config.oidc.clientId,
    { id_token_signed_response_alg: 'ES256' },
    auth ?? client.PrivateKeyJwt({ key: privateKey, kid: key.kid }),
    { execute: [client.allowInsecureRequests] },
  );
}

/** A DPoP handle with our DPoP key, or with a fresh one that is not ours. */
async function dpopHandle(configuration: client.Configuration, which: 'ours' | 'another'): Promise<client.DPoPHandle> {
  const keyPair = which === 'ours' ? await importClientKey(readClientKey(keyFiles().dpopKey)) : await client.randomDPoPKeyPair('ES256');
  return client.getDPoPHandle(configuration, keyPair);
}

/** PAR (with a DPoP proof when given), then alice signs in at the IdP: the callback URL with the code, and the checks to redeem it. */
async function authorize(configuration: client.Configuration, dpop: client.DPoPHandle | undefined) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = await client.buildAuthorizationUrlWithPAR(
    configuration,
    {
      redirect_uri: redirectUri(),
      scope: 'openid profile',
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    },
    dpop ? { DPoP: dpop } : {},
  );
  const callbackUrl = new URL(await signInAt(url.href, new Browser(), 'alice', 'alice', redirectUri()));
  return { callbackUrl, checks: { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce } };
}

/** The error code of an OAuth error response, or of whatever else was thrown. */
async function refusal(attempt: Promise<unknown>): Promise<{ status?: number; error: string }> {
  try {
    await attempt;
  } catch (error) {
    if (error instanceof client.ResponseBodyError) return { status: error.status, error: error.error };
    return { error: String((error as { code?: unknown }).code ?? error) };
  }
  throw new Error('expected a refusal');
}

async function sessionOf(browser: Browser) {
  const value = await browser.cookie(`${stack.apiUrl}/`, stack.api.sessions.cookieName);
  const session = await stack.api.sessions.reload(stack.api.sessions.idOf(value) ?? '');
  if (!session) throw new Error('no session');
  return session;
}

describe('the development IdP in FAPI 2.0 mode refuses a plain code flow', () => {
  it('advertises the profile: PAR required, private_key_jwt only, DPoP, ES256/PS256, RFC 9207 iss', async () => {
    const metadata = (await (await fetch(`${stack.idpUrl}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      require_pushed_authorization_requests: true,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
    });
    for (const key of ['dpop_signing_alg_values_supported', 'id_token_signing_alg_values_supported', 'token_endpoint_auth_signing_alg_values_supported']) {
      expect(metadata[key], key).toEqual(expect.arrayContaining(['ES256']));
      expect(
        (metadata[key] as string[]).every((alg) => alg === 'ES256' || alg === 'PS256'),
        key,
      ).toBe(true);
    }
  });

  it('refuses an authorization request that was not pushed', async () => {
    const url = new URL(`${stack.idpUrl}/auth`);
    const codeVerifier = client.randomPKCECodeVerifier();
    url.search = new URLSearchParams({
      client_id: stack.api.config.oidc.clientId,
      response_type: 'code',
      redirect_uri: redirectUri(),
      scope: 'openid',
      state: 's',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? 'http://none/');
    expect(res.status).toBe(303);
    expect(location.href.startsWith(redirectUri())).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses pushed and token requests authenticated with a client secret', async () => {
    const withSecret = await ourClient(client.ClientSecretPost('a-client-secret'));
    expect(await refusal(authorize(withSecret, undefined))).toEqual({ status: 401, error: 'invalid_client' });
    const { callbackUrl, checks } = await authorize(await ourClient(), await dpopHandle(await ourClient(), 'ours'));
    expect(await refusal(client.authorizationCodeGrant(withSecret, callbackUrl, checks, undefined, { DPoP: await dpopHandle(withSecret, 'ours') }))).toEqual({
      status: 401,
      error: 'invalid_client',
    });
  });

  it('refuses a token request without a DPoP proof, then redeems the same code with private_key_jwt and DPoP: a DPoP-bound token', async () => {
    const configuration = await ourClient();
    const dpop = await dpopHandle(configuration, 'ours');
    // Pushed without a proof, so the code is not bound to a key: the refusal is the token endpoint's own DPoP rule.
    const { callbackUrl, checks } = await authorize(configuration, undefined);
    expect(await refusal(client.authorizationCodeGrant(configuration, callbackUrl, checks))).toEqual({ status: 400, error: 'invalid_grant' });

    const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, checks, undefined, { DPoP: dpop });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(cnfJkt(tokens.access_token)).toBe(ourJkt());
    expect(decodeProtectedHeader(tokens.access_token).alg).toBe('ES256');
  });
});

describe('our login, calls, refresh and logout against it (S24)', () => {
  it('publishes the client key at /api/jwks (public members only) for the IdP to register', async () => {
    const res = await fetch(`${stack.apiUrl}${API_PATHS.jwks}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: stack.api.config.oidc.fapi2?.client.kid });
    expect(keys[0]).not.toHaveProperty('d');
    expect(server.idpRegistration(stack.api.config)).toMatchObject({
      tokenEndpointAuthMethod: 'private_key_jwt',
      clientSecret: undefined,
      jwksUri: `${stack.apiUrl}${API_PATHS.jwks}`,
      dpopBoundAccessTokens: true,
      requirePushedAuthorizationRequests: true,
    });
  });

  it('signs alice in through PAR, private_key_jwt and DPoP; her calls work with a token bound to our DPoP key', async () => {
    const pushed = count('/request');
    const browser = new Browser();
    expect(await login(stack, browser, 'alice')).toBe(`${FRONT}/`);
    expect(count('/request')).toBe(pushed + 1);
    const me = await call(stack, browser, 'me');
    expect(me.status).toBe(200);
    expect(me.body.result.data.user.sub).toBe('alice');
    const { accessToken, idToken } = await sessionOf(browser);
    expect(cnfJkt(accessToken)).toBe(ourJkt());
    expect(decodeProtectedHeader(idToken).alg).toBe('ES256');
  });

  it(`refreshes with a DPoP proof after ${ACCESS_TOKEN_TTL} s: one refresh for concurrent calls, the new token bound to the same key`, async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    const first = (await sessionOf(browser)).accessToken;
    await sleep(ACCESS_TOKEN_TTL * 1000 + 500);
    const before = count('/token');
    const results = await Promise.all(Array.from({ length: 5 }, () => call(stack, browser, 'me')));
    expect(results.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(count('/token') - before).toBe(1);
    const renewed = (await sessionOf(browser)).accessToken;
    expect(renewed).not.toBe(first);
    expect(cnfJkt(renewed)).toBe(ourJkt());
  });

  it('signs out: the refresh token is revoked (with private_key_jwt) and the IdP session ends', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    const { refreshToken } = await sessionOf(browser);
    const { logoutUrl } = (await call(stack, browser, 'me')).body.result.data;
    const revocations = count('/token/revocation');
    const res = await browser.fetch(logoutUrl);
    expect(count('/token/revocation')).toBe(revocations + 1);
    expect(await signOutAtIdp(browser, res.headers.get('location') ?? '')).toBe(`${FRONT}/`);
    expect((await call(stack, browser, 'me')).status).toBe(401);
    const configuration = await ourClient();
    expect(await refusal(client.refreshTokenGrant(configuration, refreshToken ?? '', undefined, { DPoP: await dpopHandle(configuration, 'ours') }))).toEqual({
      status: 400,
      error: 'invalid_grant',
    });
  });

  it('ends the session on back-channel logout (an ES256 logout token)', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    expect((await call(stack, browser, 'me')).status).toBe(200);
    await signOutAtIdp(browser, `${stack.idpUrl}/session/end`);
    const me = await call(stack, browser, 'me');
    expect(me.status).toBe(401);
    expect(me.body.error.data.reason).toBe('invalid_session');
    expect(stack.logs.some((l) => l.includes('auth.backchannel_logout') && !l.includes('refused'))).toBe(true);
  });

  it('refuses an authorization response without the RFC 9207 iss parameter', async () => {
    const browser = new Browser();
    const callback = new URL(await signInAt(`${stack.apiUrl}${API_PATHS.login}`, browser, 'alice', 'alice', redirectUri()));
    expect(callback.searchParams.get('iss')).toBe(stack.idpUrl);
    const withoutIss = new URL(callback);
    withoutIss.searchParams.delete('iss');
    // Sent aside from the browser's jar, so that its login transaction stays for the genuine response.
    const refused = await fetch(withoutIss, { headers: { cookie: await browser.jar.getCookieString(withoutIss.href) }, redirect: 'manual' });
    expect(refused.status).toBe(302);
    expect(new URL(refused.headers.get('location') ?? '').searchParams.get('auth_error')).not.toBeNull();
    expect((await browser.follow(callback.href)).url).toBe(`${FRONT}/`);
    expect((await call(stack, browser, 'me')).status).toBe(200);
  });
});

describe('the API as resource server checks cnf.jkt (S24)', () => {
  it('refuses an access token the IdP bound to another DPoP key (invalid_token)', async () => {
    const configuration = await ourClient();
    const another = await dpopHandle(configuration, 'another');
    const { callbackUrl, checks } = await authorize(configuration, another);
    const foreign = (await client.authorizationCodeGrant(configuration, callbackUrl, checks, undefined, { DPoP: another })).access_token;
    expect(cnfJkt(foreign)).toBe(await another.calculateThumbprint());
    expect(cnfJkt(foreign)).not.toBe(ourJkt());

    const browser = new Browser();
    await login(stack, browser, 'alice');
    const session = await sessionOf(browser);
    // A distant expiry, so that no refresh replaces the token before the call.
    expect(
      await stack.api.sessions.update({ ...session, accessToken: foreign, accessTokenExpiresAt: Date.now() + 600_000, tokensObtainedAt: Date.now() }),
    ).toBeTruthy();
    const me = await call(stack, browser, 'me');
    expect(me.status).toBe(401);
    expect(me.body.error.data.reason).toBe('invalid_token');
    expect(stack.logs.some((l) => l.includes('cnf_jkt_mismatch'))).toBe(true);
  });

  it('accepts an IdP-signed token only with our cnf.jkt: none, or another key thumbprint, is invalid_token', async () => {
    const { tokens } = await stack.api.oidc.get();
    const now = Math.floor(Date.now() / 1000);
    const sign = async (extra: JWTPayload) =>
      new SignJWT({ iss: stack.idpUrl, aud: stack.api.config.oidc.audience, sub: 'alice', iat: now, exp: now + 600, ...extra })
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: stack.signingKey.kid ?? '' })
        .sign(await importJWK(stack.signingKey, 'ES256'));
    const otherJkt = jwkThumbprint(readClientKey(keyFiles().clientKey).publicJwk);
    expect(await tokens.verifyAccessToken(await sign({ cnf: { jkt: ourJkt() } }))).toMatchObject({ ok: true });
    expect(await tokens.verifyAccessToken(await sign({}))).toEqual({ ok: false, reason: 'invalid_token', detail: 'cnf_jkt_missing' });
    expect(await tokens.verifyAccessToken(await sign({ cnf: { jkt: otherJkt } }))).toEqual({ ok: false, reason: 'invalid_token', detail: 'cnf_jkt_mismatch' });
    expect(await tokens.verifyAccessToken(await sign({ cnf: 'not an object' }))).toEqual({ ok: false, reason: 'invalid_token', detail: 'cnf_jkt_missing' });
  });
});

describe('FAPI 2.0 with opaque access tokens (introspection)', () => {
  let opaque: Stack<Api>;
  beforeAll(async () => {
    opaque = await startStack(server, { fapi2: true, devIdp: { accessTokenFormat: 'opaque' }, env: { OIDC_ACCESS_TOKEN_VERIFY: 'introspection' } });
  });
  afterAll(() => opaque.close());

  it('introspects with private_key_jwt, and the answer carries our cnf.jkt', async () => {
    const browser = new Browser();
    await login(opaque, browser, 'alice');
    expect((await call(opaque, browser, 'me')).status).toBe(200);
    const { tokens } = await opaque.api.oidc.get();
    const value = await browser.cookie(`${opaque.apiUrl}/`, opaque.api.sessions.cookieName);
    const session = await opaque.api.sessions.reload(opaque.api.sessions.idOf(value) ?? '');
    const verified = await tokens.verifyAccessToken(session?.accessToken ?? '');
    expect(verified.ok && (verified.claims['cnf'] as { jkt?: string } | undefined)?.jkt).toBe(opaque.api.config.oidc.fapi2?.dpop.thumbprint);
  });
});
