import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS } from '@oidc-bff/protocol';
import { FRONT, startStack, type Stack } from '@bff/test-kit';
import * as server from '../../testing/test-app.js';
import type { Bff as Api } from '../../bff.js';

/** A refusal answered before tRPC runs stays this small whatever the path (issue 16, S25). */
const FEW_KB = 4096;
/** Below Node's 16 KiB header limit, so that the request reaches the endpoint at all. */
const MAX_URL = 12_000;

let stack: Stack<Api>;
beforeAll(async () => {
  stack = await startStack(server);
});
afterAll(() => stack.close());

const procedure = fc.oneof(
  fc.constantFrom('me', 'chat.send', 'chat.list', 'analytics', 'sessions.list', ''),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,40}$/),
  fc.string({ unit: 'binary', maxLength: 8 }).map(encodeURIComponent),
);

/** Procedure lists as a client or an attacker writes them: names, empty slots and runs of commas. */
const procedures = fc
  .tuple(fc.array(procedure, { maxLength: 30 }), fc.integer({ min: 0, max: 11_000 }), fc.constantFrom('', ',', '%2C'))
  .map(([names, commas, glue]) => `${names.join(glue || ',')}${','.repeat(commas)}`)
  .filter((path) => path.length <= MAX_URL);

/** The early refusals: anti-forgery header missing, a foreign origin, a non-JSON body. */
const refused = fc.constantFrom<{ readonly reason: string; readonly init: RequestInit }>(
  { reason: 'csrf', init: { headers: { origin: FRONT } } },
  { reason: 'origin_denied', init: { headers: { origin: 'http://evil.example', 'x-csrf': '1' } } },
  { reason: 'csrf', init: { method: 'POST', headers: { origin: FRONT, 'x-csrf': '1', 'content-type': 'text/plain' }, body: '{}' } },
);

interface ErrorEntry {
  error: { code: number; data: { code: string; httpStatus: number; reason?: string } };
}

describe('batch paths in early refusals (issue 16, S25)', () => {
  it('answers any path and comma count with a small typed FORBIDDEN, batch or not', async () => {
    await fc.assert(
      fc.asyncProperty(procedures, fc.boolean(), refused, async (path, batch, { reason, init }) => {
        const res = await fetch(`${stack.apiUrl}${API_PATHS.trpc}/${path}${batch ? '?batch=1' : ''}`, init);
        const text = await res.text();
        expect(res.status).toBe(403);
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(FEW_KB);
        const body = JSON.parse(text) as ErrorEntry | ErrorEntry[];
        const entries = Array.isArray(body) ? body : [body];
        expect(entries.length).toBeGreaterThan(0);
        for (const entry of entries) expect(entry.error.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, reason });
      }),
      { numRuns: 60 },
    );
  });
});
