import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '@bff/test-kit';
import * as server from '../../testing/test-app.js';
import type { Bff as Api } from '../../bff.js';
import { loadConfig } from '../../config/env.js';
import { createCors } from './cors.js';

const FRONTS = ['https://app.example.com', 'https://admin.example.com:8443', 'http://localhost:4299'];
/** The fronts are cross-site to the plain-http test API; Lax keeps the configuration valid (CORS does not depend on it). */
const ENV = { FRONT_URL: FRONTS.join(','), COOKIE_SAMESITE: 'lax' };

/** Near misses of an allowed origin: what a suffix, prefix, case or port check would let through. */
function nearMisses(origins: readonly string[]): fc.Arbitrary<string> {
  const origin = fc.constantFrom(...origins);
  const suffix = fc.constantFrom(
    '/',
    '//',
    '.',
    '.evil.com',
    '.evil.com/',
    'x',
    ':443',
    ':80',
    ':8443',
    ':4299',
    ':0',
    ',https://evil.com',
    ' ',
    '\t',
    '%00',
    '#',
    '?',
    '/path',
  );
  const prefix = fc.constantFrom('x', ' ', 'evil.', 'https://evil.com?', 'null,', '*');
  return fc.oneof(
    fc.tuple(origin, suffix).map(([o, s]) => o + s),
    fc.tuple(prefix, origin).map(([p, o]) => p + o),
    fc.tuple(origin, prefix).map(([o, p]) => o.replace('://', `://${p}`)),
    origin.map((o) => o.slice(0, -1)),
    origin.map((o) => o.replace(/^https?/, (scheme) => (scheme === 'https' ? 'http' : 'https'))),
    origin.map((o) => o.replace('://', '://user@')),
    fc.mixedCase(origin),
    fc.constantFrom('null', '*', '', 'file://', 'https://', 'https://evil.com', 'https://app.example.com.evil.com', 'https://xapp.example.com'),
  );
}

const anyOrigin = (origins: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...origins),
    nearMisses(origins),
    fc.string({ unit: 'binary' }),
    fc.webUrl().map((url) => new URL(url).origin),
  );

function expectCors(headers: Record<string, unknown>, origin: string | undefined, allowed: ReadonlySet<string>): void {
  const granted = origin !== undefined && allowed.has(origin);
  const values = Object.entries(headers).filter(([name]) => name.toLowerCase().startsWith('access-control-'));
  for (const [, value] of values) expect(String(value).trim()).not.toBe('*');
  if (granted) {
    expect(headers['access-control-allow-origin']).toBe(origin);
    expect(headers['access-control-allow-credentials']).toBe('true');
  } else {
    expect(values).toEqual([]);
  }
}

describe('CORS origin matching properties (S11)', () => {
  const allowed = new Set(loadConfig(ENV).frontOrigins);

  it('grants CORS only to an exact allowed origin, never *, for any Origin and method', async () => {
    const cors = createCors(allowed);
    await fc.assert(
      fc.asyncProperty(fc.option(anyOrigin([...allowed]), { nil: undefined }), fc.constantFrom('OPTIONS', 'GET', 'POST'), async (origin, method) => {
        const req = new IncomingMessage(new Socket());
        req.method = method;
        req.url = '/api/trpc/me';
        req.headers = { ...(origin !== undefined ? { origin } : {}), 'access-control-request-method': 'POST' };
        const res = new ServerResponse(req);
        await cors(req, res);
        expectCors(res.getHeaders(), origin, allowed);
      }),
      { numRuns: 1000 },
    );
  });

  it('allows exactly the canonical origins, however FRONT_URL spells them', () => {
    const spelled = fc.tuple(fc.constantFrom(...FRONTS), fc.constantFrom('', '/'), fc.boolean()).chain(([front, slash, defaultPort]) =>
      fc.mixedCase(fc.constant(front)).map((cased) => {
        const withPort = defaultPort && !/:\d+$/.test(front) ? `${cased}:${front.startsWith('https') ? 443 : 80}` : cased;
        return { front, raw: `${withPort}${slash}` };
      }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(spelled, { minLength: 1, maxLength: 3, selector: (s) => s.front }), (fronts) => {
        const origins = loadConfig({ ...ENV, FRONT_URL: fronts.map((f) => f.raw).join(',') }).frontOrigins;
        expect(origins).toEqual(fronts.map((f) => f.front));
      }),
    );
  });
});

describe('CORS over real HTTP through the tRPC endpoint (S11)', () => {
  let stack: Stack<Api>;
  beforeAll(async () => {
    stack = await startStack(server, { env: ENV });
  });
  afterAll(() => stack.close());

  // What an HTTP client can put in a header: no controls but tab; a client and the server drop surrounding whitespace.
  const sendable = (origin: string) => !/[^\t\x20-\x7e\x80-\xff]/.test(origin);
  const onTheWire = (origin: string) => origin.replace(/^[\t ]+|[\t ]+$/g, '');

  it('answers pre-flights and calls with CORS headers only for an exact allowed origin', async () => {
    const allowed = new Set(FRONTS);
    await fc.assert(
      fc.asyncProperty(anyOrigin(FRONTS).filter(sendable), async (origin) => {
        const received = onTheWire(origin);
        const preflight = await fetch(`${stack.apiUrl}/api/trpc/chat.send`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-csrf' },
        });
        await preflight.body?.cancel();
        expectCors(Object.fromEntries(preflight.headers), received === '' ? undefined : received, allowed);
        const call = await fetch(`${stack.apiUrl}/api/trpc/me`, { headers: { origin, 'x-csrf': '1' } });
        await call.body?.cancel();
        expectCors(Object.fromEntries(call.headers), received === '' ? undefined : received, allowed);
        if (!allowed.has(received)) expect(call.status).toBe(403);
      }),
      { numRuns: 150 },
    );
  });
});
