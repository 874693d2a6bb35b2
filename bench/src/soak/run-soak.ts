import { createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { idpRegistration, loadConfig, type Env } from '@bff/server';
import { Browser, FRONT, createTestIdp, freePort, login } from '@bff/test-kit';
import { ChildServer } from '../child-server.js';
import { Outcomes } from './outcomes.js';
import type { LogCounts, Reading, SoakApiOptions } from './readings.js';
import { runCalls, runStreams, type SessionCookie, type Target } from './traffic.js';
import { MARGINS, evaluate, formatCounts, type Check, type Margins } from './verdict.js';

/** The sizes and limits of one soak. */
export interface SoakOptions {
  readonly calls: number;
  readonly streams: number;
  /** Load sent before the baseline is read, so that it holds what a warm process holds (JIT code, pools, the chat's full history). */
  readonly warmupCalls: number;
  readonly warmupStreams: number;
  /** Concurrent keep-alive connections for calls. */
  readonly connections: number;
  /** Signed-in browsers; calls and streams are spread over them. */
  readonly sessions: number;
  /** Streams a session holds open at once: below the per-session cap on open streams (6 by default). */
  readonly streamsPerSession: number;
  readonly margins: Margins;
  /** The whole soak, sign-in to verdict; load still unsent then is left unsent and the soak fails. */
  readonly maxSeconds: number;
  /** Where to write V8 heap snapshots of the API child at the baseline and after the load (`.heapsnapshot`, for Chrome DevTools' Memory tab). */
  readonly snapshotDir?: string;
  readonly log?: (line: string) => void;
}

/** `npm run soak`: the sizes issue 16 asks for. */
export const FULL_SOAK: Omit<SoakOptions, 'log'> = {
  calls: 100_000,
  streams: 5000,
  warmupCalls: 10_000,
  warmupStreams: 500,
  connections: 20,
  sessions: 4,
  streamsPerSession: 5,
  margins: MARGINS,
  maxSeconds: 600,
};

/** `npm run soak -- --quick` and the soak in `npm test`: the same checks in well under a minute. */
export const QUICK_SOAK: Omit<SoakOptions, 'log'> = { ...FULL_SOAK, calls: 5000, streams: 300, warmupCalls: 3000, warmupStreams: 150, maxSeconds: 90 };

/** Figures of one phase (warm-up or load). */
export interface PhaseFigures {
  readonly seconds: number;
  readonly calls: number;
  readonly callsPerSecond: number;
  readonly streamsDropped: number;
  readonly streamsDroppedEarly: number;
  readonly messagesDelivered: number;
  readonly refused: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  readonly examples: readonly string[];
}

export interface SoakReport {
  readonly options: Omit<SoakOptions, 'log'>;
  readonly warmup: PhaseFigures;
  readonly load: PhaseFigures;
  readonly baseline: Reading;
  readonly after: Reading;
  /** The API's log lines during the load, by kind. */
  readonly serverLog: LogCounts;
  readonly checks: readonly Check[];
  readonly ok: boolean;
}

/** Soak-only secrets: the API refuses its published development defaults under NODE_ENV=production. */
const API_SECRETS = {
  OIDC_CLIENT_ID: 'bff-soak',
  OIDC_CLIENT_SECRET: 'soak-only-client-secret-0123456789abcdef',
  SESSION_SECRET: 'soak-only-session-secret-0123456789abcdef0123456789',
} as const;

/** A demo user of the development IdP who is an analyst, so that `analytics` answers. */
const USER = 'alice';
/** An IPC answer slower than this means a stuck child. */
const READ_TIMEOUT_MS = 30_000;
/**
 * Readings are retaken until sockets and timers stop changing (connections take a moment
 * to close; the API's idle connections to the IdP close after a few seconds), at most this long.
 */
const SETTLE_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A reading once sockets and timers have stopped changing; with `baseline`, once they are
 * also back at most at the baseline's (a leak does not go away by waiting; a connection
 * that is closing does), or the last reading when `SETTLE_MS` has passed.
 */
