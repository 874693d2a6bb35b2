import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { ServerSpec } from './catalog.js';
import { FRONT, USER, type BenchStack } from './bench-stack.js';
import { ChildServer } from './child-server.js';
import type { LoadGenerator } from './load/load-generator.js';
import type { LoadRequest, LoadResult } from './load/load-result.js';
import { busyCores, readCpuTicks, waitForQuiet } from './machine-load.js';
import { Browser, signInAt, SignInError } from '@bff/test-kit';
import type { BffServerOptions } from './servers/bff-api.js';

/** Durations and concurrency of one run. */
export interface RunSettings {
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** How many times a disturbed measurement is taken again. */
  readonly retries: number;
  /** Cores used by other processes above which a measurement counts as disturbed. */
  readonly disturbedCores: number;
  /** Milliseconds the whole bench may still spend waiting for a busy machine to calm down before measuring (shared, decreases). */
  readonly quietBudget: { ms: number };
}

/** One server measured once, in its own fresh process. */
export interface RunRecord {
  readonly server: string;
  readonly round: number;
  readonly warmup: LoadResult;
  readonly result: LoadResult;
  /** Measurements taken again because other processes disturbed them. */
  readonly discarded: readonly LoadResult[];
  /** Resident set size right after the measured load, bytes. */
  readonly rssBytes: number;
  readonly maxRssBytes: number;
  /** Server CPU (all its threads) per completed request, microseconds. */
  readonly serverCpuUsPerRequest: number;
  /** Server CPU during the measured load, in cores (may exceed 1: crypto and GC run on other threads). */
  readonly serverCpuCores: number;
  /**
   * CPU used on the machine during the measured load by anything but the server
   * and the load generator, in cores (other jobs on a shared machine). Above a
   * few tenths, the run was disturbed.
   */
  readonly foreignCpuCores: number;
  /** `/jwks` requests the IdP received while this server lived (login and load). */
  readonly jwksFetches: number;
  readonly startMs: number;
  readonly signInMs: number;
  /** Time spent waiting for other processes to leave the machine alone before measuring. */
  readonly waitedForQuietMs: number;
  readonly notes: Readonly<Record<string, unknown>>;
}

/** Raised when a server answers its first, pre-load request wrongly: a setup problem, not a measurement. */
export class ProbeError extends Error {
  readonly code = 'PROBE_FAILED';
}

/** A cookie as long as a real session cookie, so that servers without sessions parse the same headers. */
const DECOY_COOKIE = `bff_session=${randomBytes(64).toString('base64url')}`;

/** The options a server child of this kind is started with. */
export function childOptions(spec: ServerSpec, stack: BenchStack): object {
  return { ...baseOptions(spec, stack), ...spec.childOptions };
}

function baseOptions(spec: ServerSpec, stack: BenchStack): object {
  switch (spec.auth) {
    case 'bff':
      return { port: stack.apiPort, env: stack.apiEnv, redisUrl: stack.redisUrl, otlpUrl: stack.otlpUrl } satisfies BffServerOptions;
    case 'express-openid-connect':
      return stack.eoc;
    case 'none':
      return { front: FRONT };
    case 'reports-token':
      // The bare proxy forwards to the stack's reports API; a measured reports API verifies against the same IdP.
      return { upstream: stack.reports.url, issuer: stack.reports.issuer };
  }
}

/** The `Cookie` header the load sends: a real session for servers that need one, a decoy of the same size otherwise. */
export async function sessionCookie(spec: ServerSpec, stack: BenchStack, port: number): Promise<string> {
  switch (spec.auth) {
    case 'bff':
      return signIn(`http://localhost:${port}/api/login`, USER, (name) => name === stack.apiCookieName, FRONT);
    case 'express-openid-connect':
      // Large sessions are split into appSession.0, appSession.1, ...
      return signIn(`${stack.eoc.baseUrl}/login`, USER, (name) => name === 'appSession' || name.startsWith('appSession.'));
    case 'none':
    case 'reports-token':
      return DECOY_COOKIE;
  }
}

/** The `Authorization` header of runs that call the reports API without the BFF: a real token of the IdP for it. */
export async function bearerFor(spec: ServerSpec, stack: BenchStack): Promise<string | undefined> {
  return spec.auth === 'reports-token' ? `Bearer ${await stack.reports.token()}` : undefined;
}

async function probe(spec: ServerSpec, url: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, { headers, redirect: 'manual' });
  const text = await response.text();
  if (response.status !== 200 || !text.includes(spec.expect ?? '"alice"')) {
    throw new ProbeError(`${spec.id}: GET ${url} answered ${response.status} ${text.slice(0, 300)}`);
  }
}

/**
 * The measured request, as the Angular client sends it: the front's Origin, the
 * CSRF header, the session cookie. Sent to the loopback address (no resolver in
 * the loop) with the Host the API is configured for.
 */
