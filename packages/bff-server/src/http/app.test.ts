import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

describe('CORS (S11)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server);
  });
  afterAll(() => stack.close());

  const preflight = (origin: string) =>
    fetch(`${stack.apiUrl}/api/trpc/chat.send`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-csrf' },
    });

  it('answers an allowed origin exactly, with credentials', async () => {
    const res = await preflight(FRONT);
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe(FRONT);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-csrf');
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  it('gives a foreign origin no CORS header at all', async () => {
    for (const origin of ['http://evil.example', 'null', `${FRONT}.evil.example`, 'http://localhost:4298']) {
      const res = await preflight(origin);
      const cors = [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));
      expect(cors).toEqual([]);
      expect(res.headers.get('vary')).toMatch(/Origin/);
    }
    const res = await fetch(`${stack.apiUrl}/api/trpc/me`, { headers: { origin: 'http://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('marks API responses with user data as not cacheable', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    const res = await browser.fetch(`${stack.apiUrl}/api/trpc/me`, { headers: { origin: FRONT } });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('answers unknown routes and unreadable bodies without internals', async () => {
    const notFound = await fetch(`${stack.apiUrl}/nope`, { headers: { accept: 'application/json' } });
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ error: 'not_found', message: 'Not found.' });

    const browser = new Browser();
    await login(stack, browser, 'alice');
    const broken = await call(stack, browser, 'chat.send', { mutation: true, input: undefined, headers: {} });
    expect(broken.status).toBe(400);
    const malformed = await browser.fetch(`${stack.apiUrl}/api/trpc/chat.send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: FRONT, 'x-csrf': '1' },
      body: '{"text": ',
    });
    expect(malformed.status).toBe(400);
    const text = await malformed.text();
    expect(text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    expect(text).not.toContain('stack');
  });

  it('refuses oversized bodies with 413 and no internals', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice');
    const res = await browser.fetch(`${stack.apiUrl}/api/trpc/chat.send`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: FRONT, 'x-csrf': '1' },
      body: JSON.stringify({ text: 'x'.repeat(100_000) }),
    });
    expect(res.status).toBe(413);
    expect(await res.text()).not.toMatch(/\bat .+\.(ts|js):\d+/);
  });
});

describe('an identity provider that does not answer (S18)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { idp: false, env: { OIDC_TIMEOUT_MS: '300' } });
  });
  afterAll(() => stack.close());

  it('leaves the API up and not ready, and login fails fast with 503', async () => {
    const health = await fetch(`${stack.apiUrl}/api/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'starting', idp: 'unreachable', sessionStore: 'memory' });

    const started = Date.now();
    const res = await fetch(`${stack.apiUrl}/api/login`, { redirect: 'manual', headers: { accept: 'application/json' } });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toBe('idp_unavailable');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers API calls without a session with 401, IdP or not', async () => {
    expect((await call(stack, new Browser(), 'me')).body.error.data.reason).toBe('no_session');
  });

  it('becomes ready on its own once the IdP answers, and logins work', async () => {
    stack.attachIdp();
    await expect.poll(async () => (await fetch(`${stack.apiUrl}/api/health`)).status, { timeout: 10_000, interval: 100 }).toBe(200);
    const browser = new Browser();
    expect(await login(stack, browser, 'alice', 'alice', '/chat')).toBe(`${FRONT}/chat`);
    expect((await call(stack, browser, 'me')).status).toBe(200);
    expect(stack.logs.join('\n')).toContain('idp.discovery_failed');
  });
});

describe('headers and limits (S17)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { env: { RATE_LIMIT_LOGIN_PER_MINUTE: '3' } });
  });
  afterAll(() => stack.close());

  it('sends security headers on every response', async () => {
    for (const path of ['/api/health', '/api/trpc/me', '/nope']) {
      const res = await fetch(`${stack.apiUrl}${path}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(res.headers.get('x-powered-by')).toBeNull();
      // plain-http development: no HSTS (it is sent when BACK_URL is https)
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('rate-limits login attempts per client with 429', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await fetch(`${stack.apiUrl}/api/login`, { redirect: 'manual', headers: { accept: 'application/json' } })).status);
    }
    expect(statuses).toEqual([302, 302, 302, 429, 429]);
    const limited = await fetch(`${stack.apiUrl}/api/callback?state=x`, { redirect: 'manual', headers: { accept: 'application/json' } });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: string }).error).toBe('rate_limited');
  });
});
