/**
 * Runs one deployment topology's back end in its own process (so that it can
 * trust the test CA through NODE_EXTRA_CA_CERTS): the development IdP, the API
 * and, unless a reverse proxy serves it, the built Angular app with its
 * config.json. Reads a {@link ServeSpec} as JSON from argv[2]; prints "ready".
 */
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import * as server from '@bff/server';
import { startStack, type Listener } from '@bff/test-kit';
import { resolveTestHostsToLoopback } from './resolve-test-hosts.js';

resolveTestHostsToLoopback();

export interface ServeSpec {
  readonly idp: Listener;
  readonly api: Listener;
  /** Absent when a reverse proxy serves the app. */
  readonly front?: Listener & { readonly apiUrl: string };
  readonly env: server.Env;
  /** Settings of the development IdP (e.g. which group claim it sends, its token lifetimes). */
  readonly devIdp?: { readonly groups?: 'names' | 'dns' | 'none'; readonly accessTokenTtl?: number; readonly refreshTokenTtl?: number };
  /** The dev IdP enforces the FAPI 2.0 Security Profile; the API runs OIDC_PROFILE=fapi2 with fresh keys. */
  readonly fapi2?: boolean;
  /** More API instances on the same IdP and shared state (behind a load balancer). */
  readonly moreApis?: readonly number[];
  readonly clientDist: string;
  readonly cert?: { readonly certFile: string; readonly keyFile: string };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as ServeSpec;
const tls = spec.cert ? { cert: await readFile(spec.cert.certFile), key: await readFile(spec.cert.keyFile) } : undefined;

function listen(listener: Listener, handler: RequestListener): Promise<void> {
  const server = listener.tls && tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
  return new Promise((resolve) => server.listen(listener.port, '127.0.0.1', resolve));
}

// The browser suite's own process: the test kit wires the dev IdP and the API on this topology's listeners.
const stack = await startStack(server, {
  env: spec.env,
  listen: { idp: spec.idp, api: spec.api, ...(tls ? { tls } : {}) },
  logLevel: 'warn',
  ...(spec.devIdp ? { devIdp: spec.devIdp } : {}),
  ...(spec.fapi2 ? { fapi2: true } : {}),
  // The dev reports API, as the downstream API `reports` (the journey's reports page).
  reports: 'exchange',
});

for (const port of spec.moreApis ?? []) await stack.addInstance({ port });

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain',
};

/** Serves the built app like a static host: files, `/config.json`, and index.html for client routes. */
async function serveFront(req: IncomingMessage, res: ServerResponse, apiUrl: string): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://front').pathname;
  if (path === '/config.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify({ apiUrl }));
    return;
  }
  const file = normalize(join(spec.clientDist, path));
  if (file.startsWith(spec.clientDist) && extname(file)) {
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
      return;
    } catch {
      res.writeHead(404).end();
      return;
    }
  }
  res.writeHead(200, { 'content-type': TYPES['.html'] ?? 'text/html' }).end(await readFile(join(spec.clientDist, 'index.html')));
}

const front = spec.front;
if (front) await listen(front, (req, res) => void serveFront(req, res, front.apiUrl));

await new Promise<void>((resolve, reject) => {
  const started = Date.now();
  const poll = () => {
    if (stack.api.oidc.status().ready) return resolve();
    if (Date.now() - started > 20_000) return reject(new Error('IdP discovery did not succeed'));
    setTimeout(poll, 50);
  };
  poll();
});
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
// Never outlive the test run, even when it was killed without a chance to stop us.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 500).unref();
