import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, call, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../../testing/test-app.js';
import type { Bff as Api } from '../../bff.js';

let stack: Stack<Api>;
let alice: Browser;
beforeAll(async () => {
  stack = await startStack(server);
  alice = new Browser();
  await login(stack, alice, 'alice');
});
afterAll(() => stack.close());

async function post(headers: Record<string, string>, body: string) {
  const res = await alice.fetch(`${stack.apiUrl}/api/trpc/chat.send`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as { error: { data: { code: string; reason: string } } } };
}

async function historyLength(): Promise<number> {
  return (await call(stack, alice, 'chat.history')).body.result.data.length;
}

describe('CSRF defence on every procedure (S12)', () => {
  it('lets the client through: JSON, x-csrf header, allowed Origin', async () => {
    expect((await call(stack, alice, 'chat.send', { mutation: true, input: { text: 'legit' } })).status).toBe(200);
    expect((await call(stack, alice, 'me')).status).toBe(200);
  });

  it('refuses a query or a mutation without the x-csrf header', async () => {
    const query = await alice.fetch(`${stack.apiUrl}/api/trpc/me`, { headers: { origin: FRONT } });
    expect(query.status).toBe(403);
    expect(((await query.json()) as { error: { data: unknown } }).error.data).toMatchObject({ code: 'FORBIDDEN', reason: 'csrf' });
    const before = await historyLength();
    expect((await post({ 'content-type': 'application/json', origin: FRONT }, '{"text":"forged"}')).body.error.data.reason).toBe('csrf');
    expect(await historyLength()).toBe(before);
  });

  it('refuses a cross-site form post', async () => {
    const res = await post(
      { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      'text=forged',
    );
    expect(res.status).toBe(403);
    expect(res.body.error.data.reason).toBe('origin_denied');
  });

  it('refuses form and text/plain bodies even from an allowed origin', async () => {
    const before = await historyLength();
    expect((await post({ 'content-type': 'application/x-www-form-urlencoded', origin: FRONT }, 'text=forged')).body.error.data.reason).toBe('csrf');
    expect((await post({ 'content-type': 'text/plain', origin: FRONT, 'x-csrf': '1' }, '{"text":"forged"}')).body.error.data.reason).toBe('csrf');
    expect((await post({ 'content-type': 'application/x-www-form-urlencoded', origin: FRONT, 'x-csrf': '1' }, 'text=forged')).body.error.data.reason).toBe(
      'csrf',
    );
    expect(await historyLength()).toBe(before);
  });

  it('refuses a foreign Origin, and Sec-Fetch-Site: cross-site without one', async () => {
    expect((await call(stack, alice, 'me', { headers: { origin: 'http://evil.example' } })).body.error.data.reason).toBe('origin_denied');
    const res = await alice.fetch(`${stack.apiUrl}/api/trpc/me`, { headers: { 'sec-fetch-site': 'cross-site', 'x-csrf': '1' } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { data: { reason: string } } }).error.data.reason).toBe('origin_denied');
  });

  it('answers a refused batch in the batch shape, one typed error per procedure', async () => {
    const res = await alice.fetch(`${stack.apiUrl}/api/trpc/me,chat.history?batch=1&input=${encodeURIComponent('{}')}`, { headers: { origin: FRONT } });
    expect(res.status).toBe(403);
    const body = (await res.json()) as Array<{ error: { data: { path: string; reason: string } } }>;
    expect(body.map((e) => [e.error.data.path, e.error.data.reason])).toEqual([
      ['me', 'csrf'],
      ['chat.history', 'csrf'],
    ]);
  });
});
