import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import { Browser, call, FRONT, login, startRedis, startStack, type RedisServer, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

const HEADERS = { origin: FRONT, [CSRF_HEADER]: CSRF_HEADER_VALUE };

async function signedIn(stack: Stack<Api>, user = 'alice'): Promise<Browser> {
  const browser = new Browser();
  await login(stack, browser, user);
  return browser;
}

function remote(stack: { apiUrl: string }, browser: Browser, path: string, init: RequestInit = {}) {
  return browser.fetch(`${stack.apiUrl}/api/remote/${path}`, { ...init, headers: { ...HEADERS, ...(init.headers as Record<string, string> | undefined) } });
}

async function json(response: Response): Promise<any> {
  return JSON.parse(await response.text());
}

function rawStatus(origin: string, path: string, headers: Record<string, string>): Promise<number> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('error', reject);
    req.end();
  });
}

function exchanges(stack: Stack<Api>): number {
  return stack.logs.filter((line) => line.includes('"downstream.token"')).length;
}

describe('the remote-API proxy with token exchange (RFC 8693) against the dev reports API', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { reports: 'exchange' });
  });
  afterAll(() => stack?.close());

  it("reaches GET /whoami with a token for the reports API's audience, exchanged from the user's", async () => {
    const browser = await signedIn(stack);
    const response = await remote(stack, browser, 'reports/whoami');
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(body).toMatchObject({ sub: 'alice', aud: 'urn:bff:reports', scope: 'reports:read' });
  });

  it("never forwards the browser's cookies, Authorization, Origin or CSRF header (seen from the API's side)", async () => {
    const browser = await signedIn(stack);
    const response = await remote(stack, browser, 'reports/whoami', {
      headers: { authorization: 'Bearer from-the-browser', 'x-custom': 'no', 'accept-language': 'fr' },
    });
    const { headers, aud } = await json(response);
    expect(aud).toBe('urn:bff:reports');
    expect(headers).toEqual(expect.arrayContaining(['authorization', 'accept-language']));
    for (const name of ['cookie', 'origin', CSRF_HEADER, 'x-custom', 'referer']) expect(headers).not.toContain(name);
    expect(response.headers.get('set-cookie')).toBeNull();
  });

  it('keeps the token with the session: a second call makes no second exchange', async () => {
    const browser = await signedIn(stack, 'bob');
    const before = exchanges(stack);
    expect((await remote(stack, browser, 'reports/summaries')).status).toBe(200);
    expect((await remote(stack, browser, 'reports/summaries/q3-cards')).status).toBe(200);
    expect(exchanges(stack) - before).toBe(1);
  });

  it("is what a procedure reaches with ctx.downstream('reports'), validated with zod", async () => {
    const browser = await signedIn(stack);
    const { status, body } = await call(stack, browser, 'reports');
    expect(status).toBe(200);
    expect(body.result.data).toMatchObject({ sub: 'alice', aud: 'urn:bff:reports', scope: 'reports:read' });
  });

  it("the reports API refuses the BFF's own access token (another audience)", async () => {
    const browser = await signedIn(stack);
    const cookie = await browser.cookie(stack.apiUrl, stack.api.sessions.cookieName);
    const lookup = await stack.api.sessions.resolve(cookie);
    if (!lookup.ok) throw new Error('no session');
    const reports = stack.reports;
    if (!reports) throw new Error('no reports API');
    const direct = await fetch(`${reports.url}/whoami`, { headers: { authorization: `Bearer ${lookup.session.accessToken}` } });
    expect(direct.status).toBe(401);
    expect(direct.headers.get('www-authenticate')).toContain('invalid_token');
  });

  it('renews the token once when the API refuses it (401), and retries', async () => {
    const browser = await signedIn(stack);
    expect((await remote(stack, browser, 'reports/whoami')).status).toBe(200);
    const before = exchanges(stack);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    stack.reports?.api.refuseTokensIssuedBefore(Math.floor(Date.now() / 1000));
    const retried = await remote(stack, browser, 'reports/whoami');
    expect(retried.status).toBe(200);
    expect(exchanges(stack) - before).toBe(1);
    stack.reports?.api.refuseTokensIssuedBefore(0);
  });

  it('an API down is 503 downstream_unavailable naming it, never a sign-out; back up, calls work again', async () => {
    const browser = await signedIn(stack);
    expect((await remote(stack, browser, 'reports/whoami')).status).toBe(200);
    await stack.reports?.stop();
    try {
      const down = await remote(stack, browser, 'reports/whoami');
      expect(down.status).toBe(503);
      expect(await json(down)).toMatchObject({ error: 'downstream_unavailable', api: 'reports' });
      const procedure = await call(stack, browser, 'reports');
      expect(procedure.status).toBe(503);
      expect(procedure.body.error.data.reason).toBe('downstream_unavailable');
      expect((await call(stack, browser, 'me')).status).toBe(200);
    } finally {
      await stack.reports?.start();
    }
    expect((await remote(stack, browser, 'reports/whoami')).status).toBe(200);
  });

  it.each([
    ['reports/..%2fwhoami', 400],
    ['reports/%2e%2e/whoami', 400],
    ['reports/summaries/..', 400],
    ['reports//whoami', 400],
    ['reports/summaries%5c..%5cwhoami', 400],
    ['elsewhere/whoami', 404],
    ['reportsx/whoami', 404],
  ])('refuses %s (%i): only configured names, no escape from the base', async (path, status) => {
    const browser = await signedIn(stack);
    // Sent as written: fetch would normalise dot segments before they left the client.
    const cookie = `${stack.api.sessions.cookieName}=${await browser.cookie(stack.apiUrl, stack.api.sessions.cookieName)}`;
    expect(await rawStatus(`${stack.apiUrl}`, `/api/remote/${path}`, { ...HEADERS, cookie })).toBe(status);
  });

  it('requires the CSRF header and an allowed Origin, as procedures do; without a session it is 401 with the reason', async () => {
    const browser = await signedIn(stack);
    const noCsrf = await browser.fetch(`${stack.apiUrl}/api/remote/reports/whoami`, { headers: { origin: FRONT } });
    expect(noCsrf.status).toBe(403);
    expect(await json(noCsrf)).toMatchObject({ error: 'csrf' });
    const otherOrigin = await browser.fetch(`${stack.apiUrl}/api/remote/reports/whoami`, { headers: { ...HEADERS, origin: 'https://evil.example' } });
    expect(otherOrigin.status).toBe(403);
    expect(await json(otherOrigin)).toMatchObject({ error: 'origin_denied' });
    const anonymous = await remote(stack, new Browser(), 'reports/whoami');
    expect(anonymous.status).toBe(401);
    expect(await json(anonymous)).toMatchObject({ error: 'no_session' });
  });

  it('forwards a JSON body and the method (the API answers them), refuses a body over maxBodyBytes (413) and a form-like body (csrf)', async () => {
    const browser = await signedIn(stack);
    const json = { headers: { 'content-type': 'application/json' } };
    const small = await remote(stack, browser, 'reports/summaries', { method: 'POST', body: JSON.stringify({ period: '2026-Q3' }), ...json });
    expect(small.status).toBe(405);
    const large = await remote(stack, browser, 'reports/summaries', { method: 'POST', body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 1) }), ...json });
    expect(large.status).toBe(413);
    const form = await remote(stack, browser, 'reports/summaries', {
      method: 'POST',
      body: 'a=b',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(403);
  });

  it('streams server-sent events from the API to the browser', async () => {
    const browser = await signedIn(stack);
    const response = await remote(stack, browser, 'reports/events', { headers: { accept: 'text/event-stream' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    expect(text.match(/^data: /gm)).toHaveLength(3);
  });
});

describe('the remote-API proxy with a resource indicator (RFC 8707 refresh grant)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { reports: 'resource' });
  });
  afterAll(() => stack?.close());

  it('asks for the resource at sign-in and gets a token for it from the refresh token, which keeps working', async () => {
    const browser = await signedIn(stack);
    const response = await remote(stack, browser, 'reports/whoami');
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ sub: 'alice', aud: 'urn:bff:reports', scope: 'reports:read' });
    // The grant rotated the refresh token: the session kept the new one, so its own refresh still works.
    expect((await call(stack, browser, 'me')).status).toBe(200);
  });
});

