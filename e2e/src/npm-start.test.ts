import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import type { BrowserContext } from 'playwright-core';
import * as server from '@bff/server';
import { Browser, call, login, startProcess, startStack, stopProcess, type Stack } from '@bff/test-kit';
import { launch } from './chromium.js';
import { fullJourney } from './journey.js';
import { REPO_ROOT, startTopology, type Topology } from './stack/topology.js';

/**
 * The README's first command, as a newcomer runs it: `npm start`, configured by the
 * environment only. The variables must reach the running API, dev IdP and web app
 * (turbo's strict environment mode would drop undeclared ones), and the API must start
 * once (no restart once it is ready). Then the topology of npm start's defaults in
 * Chromium. Everything in this file listens on npm start's fixed ports (3000, 4000, 4200),
 * so it runs in sequence here while the other browser tests, on free ports, run beside it.
 */
let running: { child: ChildProcess; output: () => string } | undefined;
let external: Stack<Awaited<ReturnType<typeof server.createApi>>> | undefined;
let topology: Topology | undefined;
let context: BrowserContext | undefined;

afterEach(async () => {
  if (running) await stopProcess(running.child, 10_000);
  running = undefined;
  await external?.close();
  external = undefined;
  await context?.close();
  await topology?.close();
  context = undefined;
  topology = undefined;
});

/** The environment a newcomer's shell has: this process's, without what vitest adds (`NODE_ENV=test`, `VITEST*`). */
function newcomerEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name, value]) => !name.startsWith('VITEST') && !(name === 'NODE_ENV' && value === 'test')));
}

async function npmStart(env: Record<string, string>, urls: { api: string; web: string }) {
  const child = startProcess('npm', ['start'], { cwd: REPO_ROOT, env: { ...newcomerEnv(), TURBO_TELEMETRY_DISABLED: '1', NG_CLI_ANALYTICS: 'false', ...env } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  running = { child, output: () => output };
  const started = Date.now();
  const up = async (url: string) =>
    fetch(url).then(
      (r) => r.status === 200,
      () => false,
    );
  for (;;) {
    const answered = { api: await up(`${urls.api}/api/health`), web: await up(`${urls.web}/config.json`) };
    if (answered.api && answered.web) break;
    if (child.exitCode !== null || Date.now() - started > 180_000) {
      // The polls' own request lines would fill the excerpt: leave them out.
      const lines = output.split('\n').filter((line) => !line.includes('"path":"/api/health"'));
      throw new Error(
        `npm start did not come up in ${Math.round((Date.now() - started) / 1000)} s (API ${answered.api ? 'answered' : 'silent'}, web app ${answered.web ? 'answered' : 'silent'}, exit code ${child.exitCode}):\n${lines.join('\n').slice(-4000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return running;
}

const listeningLines = (output: string) => output.split('\n').filter((line) => line.includes('"event":"api.listening"'));

describe('npm start', () => {
  it('passes FRONT_URL to the API and DEV_IDP_ACCESS_TOKEN_TTL to the dev IdP, and starts the API once', async () => {
    const extraFront = 'http://localhost:4300';
    const { output } = await npmStart(
      { FRONT_URL: `http://localhost:4200,${extraFront}`, DEV_IDP_ACCESS_TOKEN_TTL: '7' },
      { api: 'http://localhost:3000', web: 'http://localhost:4200' },
    );

    const preflight = await fetch('http://localhost:3000/api/trpc/me', {
      method: 'OPTIONS',
      headers: { origin: extraFront, 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe(extraFront);

    const alice = new Browser();
    await login({ apiUrl: 'http://localhost:3000' }, alice, 'alice');
    const me = await call({ apiUrl: 'http://localhost:3000' }, alice, 'me', { headers: { origin: 'http://localhost:4200' } });
    const lifetime = Date.parse(me.body.result.data.session.accessTokenExpiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(3000);
    expect(lifetime).toBeLessThanOrEqual(7000);

    expect(await (await fetch('http://localhost:4200/config.json')).json()).toEqual({ apiUrl: 'http://localhost:3000' });
    // Nothing rewrites what the API watches once it is up: it stays the process that answered.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect(listeningLines(output())).toHaveLength(1);
  }, 240_000);

  it('with OIDC_ISSUER set to another IdP, starts only the API and the web app; the web app follows BACK_URL', async () => {
    const api = 'http://localhost:3100';
    external = await startStack(server, { env: { BACK_URL: api, FRONT_URL: 'http://localhost:4200' } });
    const { output } = await npmStart({ OIDC_ISSUER: external.idpUrl, BACK_URL: api, PORT: '3100' }, { api, web: 'http://localhost:4200' });
    expect(await (await fetch('http://localhost:4200/config.json')).json()).toEqual({ apiUrl: api });
    expect(
      await fetch('http://localhost:4000/.well-known/openid-configuration').then(
        () => 'answered',
        () => 'refused',
      ),
    ).toBe('refused');
    expect(output()).toContain('dev_idp.skipped');
    const alice = new Browser();
    await login({ apiUrl: api }, alice, 'alice');
    expect((await call({ apiUrl: api }, alice, 'me', { headers: { origin: 'http://localhost:4200' } })).status).toBe(200);
  }, 240_000);
});

describe('deployment topologies in a real browser', () => {
  it('5. the npm start defaults (localhost:4200 → localhost:3000, IdP on :4000)', async () => {
    topology = await startTopology('npm-start-defaults');
    context = await launch({ trustSpki: topology.trustSpki });
    expect([topology.front, topology.api, topology.idp]).toEqual(['http://localhost:4200', 'http://localhost:3000', 'http://localhost:4000']);
    await fullJourney(context, topology, { expectCookie: { secure: false, sameSite: 'Lax' } });
  });
});
