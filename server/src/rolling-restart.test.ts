import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Browser,
  call,
  freePort,
  login,
  startNginx,
  startProcess,
  startRedis,
  startStack,
  stopProcess,
  type Nginx,
  type RedisServer,
  type Stack,
} from '@bff/test-kit';
import * as server from './index.js';
import type { Bff as Api } from '@oidc-bff/server';

/**
 * A rolling deploy: two API processes (the production entry, `dist/main.js`) behind
 * nginx round-robin, sharing one Redis. One is stopped with SIGTERM and started again
 * while a signed-in user keeps calling: no call fails, nobody is signed out.
 */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
let redis: RedisServer;
let stack: Stack<Api>;
let nginx: Nginx;
let origin: string;
const ports: number[] = [];
const instances: ChildProcess[] = [];
let env: Record<string, string>;

async function startInstance(port: number): Promise<ChildProcess> {
  const child = startProcess(process.execPath, [MAIN], { env: { ...process.env, ...env, PORT: String(port), SERVE_WEB: 'false' } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = Date.now();
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/api/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return child;
    if (child.exitCode !== null || Date.now() - started > 15_000) throw new Error(`instance on ${port} did not become ready:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  redis = await startRedis({ persistence: true });
  const proxyPort = await freePort();
  origin = `http://localhost:${proxyPort}`;
  env = {
    NODE_ENV: 'production',
    REDIS_URL: redis.url,
    BACK_URL: origin,
    FRONT_URL: 'http://localhost:4299',
    OIDC_CLIENT_ID: 'bff-rolling',
    OIDC_CLIENT_SECRET: 'rolling-restart-client-secret-0123456789',
    OIDC_AUDIENCE: 'urn:bff:api',
    SESSION_SECRET: 'rolling-restart-session-secret-0123456789abcdef',
    RATE_LIMIT_CALLS_PER_MINUTE: '0',
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
  };
  // The stack provides the IdP, with our client registered for the public origin.
  stack = await startStack(server, { env });
  env = { ...env, OIDC_ISSUER: stack.idpUrl };
  ports.push(await freePort(), await freePort());
  instances.push(...(await Promise.all(ports.map(startInstance))));
  nginx = await startNginx(`
  upstream api { ${ports.map((p) => `server 127.0.0.1:${p} max_fails=0;`).join(' ')} }
  server {
    listen 127.0.0.1:${proxyPort};
    location /api/ {
      proxy_pass http://api;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_set_header Host $http_host;
    }
  }`);
}, 60_000);

afterAll(async () => {
  await Promise.all([...instances.map((child) => stopProcess(child)), nginx?.stop()]);
  await stack?.close();
  await redis?.stop();
});

describe('rolling restart behind nginx', () => {
  it('serves every call while one instance stops gracefully (SIGTERM) and comes back', async () => {
    const alice = new Browser();
    await login({ apiUrl: origin }, alice, 'alice');
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      while (!stop) {
        const results = await Promise.all(
          Array.from({ length: 4 }, () =>
            call({ apiUrl: origin }, alice, 'me').then(
              (r) => r.status,
              () => 0,
            ),
          ),
        );
        statuses.push(...results);
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const first = instances[0];
    const port = ports[0];
    if (!first || port === undefined) throw new Error('no instance');
    const exited = new Promise<number | null>((resolve) => first.once('exit', (code) => resolve(code)));
    first.kill('SIGTERM');
    expect(await exited).toBe(0);
    instances[0] = await startInstance(port);
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop = true;
    await load;
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});
