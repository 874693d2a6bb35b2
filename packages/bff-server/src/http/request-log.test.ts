import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS } from '@oidc-bff/protocol';
import { FRONT, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';

/** Issue 16: the request log wrote whatever path it was sent, whole (S25). */
let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server);
});
afterAll(() => stack.close());

interface RequestLine {
  msg: string;
  req: { id: string; method: string; path: string };
  res: { status: number };
}

/** Sends one request with `x-request-id: id` and returns the request line logged for it. */
async function logged(path: string, id: string, init: RequestInit = {}): Promise<{ raw: string; line: RequestLine }> {
  const res = await fetch(`${stack.apiUrl}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-request-id': id } });
  await res.arrayBuffer();
  const find = () => stack.logs.find((raw) => raw.includes('"msg":"request"') && raw.includes(`"id":"${id}"`));
  await expect.poll(find).toBeDefined();
  const raw = find() ?? '';
  return { raw, line: JSON.parse(raw) as RequestLine };
}

describe('the request log is bounded (S25)', () => {
  it.each([
    ['an unknown endpoint', `/api/${'a'.repeat(12_000)}`, 'long-endpoint'],
    ['a tRPC batch of 12,000 commas', `${API_PATHS.trpc}/${','.repeat(12_000)}?batch=1`, 'long-batch'],
  ])('logs %s with its path cut, and a short line', async (_label, path, id) => {
    const { raw, line } = await logged(path, id, { headers: { origin: FRONT } });
    expect(raw.length).toBeLessThanOrEqual(1024);
    expect(line.req.path.length).toBeLessThan(300);
    expect(path.startsWith(line.req.path.slice(0, -1))).toBe(true);
    expect(line.res.status).toBeGreaterThanOrEqual(400);
  });

  it('logs a short path whole, without its query', async () => {
    const { line } = await logged(`${API_PATHS.trpc}/me?input=${encodeURIComponent('{"secret":"s3cr3t"}')}`, 'short-path', { headers: { origin: FRONT } });
    expect(line.req).toMatchObject({ method: 'GET', path: `${API_PATHS.trpc}/me` });
    expect(JSON.stringify(line)).not.toContain('s3cr3t');
  });
});
