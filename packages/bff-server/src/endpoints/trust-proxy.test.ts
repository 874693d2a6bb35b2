import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

const LIMIT = 3;

async function login(stack: Stack<Api>, forwardedFor?: string): Promise<number> {
  const headers: Record<string, string> = { accept: 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) };
  const res = await fetch(`${stack.apiUrl}/api/login`, { redirect: 'manual', headers });
  await res.body?.cancel();
  return res.status;
}

describe('sign-in rate limit behind one proxy (TRUST_PROXY=1, issue 16)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { env: { TRUST_PROXY: '1', RATE_LIMIT_LOGIN_PER_MINUTE: String(LIMIT) } });
  });
  afterAll(() => stack.close());

  it('counts the address the proxy appended, whatever the client wrote to the left of it', async () => {
    // The proxy appends the address it saw (203.0.113.7); everything before it is the client's own writing.
    const statuses = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push(await login(stack, `198.51.100.${i}, 10.0.0.${i}, 203.0.113.7`));
    expect(statuses).toEqual([302, 302, 302, 429, 429]);
    expect(await login(stack, '203.0.113.7')).toBe(429);
    // Not the socket's address either: another client of the same proxy, and the proxy itself, have counters of their own.
    expect(await login(stack, '198.51.100.1, 203.0.113.8')).toBe(302);
    expect(await login(stack)).toBe(302);
  });
});
