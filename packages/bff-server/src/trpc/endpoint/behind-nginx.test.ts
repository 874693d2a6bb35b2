import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import { freePort, FRONT, startNginx, startStack, type Nginx, type Stack } from '@bff/test-kit';
import * as server from '../../testing/test-app.js';
import type { Bff as Api } from '../../bff.js';

/**
 * Issue 16: a jsonl batch was buffered whole and framed twice (`Transfer-Encoding` and
 * `Content-Length`), which a proxy may split or refuse (S25). Here the API sits behind
 * the `/api/` location of the shipped nginx example (deploy/nginx), as a deployment
 * would put it, and serves a batch of a quick call and one that waits for the test.
 */
const TEMPLATE = new URL('../../../../../deploy/nginx/bff.conf.template', import.meta.url);

/** The example's `location /api/ { ... }` block, proxying to `upstream`. */
function apiLocation(upstream: string): string {
  const block = /^ {2}location \/api\/ \{$[\s\S]*?^ {2}\}$/m.exec(readFileSync(TEMPLATE, 'utf8'))?.[0];
  if (!block) throw new Error('deploy/nginx/bff.conf.template has no `location /api/` block');
  return block.replaceAll('{{API_UPSTREAM}}', upstream);
}

let release: () => void = () => undefined;
const released = new Promise<void>((resolve) => (release = resolve));
const testRouter = server.router({
  quick: server.publicProcedure.query(() => 'quick-result'),
  held: server.publicProcedure.query(async () => {
    await released;
    return 'held-result';
  }),
});

let stack: Stack<Api>;
let nginx: Nginx;
let proxied: string;
beforeAll(async () => {
  stack = await startStack({ ...server, createApi: (config, logger, options) => server.createApi(config, logger, { ...options, router: testRouter }) });
  const proxyPort = await freePort();
  proxied = `http://localhost:${proxyPort}`;
  nginx = await startNginx(`server {\n  listen 127.0.0.1:${proxyPort};\n${apiLocation(`127.0.0.1:${new URL(stack.apiUrl).port}`)}\n}`);
}, 30_000);
afterAll(async () => {
  await nginx?.stop();
  await stack?.close();
});

describe('behind the nginx example', () => {
  it('streams a jsonl batch through: the quick call arrives before the held one ends, then the whole batch', async () => {
    const res = await fetch(`${proxied}${API_PATHS.trpc}/quick,held?batch=1`, {
      headers: { origin: FRONT, [CSRF_HEADER]: CSRF_HEADER_VALUE, 'trpc-accept': 'application/jsonl' },
    });
    expect(res.status).toBe(200);
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (predicate: () => boolean) => {
      while (!predicate()) {
        const chunk = await reader.read();
        if (chunk.done) return;
        text += decoder.decode(chunk.value, { stream: true });
      }
    };
    // A buffered batch would not send the quick call's line until the held one ends, which waits for this.
    await readUntil(() => text.includes('quick-result'));
    expect(text).not.toContain('held-result');
    release();
    await readUntil(() => false);
    const lines = text.split('\n').filter((line) => line !== '');
    const parsed = lines.map((line) => JSON.parse(line) as unknown);
    expect(JSON.stringify(parsed)).toContain('held-result');
    expect(nginx.accessLog()).toMatch(/GET \/api\/trpc\/quick,held 200/);
  });
});