async function settledReading(api: ChildServer, baseline?: Reading): Promise<Reading> {
  const read = () => withTimeout(api.request<Reading>('read'), READ_TIMEOUT_MS, 'soak API reading');
  const settled = (previous: Reading, current: Reading) =>
    current.fds === previous.fds &&
    current.resources === previous.resources &&
    (!baseline || ((current.fds ?? 0) <= (baseline.fds ?? 0) && current.resources <= baseline.resources));
  let previous = await read();
  for (const started = performance.now(); performance.now() - started < SETTLE_MS;) {
    await sleep(250);
    const current = await read();
    if (settled(previous, current)) return current;
    previous = current;
  }
  return previous;
}

async function listen(server: Server, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
}

async function phase(
  target: Target,
  sessions: readonly SessionCookie[],
  options: SoakOptions,
  sizes: { calls: number; streams: number },
  signal: AbortSignal,
): Promise<PhaseFigures & { outcomes: Outcomes }> {
  const outcomes = new Outcomes();
  const started = performance.now();
  let callsSeconds = 0;
  await Promise.all([
    runCalls({ target, sessions, count: sizes.calls, connections: options.connections, outcomes, signal }).then(() => {
      callsSeconds = (performance.now() - started) / 1000;
    }),
    runStreams({ target, sessions, count: sizes.streams, perSession: options.streamsPerSession, outcomes, signal }),
  ]);
  return {
    outcomes,
    seconds: (performance.now() - started) / 1000,
    calls: outcomes.calls,
    callsPerSecond: outcomes.calls / Math.max(callsSeconds, 1e-3),
    streamsDropped: outcomes.streamsDropped,
    streamsDroppedEarly: outcomes.streamsDroppedEarly,
    messagesDelivered: outcomes.messagesDelivered,
    refused: Object.fromEntries(outcomes.refused),
    errors: Object.fromEntries(outcomes.errors),
    examples: outcomes.examples,
  };
}

/** Log counts that grew between two snapshots. */
function grown(before: LogCounts, after: LogCounts): LogCounts {
  return Object.fromEntries(Object.entries(after).flatMap(([kind, count]) => (count > (before[kind] ?? 0) ? [[kind, count - (before[kind] ?? 0)]] : [])));
}