describe('a downstream API that redirects elsewhere', () => {
  let stack: Stack<Api>;
  let redirector: Server;
  let elsewhere: Server;
  const reached: IncomingMessage[] = [];
  beforeAll(async () => {
    elsewhere = createServer((req, res) => {
      reached.push(req);
      res.end('stolen');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, resolve));
    const elsewherePort = (elsewhere.address() as AddressInfo).port;
    redirector = createServer((req, res) => {
      if (req.url === '/inside') res.writeHead(302, { location: '/v1/moved' }).end();
      else res.writeHead(302, { location: `http://127.0.0.1:${elsewherePort}/collect` }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, resolve));
    const port = (redirector.address() as AddressInfo).port;
    stack = await startStack(server, {
      env: { DOWNSTREAM_APIS: JSON.stringify({ moving: { baseUrl: `http://localhost:${port}`, token: 'session' } }) },
    });
  });
  afterAll(async () => {
    await stack?.close();
    redirector?.close();
    elsewhere?.close();
  });

  it('is not followed (the token never leaves for another origin) and not passed on: 502 downstream_redirect', async () => {
    const browser = await signedIn(stack);
    const response = await remote(stack, browser, 'moving/anything');
    expect(response.status).toBe(502);
    expect(await json(response)).toMatchObject({ error: 'downstream_redirect', api: 'moving' });
    expect(reached).toHaveLength(0);
  });
});

describe('two instances on Redis', () => {
  let redis: RedisServer;
  let stack: Stack<Api>;
  let b: Awaited<ReturnType<Stack<Api>['addInstance']>>;
  beforeAll(async () => {
    redis = await startRedis();
    stack = await startStack(server, { reports: 'exchange', env: { REDIS_URL: redis.url } });
    b = await stack.addInstance();
  });
  afterAll(async () => {
    await b?.close();
    await stack?.close();
    await redis?.stop();
  });

  it('make one exchange per session and API under 40 concurrent calls spread over both, all answered with that one token', async () => {
    const browser = await signedIn(stack);
    const seen = stack.reports?.api.tokensSeen.size ?? 0;
    const calls = Array.from({ length: 40 }, (_, i) => remote(i % 2 ? b : stack, browser, 'reports/whoami'));
    const statuses = await Promise.all(calls.map(async (response) => (await response).status));
    expect(statuses.every((status) => status === 200)).toBe(true);
    const logged = [...stack.logs, ...b.logs].filter((line) => line.includes('"downstream.token"')).length;
    expect(logged).toBe(1);
    expect((stack.reports?.api.tokensSeen.size ?? 0) - seen).toBe(1);
    // The token is in the shared session: either instance uses it later without a grant.
    expect((await remote(b, browser, 'reports/summaries')).status).toBe(200);
    expect([...stack.logs, ...b.logs].filter((line) => line.includes('"downstream.token"')).length).toBe(1);
  });
});

describe('in the FAPI 2.0 profile', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { fapi2: true, reports: 'exchange' });
  });
  afterAll(() => stack?.close());

  it('exchanges for a DPoP-bound token and calls the API with a proof of the key for each request', async () => {
    const browser = await signedIn(stack);
    for (let call = 0; call < 2; call++) {
      const response = await remote(stack, browser, 'reports/whoami');
      expect(response.status).toBe(200);
      expect(await json(response)).toMatchObject({ sub: 'alice', aud: 'urn:bff:reports', bound: true, headers: expect.arrayContaining(['dpop']) });
    }
    expect((await call(stack, browser, 'reports')).status).toBe(200);
  });
});