export function loadTarget(spec: ServerSpec, port: number, cookie: string, authorization?: string): { url: string; headers: Record<string, string> } {
  return {
    url: `http://127.0.0.1:${port}${spec.path}`,
    headers: { host: `localhost:${port}`, origin: FRONT, 'x-csrf': '1', cookie, accept: 'application/json', ...(authorization ? { authorization } : {}) },
  };
}

const jwksOf = (counts: Readonly<Record<string, number>>) => counts['/jwks'] ?? 0;

interface Measurement {
  readonly result: LoadResult;
  readonly rssBytes: number;
  readonly maxRssBytes: number;
  readonly serverCpuUs: number;
  readonly serverCpuCores: number;
  readonly foreignCpuCores: number;
}

async function measureLoad(server: ChildServer, load: LoadGenerator, request: LoadRequest): Promise<Measurement> {
  const before = await server.stats();
  const ticksBefore = readCpuTicks();
  const result = await load.run(request);
  const ticksAfter = readCpuTicks();
  const after = await server.stats();
  const serverCpuUs = after.cpuUs - before.cpuUs;
  const serverCpuCores = serverCpuUs / 1e6 / result.seconds;
  const machineCores = busyCores(ticksBefore, ticksAfter, availableParallelism());
  return {
    result,
    rssBytes: after.rss,
    maxRssBytes: after.maxRss,
    serverCpuUs,
    serverCpuCores,
    foreignCpuCores: Math.max(0, machineCores - serverCpuCores - result.generatorCpu),
  };
}

/**
 * Starts `spec` alone in a fresh child, signs in if it needs a session, checks one
 * request, warms it up, measures it, and stops it. A measurement disturbed by
 * other processes (more than `settings.disturbedCores`) is taken again, up to
 * `settings.retries` times, keeping the least disturbed one.
 */
export async function measureOnce(spec: ServerSpec, round: number, stack: BenchStack, load: LoadGenerator, settings: RunSettings): Promise<RunRecord> {
  const jwksBefore = jwksOf(await stack.idpRequests());
  const started = performance.now();
  const server = await ChildServer.start(spec.id, spec.entry, childOptions(spec, stack), { env: { NODE_ENV: 'production' } });
  try {
    const startMs = performance.now() - started;
    const signInStarted = performance.now();
    const cookie = await sessionCookie(spec, stack, server.port);
    const signInMs = performance.now() - signInStarted;
    const { url, headers } = loadTarget(spec, server.port, cookie, await bearerFor(spec, stack));
    await probe(spec, url, headers);

    const request = { url, headers, connections: settings.connections };
    const warmup = await load.run({ ...request, seconds: settings.warmupSeconds });
    const attempts: Measurement[] = [];
    let waitedMs = 0;
    do {
      waitedMs += await waitForQuiet(settings.quietBudget, settings.disturbedCores, availableParallelism());
      attempts.push(await measureLoad(server, load, { ...request, seconds: settings.seconds }));
    } while (attempts.length <= settings.retries && (attempts.at(-1)?.foreignCpuCores ?? 0) > settings.disturbedCores);
    const kept = attempts.reduce((best, m) => (m.foreignCpuCores < best.foreignCpuCores ? m : best));
    const notes = await server.request<Record<string, unknown>>('notes');
    await server.stop();
    return {
      server: spec.id,
      round,
      warmup,
      result: kept.result,
      discarded: attempts.filter((m) => m !== kept).map((m) => m.result),
      rssBytes: kept.rssBytes,
      maxRssBytes: kept.maxRssBytes,
      serverCpuUsPerRequest: kept.serverCpuUs / Math.max(1, kept.result.requests),
      serverCpuCores: kept.serverCpuCores,
      foreignCpuCores: kept.foreignCpuCores,
      jwksFetches: jwksOf(await stack.idpRequests()) - jwksBefore,
      startMs,
      signInMs,
      waitedForQuietMs: waitedMs,
      notes,
    };
  } finally {
    await server.stop();
  }
}

/**
 * Signs in through the development IdP's real form (the test kit's walk) and returns
 * the `Cookie` header holding the application's session cookie(s) only.
 */
async function signIn(
  start: string,
  credentials: { login: string; password: string },
  isSessionCookie: (name: string) => boolean,
  stopAt?: string,
): Promise<string> {
  const browser = new Browser();
  const landed = await signInAt(start, browser, credentials.login, credentials.password, stopAt);
  const cookies = (await browser.jar.getCookies(start)).filter((c) => isSessionCookie(c.key));
  if (cookies.length === 0) throw new SignInError(`no session cookie after signing in (landed on ${landed})`);
  return cookies.map((c) => `${c.key}=${c.value}`).join('; ');
}