/**
 * The soak: one API instance in a child process of its own (production wiring and log
 * level, `--expose-gc`), the development IdP on loopback, `sessions` browsers signed in
 * through the IdP's form; a warm-up, a baseline reading, the load (calls and streams at
 * once), a reading after it, and the checks. Every process and server it starts is
 * stopped before it returns, also after a failure.
 *
 * @throws when the setup fails (a server that does not start, a sign-in refused).
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const deadline = AbortSignal.timeout(options.maxSeconds * 1000);
  const [idpPort, apiPort] = [await freePort(), await freePort()];
  const idpUrl = `http://localhost:${idpPort}`;
  const apiUrl = `http://localhost:${apiPort}`;
  const env: Env = {
    NODE_ENV: 'production',
    OIDC_ISSUER: idpUrl,
    OIDC_AUDIENCE: 'urn:bff:api',
    FRONT_URL: FRONT,
    BACK_URL: apiUrl,
    ...API_SECRETS,
    // A soak sends thousands of calls a second from a few sessions: the per-session limits are off here, explicitly.
    RATE_LIMIT_CALLS_PER_MINUTE: '0',
    RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
  };
  const config = loadConfig(env);
  const idp = await createTestIdp({ issuer: idpUrl, audience: config.oidc.audience, registration: idpRegistration(config) });
  const idpServer = createServer(idp.handler);
  let api: ChildServer | undefined;
  try {
    await listen(idpServer, idpPort);
    const apiOptions: SoakApiOptions = { port: apiPort, env };
    api = await ChildServer.start('soak API', 'soak/api-child.ts', apiOptions, { execArgv: ['--expose-gc'], env: { NODE_ENV: 'production' } });
    const target: Target = { port: apiPort };
    const sessions: SessionCookie[] = [];
    for (let i = 0; i < options.sessions; i++) {
      const browser = new Browser();
      await login({ apiUrl }, browser, USER);
      const cookie = await browser.jar.getCookieString(apiUrl);
      if (!cookie) throw new Error(`sign-in ${i + 1} left no session cookie`);
      sessions.push(cookie);
    }
    log(
      `soak: ${sessions.length} sessions signed in through the IdP form; API child pid ${api.pid} on ${apiUrl} (${availableParallelism()} CPUs, Node ${process.version})`,
    );

    const warmup = await phase(target, sessions, options, { calls: options.warmupCalls, streams: options.warmupStreams }, deadline);
    log(
      `  warm-up  ${warmup.calls} calls (${warmup.callsPerSecond.toFixed(0)}/s), ${warmup.streamsDropped + warmup.streamsDroppedEarly} streams in ${warmup.seconds.toFixed(1)} s`,
    );
    const baseline = await settledReading(api);
    const snapshot = async (name: string) => {
      if (!options.snapshotDir || !api) return;
      const path = join(options.snapshotDir, `soak-${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.heapsnapshot`);
      await withTimeout(api.request('snapshot', { path }), READ_TIMEOUT_MS * 4, 'heap snapshot');
      log(`  heap snapshot (${name}): ${path}`);
    };
    await snapshot('baseline');
    const logsBefore = await api.request<LogCounts>('logs');
    const load = await phase(target, sessions, options, { calls: options.calls, streams: options.streams }, deadline);
    const after = await settledReading(api, baseline);
    await snapshot('after');
    const serverLog = grown(logsBefore, await api.request<LogCounts>('logs'));

    const serverErrors = Object.entries(serverLog)
      .filter(([kind]) => kind.startsWith('error') || kind === 'request 5xx')
      .reduce((total, [, count]) => total + count, 0);
    const streamsDone = load.streamsDropped + load.streamsDroppedEarly + countOf(load.refused, 'stream') + countOf(load.errors, 'stream');
    const callsDone = load.calls + countOf(load.refused, 'call') + countOf(load.errors, 'call');
    const checks = evaluate(baseline, after, options.margins, {
      calls: options.calls,
      streams: options.streams,
      callsDone,
      streamsDone,
      unexpectedErrors: load.outcomes.errorCount + warmup.outcomes.errorCount,
      serverErrors,
      timedOut: deadline.aborted,
    });
    const { log: _log, ...settings } = options;
    return {
      options: settings,
      warmup: withoutOutcomes(warmup),
      load: withoutOutcomes(load),
      baseline,
      after,
      serverLog,
      checks,
      ok: checks.every((c) => c.ok),
    };
  } finally {
    await api?.stop();
    idpServer.closeAllConnections();
    await new Promise<void>((resolve) => idpServer.close(() => resolve()));
  }
}

function countOf(counts: Readonly<Record<string, number>>, prefix: string): number {
  return Object.entries(counts)
    .filter(([kind]) => kind.startsWith(`${prefix} `))
    .reduce((total, [, count]) => total + count, 0);
}

function withoutOutcomes({ outcomes: _outcomes, ...figures }: PhaseFigures & { outcomes: Outcomes }): PhaseFigures {
  return figures;
}

/** The report as the terminal shows it. */
export function formatReport(report: SoakReport): string {
  const { load, options } = report;
  const lines = [
    `  load     ${load.calls} calls in ${load.seconds.toFixed(1)} s: ${load.callsPerSecond.toFixed(0)} calls/s over ${options.connections} connections; ` +
      `${load.streamsDropped + load.streamsDroppedEarly} streams opened and dropped (${load.streamsDroppedEarly} before any event; ` +
      `${options.sessions} sessions × ${options.streamsPerSession} at once), ${load.messagesDelivered} messages delivered to them`,
    ...report.checks.map((c) => `  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
    `  refused (expected): ${formatCounts(new Map(Object.entries(load.refused)))}`,
    `  errors: ${formatCounts(new Map(Object.entries(load.errors)))}` +
      (Object.keys(report.warmup.errors).length > 0 ? `; in the warm-up: ${formatCounts(new Map(Object.entries(report.warmup.errors)))}` : ''),
    ...[...report.warmup.examples, ...load.examples].map((e) => `    ${e}`),
    `  API log during the load: ${formatCounts(report.serverLog)}`,
    `  active resources: baseline ${formatCounts(report.baseline.resourcesByKind)}; after ${formatCounts(report.after.resourcesByKind)}`,
  ];
  if (report.checks.some((c) => !c.ok && (c.name === 'heap after GC' || c.name === 'RSS')) && !options.snapshotDir) {
    lines.push('  to see what grew: rerun with --heap-snapshots and compare the two snapshots in Chrome DevTools (Memory, Comparison)');
  }
  return lines.join('\n');
}
