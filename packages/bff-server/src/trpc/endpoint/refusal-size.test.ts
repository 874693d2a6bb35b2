import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import { FRONT, startStack, type Stack } from '@bff/test-kit';
import * as server from '../../testing/test-app.js';
import type { Bff as Api } from '../../bff.js';

/**
 * Issue 16: a refusal answered before tRPC runs wrote one error per comma of the path
 * (2 MB for 12,000 commas) and logged the whole path (S25).
 */
let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server);
});
afterAll(() => stack.close());

const FEW_KB = 4096;
const MAX_LOG_LINE = 1024;
const COMMAS = `${API_PATHS.trpc}/${','.repeat(12_000)}`;

interface ErrorShape {
  error: { code: number; message: string; data: { code: string; httpStatus: number; path?: string; reason?: string } };
}

/** One request; what it answered and the log lines written for it (the request line comes once the response is finished). */
async function send(path: string, init: RequestInit = {}) {
  const before = stack.logs.length;
  const res = await fetch(`${stack.apiUrl}${path}`, init);
  const text = await res.text();
  await expect.poll(() => stack.logs.slice(before).some((line) => line.includes('"msg":"request"'))).toBe(true);
  return { status: res.status, text, logs: stack.logs.slice(before) };
}

function expectBoundedLogs(logs: string[]) {
  expect(logs.length).toBeGreaterThan(0);
  for (const line of logs) expect(line.length).toBeLessThanOrEqual(MAX_LOG_LINE);
}

describe('early refusals are small whatever the path (S25)', () => {
  it('answers 12,000 commas in a batch without the CSRF header with one small typed error, and logs a bounded line', async () => {
    const { status, text, logs } = await send(`${COMMAS}?batch=1`, { headers: { origin: FRONT } });
    expect(status).toBe(403);
    expect(text.length).toBeLessThanOrEqual(FEW_KB);
    const body = JSON.parse(text) as ErrorShape;
    expect(Array.isArray(body)).toBe(false);
    expect(body.error.code).toBe(-32003);
    expect(body.error.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, reason: 'csrf' });
    expectBoundedLogs(logs);
    expect(logs.some((line) => line.includes('"event":"auth.denied"'))).toBe(true);
  });

  it('answers a foreign origin the same way', async () => {
    const { status, text, logs } = await send(`${COMMAS}?batch=1`, { headers: { origin: 'http://evil.example' } });
    expect(status).toBe(403);
    expect(text.length).toBeLessThanOrEqual(FEW_KB);
    expect((JSON.parse(text) as ErrorShape).error.data).toMatchObject({ code: 'FORBIDDEN', reason: 'origin_denied' });
    expectBoundedLogs(logs);
  });

  it('answers one more call than the batch limit with one error, which the typed client applies to every call', async () => {
    const paths = Array(11).fill('me').join(',');
    const { status, text } = await send(`${API_PATHS.trpc}/${paths}?batch=1`, { headers: { origin: FRONT } });
    expect(status).toBe(403);
    const body = JSON.parse(text) as ErrorShape;
    expect(Array.isArray(body)).toBe(false);
    expect(body.error.data).toMatchObject({ code: 'FORBIDDEN', reason: 'csrf' });
  });

  it('answers a single call with a 12,000-character path with a small error', async () => {
    const { status, text, logs } = await send(`${API_PATHS.trpc}/${'a'.repeat(12_000)}`, { headers: { origin: FRONT } });
    expect(status).toBe(403);
    expect(text.length).toBeLessThanOrEqual(FEW_KB);
    expect((JSON.parse(text) as ErrorShape).error.data).toMatchObject({ code: 'FORBIDDEN', reason: 'csrf' });
    expectBoundedLogs(logs);
  });

  it('answers a body over the limit on 12,000 commas with one small 413', async () => {
    const { status, text, logs } = await send(`${COMMAS}?batch=1`, {
      method: 'POST',
      headers: { origin: FRONT, [CSRF_HEADER]: CSRF_HEADER_VALUE, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(70_000) }),
    });
    expect(status).toBe(413);
    expect(text.length).toBeLessThanOrEqual(FEW_KB);
    expect((JSON.parse(text) as ErrorShape).error.data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
    expectBoundedLogs(logs);
  });
});
