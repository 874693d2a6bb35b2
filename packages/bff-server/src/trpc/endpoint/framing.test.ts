import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import { Browser, FRONT, login, startStack, type Stack } from '@bff/test-kit';
import * as server from '../../testing/test-app.js';
import type { Bff as Api } from '../../bff.js';

/**
 * Issue 16: a jsonl batch was answered with both `Transfer-Encoding: chunked` and
 * `Content-Length`, which RFC 9112 §6.1 forbids (S25). Read over a raw socket, since an
 * HTTP client either refuses such a head or hides it.
 */
let stack: Stack<Api>;
let cookie: string;
beforeAll(async () => {
  stack = await startStack(server);
  const alice = new Browser();
  await login(stack, alice, 'alice');
  cookie = await alice.jar.getCookieString(stack.apiUrl);
});
afterAll(() => stack.close());

interface RawResponse {
  readonly status: number;
  /** Header names in lower case, each with every value it was sent with. */
  readonly headers: Map<string, string[]>;
  /** The bytes after the head that arrived before the read stopped. */
  readonly body: Buffer;
}

/**
 * Sends `GET target` with `headers` over a new connection and reads until the server
 * closes it, or, with `headOnly`, until the head and the first bytes after it arrived.
 */
function rawGet(target: string, headers: Record<string, string>, options: { headOnly?: boolean } = {}): Promise<RawResponse> {
  const { port } = new URL(stack.apiUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let received = Buffer.alloc(0);
    const lines = [`GET ${target} HTTP/1.1`, `Host: localhost:${port}`, 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const parse = (): RawResponse | undefined => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const [statusLine = '', ...fields] = received.subarray(0, end).toString('latin1').split('\r\n');
      const parsed = new Map<string, string[]>();
      for (const field of fields) {
        const colon = field.indexOf(':');
        const name = field.slice(0, colon).trim().toLowerCase();
        parsed.set(name, [...(parsed.get(name) ?? []), field.slice(colon + 1).trim()]);
      }
      return { status: Number(statusLine.split(' ')[1]), headers: parsed, body: received.subarray(end + 4) };
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const response = options.headOnly ? parse() : undefined;
      if (response && response.body.length > 0) {
        socket.destroy();
        resolve(response);
      }
    });
    socket.on('end', () => {
      const response = parse();
      if (response) resolve(response);
      else reject(new Error(`no complete head in ${received.length} bytes`));
    });
    socket.on('error', reject);
  });
}

/** Decodes a chunked body (RFC 9112 §7.1). */
function dechunk(body: Buffer): string {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) throw new Error('truncated chunked body');
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(parts).toString('utf8');
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}

/** The framing headers a response head carries: exactly one is allowed. */
const framing = (response: RawResponse) => ['content-length', 'transfer-encoding'].filter((name) => response.headers.has(name));

const asClient = () => ({ origin: FRONT, [CSRF_HEADER]: CSRF_HEADER_VALUE, cookie });

describe('each response is framed once (S25, RFC 9112 §6.1)', () => {
  it('sends an ordinary JSON answer with Content-Length only', async () => {
    const response = await rawGet(`${API_PATHS.trpc}/me`, asClient());
    expect(response.status).toBe(200);
    expect(framing(response)).toEqual(['content-length']);
    expect(response.headers.get('content-length')).toEqual([String(response.body.length)]);
    expect(JSON.parse(response.body.toString('utf8'))).toMatchObject({ result: { data: { user: { sub: 'alice' } } } });
  });

  it('streams a jsonl batch with Transfer-Encoding: chunked only, every line whole', async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: null, 1: {} }));
    const response = await rawGet(`${API_PATHS.trpc}/me,chat.history?batch=1&input=${input}`, { ...asClient(), 'trpc-accept': 'application/jsonl' });
    expect(response.status).toBe(200);
    expect(framing(response)).toEqual(['transfer-encoding']);
    expect(response.headers.get('transfer-encoding')).toEqual(['chunked']);
    const lines = dechunk(response.body)
      .split('\n')
      .filter((line) => line !== '');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(lines.join('\n')).toContain('"sub":"alice"');
  });

  it('streams server-sent events with Transfer-Encoding: chunked only', async () => {
    const response = await rawGet(`${API_PATHS.trpc}/chat.onMessage`, { origin: FRONT, cookie, accept: 'text/event-stream' }, { headOnly: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')?.[0]).toContain('text/event-stream');
    expect(framing(response)).toEqual(['transfer-encoding']);
  });

  it('sends an early refusal with Content-Length only', async () => {
    const response = await rawGet(`${API_PATHS.trpc}/me`, { origin: FRONT });
    expect(response.status).toBe(403);
    expect(framing(response)).toEqual(['content-length']);
  });
});
