import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, login, startStack, type Stack } from '@bff/test-kit';
import * as server from './testing/test-app.js';
import type { Bff as Api } from './bff.js';
import { captureLogs } from '@bff/test-kit';
import { createLogger } from './log.js';

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server, { accessTokenTtl: 2 });
});
afterAll(() => stack.close());

describe('structured logs (S15)', () => {
  it('hold no token, cookie value or secret after a full login, refresh and logout', async () => {
    const browser = new Browser();
    await login(stack, browser, 'alice', 'alice', '/chat');
    const cookie = (await browser.cookie(`${stack.apiUrl}/`, 'bff_session')) ?? '';
    const id = stack.api.sessions.idOf(cookie) ?? '';
    const handle = cookie.split('.')[0] ?? '';
    const before = await stack.api.sessions.reload(id);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect((await call(stack, browser, 'me')).status).toBe(200);
    const after = await stack.api.sessions.reload(id);
    expect(after?.accessToken).not.toBe(before?.accessToken);
    const { logoutUrl } = (await call(stack, browser, 'me')).body.result.data;
    await browser.fetch(logoutUrl);
    await call(stack, browser, 'me', { headers: { origin: 'http://evil.example' } });

    const logs = stack.logs.join('\n');
    const secrets = [
      cookie,
      handle,
      before?.accessToken,
      before?.refreshToken,
      before?.idToken,
      after?.accessToken,
      after?.refreshToken,
      before?.logoutId,
      ...stack.api.config.session.secrets,
      stack.api.config.oidc.clientSecret,
    ];
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/eyJ[\w-]{10,}/);
    for (const event of ['auth.login', 'auth.refresh', 'auth.logout', 'auth.denied']) expect(logs).toContain(`"event":"${event}"`);
  });

  it('writes one JSON line per request with a request id, echoed in x-request-id', async () => {
    const res = await fetch(`${stack.apiUrl}/api/health`, { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
    const generated = await fetch(`${stack.apiUrl}/api/health`, { headers: { 'x-request-id': 'bad id with spaces\n' } });
    const id = generated.headers.get('x-request-id') ?? '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const line = stack.logs.map((l) => JSON.parse(l) as { req?: { id: string; path: string }; res?: { status: number } }).find((l) => l.req?.id === id);
    expect(line).toMatchObject({ req: { id, path: '/api/health' }, res: { status: 200 } });
  });

  it('logs paths without query values (codes, states, sids)', async () => {
    await fetch(`${stack.apiUrl}/api/callback?code=secret-code-value&state=secret-state-value`, { redirect: 'manual' });
    expect(stack.logs.join('\n')).not.toContain('secret-code-value');
    expect(stack.logs.join('\n')).not.toContain('secret-state-value');
  });

  it('redacts credential fields whatever the caller passes', () => {
    const captured = captureLogs();
    const logger = createLogger({ destination: captured.destination });
    logger.info('test', { accessToken: 'a', nested: { refresh_token: 'b', cookie: 'c' }, password: 'd', kept: 'visible' });
    const line = JSON.parse(captured.lines[0] ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({
      event: 'test',
      accessToken: '[redacted]',
      nested: { refresh_token: '[redacted]', cookie: '[redacted]' },
      password: '[redacted]',
      kept: 'visible',
    });
  });
});
