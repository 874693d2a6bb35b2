import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_ACCOUNTS } from '@bff/dev-idp';
import { Browser, FRONT, call, createTestIdp, freePort, login, startProcess, stopProcess, type ApiTarget } from '@bff/test-kit';
import { API_PATHS } from '@oidc-bff/protocol';
import { idpRegistration, loadConfig, type Env } from '@oidc-bff/server';
import { npmInstall } from './npm.js';
import { createScratchApp, installedCopies, testedRange, type ScratchApp } from './scratch.js';

const packs = inject('packs');
const alice = DEMO_ACCOUNTS.find((account) => account.login === 'alice');
if (!alice) throw new Error('The dev IdP has no demo account alice any more: pick another one here.');

let scratch: ScratchApp | undefined;
let idpServer: Server | undefined;
let app: ChildProcess | undefined;
const appOutput: string[] = [];
let target: ApiTarget;
let issuer: string;

async function listenOnLoopback(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** Two distinct free ports (a port freed a moment ago may be handed out again). */
async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort();
  for (;;) {
    const second = await freePort();
    if (second !== first) return [first, second];
  }
}

/** Waits until the scratch app reports ready (`/api/health`: store ready, IdP discovered). */
async function waitUntilReady(child: ChildProcess, url: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the scratch app exited (${child.exitCode ?? child.signalCode}):\n${appOutput.join('')}`);
    try {
      const response = await fetch(url);
      last = `${response.status} ${await response.text()}`;
      if (response.ok) return;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the scratch app was not ready at ${url} within ${timeoutMs} ms (last: ${last}):\n${appOutput.join('')}`);
}

beforeAll(async () => {
  const manifests = [packs.server.manifest];
  scratch = await createScratchApp('express-app', {
    // Installed from the registry, the server would bring the protocol package itself; as tarballs, both are named.
    '@oidc-bff/protocol': `file:${packs.protocol.tarball}`,
    '@oidc-bff/server': `file:${packs.server.tarball}`,
    '@trpc/server': testedRange('@trpc/server', manifests),
    express: testedRange('express', manifests),
    zod: testedRange('zod', manifests),
  });
  await npmInstall(scratch.dir);

  const [idpPort, appPort] = await twoFreePorts();
  issuer = `http://localhost:${idpPort}`;
  target = { apiUrl: `http://localhost:${appPort}` };
  // The scratch app's whole configuration: nothing of this process's environment reaches it.
  const env: Env = {
    PORT: String(appPort),
    OIDC_ISSUER: issuer,
    OIDC_CLIENT_ID: 'scratch-app',
    OIDC_CLIENT_SECRET: randomBytes(24).toString('base64url'),
    OIDC_AUDIENCE: 'urn:scratch:api',
    BACK_URL: target.apiUrl,
    FRONT_URL: FRONT,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
  };
  const config = loadConfig(env);
  const idp = await createTestIdp({ issuer, audience: config.oidc.audience, registration: idpRegistration(config) });
  idpServer = createServer(idp.handler);
  await listenOnLoopback(idpServer, idpPort);

  app = startProcess(process.execPath, ['server.js'], { cwd: scratch.dir, env: { PATH: process.env['PATH'], ...env } });
  app.stdout?.on('data', (chunk: Buffer) => appOutput.push(chunk.toString()));
  app.stderr?.on('data', (chunk: Buffer) => appOutput.push(chunk.toString()));
  await waitUntilReady(app, `${target.apiUrl}${API_PATHS.health}`);
});

afterAll(async () => {
  if (app) await stopProcess(app);
  if (idpServer) {
    idpServer.closeAllConnections();
    await new Promise<void>((resolve) => idpServer?.close(() => resolve()));
  }
  await scratch?.remove();
});

describe('a plain Express app with @oidc-bff/server installed from its tarball', () => {
  it('uses the packed protocol package, not one from the registry', () => {
    expect(installedCopies(scratch?.dir ?? '', '@oidc-bff/protocol')).toEqual([packs.protocol.version]);
  });

  it('keeps serving its own routes beside the mounted BFF', async () => {
    const home = await fetch(`${target.apiUrl}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toBe('scratch home');
  });

  it('refuses its protected procedure before sign-in', async () => {
    const hello = await call(target, new Browser(), 'hello');
    expect(hello.status).toBe(401);
    expect(hello.body.error.data.code).toBe('UNAUTHORIZED');
  });

  it('signs in through the dev IdP, calls its procedure and me, and signs out', async () => {
    const browser = new Browser();
    expect(await login(target, browser, 'alice')).toBe(`${FRONT}/`);

    const hello = await call(target, browser, 'hello');
    expect(hello.status).toBe(200);
    expect(hello.body.result.data).toEqual({ hello: alice.name });

    const me = await call(target, browser, 'me');
    expect(me.status).toBe(200);
    expect(me.body.result.data.user).toMatchObject({ sub: 'alice', name: alice.name });
    const logoutUrl = new URL(me.body.result.data.logoutUrl);
    expect(logoutUrl.origin + logoutUrl.pathname).toBe(`${target.apiUrl}${API_PATHS.logout}`);

    const home = await browser.fetch(`${target.apiUrl}/`);
    expect(await home.text()).toBe('scratch home');

    const loggedOut = await browser.fetch(logoutUrl.href);
    expect(loggedOut.status).toBe(303);
    expect(loggedOut.headers.get('location')).toMatch(new RegExp(`^${issuer}/`));
    expect((await call(target, browser, 'me')).status).toBe(401);
    expect((await call(target, browser, 'hello')).status).toBe(401);
  });
});
