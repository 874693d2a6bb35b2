import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SERVERS, type ServerSpec } from './catalog.js';
import { startBenchStack, type BenchStack } from './bench-stack.js';
import { ChildServer } from './child-server.js';
import { LoadGenerator } from './load/load-generator.js';
import { measureOnce, type RunRecord, type RunSettings } from './measure.js';
import { evaluateTargets, failedRequests, formatSummaries, formatTargets, summarize } from './report.js';

const USAGE = `Usage: npm run bench -w bench -- [options]

  --quick             CI smoke run: 1 round of 1 s per server (about 30 s in all)
  --rounds N          interleaved rounds (default 3)
  --duration S        measured seconds per run (default 5)
  --warmup S          warm-up seconds per run, discarded (default 2)
  --connections N     concurrent connections (default 32)
  --only a,b          measure these servers only (ids below)
  --experiments       also measure the experiments (tRPC adapters, logging, token
                      verification without cache)
  --retries N         retake a measurement disturbed by other processes up to N times
                      (default 1; 0 with --quick)
  --quiet-wait S      in all, wait up to S seconds for other processes to calm down
                      before measuring (default 60; 0 with --quick)

Servers: ${SERVERS.map((s) => s.id).join(', ')}

Exit status: 0 when every request succeeded (ratio targets are reported, not enforced);
1 when a request failed or an API process fetched the JWKS other than exactly once;
2 when a server did not start, a sign-in failed or a server refused its first request.`;

/** Above this many cores used by other processes during a run, its numbers are suspect. */
const DISTURBED_CORES = 0.25;

/** RSS of a bench child that does nothing, to read the RSS column against. */
async function idleRss(): Promise<number> {
  const idle = await ChildServer.start('idle', 'servers/idle.ts', {}, { env: { NODE_ENV: 'production' } });
  try {
    return (await idle.stats()).rss;
  } finally {
    await idle.stop();
  }
}

/** Exit statuses: CI tells a regression (1) from a broken setup (2). */
const EXIT = { ok: 0, failedRequests: 1, setup: 2 } as const;

interface Options {
  readonly quick: boolean;
  readonly rounds: number;
  readonly settings: RunSettings;
  readonly servers: readonly ServerSpec[];
}

function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      only: { type: 'string' },
      experiments: { type: 'boolean', default: false },
      retries: { type: 'string' },
      'quiet-wait': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(EXIT.ok);
  }
  const number = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}, got "${raw}"`);
    return value;
  };
  const quick = values.quick;
  const only = values.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((id) => !SERVERS.some((s) => s.id === id)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown server(s): ${unknown.join(', ')}; known: ${SERVERS.map((s) => s.id).join(', ')}`);
  const servers = SERVERS.filter((s) => (only ? only.includes(s.id) : !s.experiment || values.experiments));
  return {
    quick,
    rounds: Math.round(number('rounds', values.rounds, quick ? 1 : 3, 1)),
    settings: {
      connections: Math.round(number('connections', values.connections, 32, 1)),
      seconds: number('duration', values.duration, quick ? 1 : 5, 1),
      warmupSeconds: number('warmup', values.warmup, quick ? 1 : 2, 0.5),
      retries: Math.round(number('retries', values.retries, quick ? 0 : 1, 0)),
      disturbedCores: DISTURBED_CORES,
      quietBudget: { ms: 1000 * number('quiet-wait', values['quiet-wait'], quick ? 0 : 60, 0) },
    },
    servers,
  };
}

function gitDescription(): { commit: string; dirty: boolean } | undefined {
  try {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', '../server', '../shared'], { cwd, encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

function writeResults(payload: object): string {
  const dir = new URL('../results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = new URL(`bench-${stamp}.json`, dir);
  writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
  return fileURLToPath(file);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const { rounds, settings, servers } = options;
  const quietWaitSeconds = settings.quietBudget.ms / 1000;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(
    `bench: ${servers.length} servers × ${rounds} round(s), ${settings.connections} connections, ` +
      `${settings.warmupSeconds} s warm-up + ${settings.seconds} s measured each (${cpus().length} CPUs, Node ${process.version})`,
  );

  let stack: BenchStack | undefined;
  let load: LoadGenerator | undefined;
  const runs: RunRecord[] = [];
  let idleRssBytes: number;
  const stopAll = async () => {
    await Promise.allSettled([load?.stop(), stack?.close()]);
  };
  process.once('SIGINT', () => {
    void stopAll().then(() => process.exit(130));
  });

  try {
    [stack, load, idleRssBytes] = await Promise.all([startBenchStack(), LoadGenerator.start(), idleRss()]);
    const idWidth = Math.max(...servers.map((s) => s.id.length));
    for (let round = 1; round <= rounds; round++) {
      for (const spec of servers) {
        const run = await measureOnce(spec, round, stack, load, settings);
        runs.push(run);
        const r = run.result;
        const failed = failedRequests(run);
        log(
          `  round ${round} ${spec.id.padEnd(idWidth)} ${r.requestsPerSecond.toFixed(0).padStart(6)} req/s  ` +
            `p50 ${r.latencyMs.p50.toFixed(2)} ms  p99 ${r.latencyMs.p99.toFixed(2)} ms  ` +
            `RSS ${(run.rssBytes / 2 ** 20).toFixed(0)} MB` +
            (run.discarded.length ? `  (${run.discarded.length} disturbed attempt(s) retaken)` : '') +
            (run.waitedForQuietMs >= 1000 ? `  (waited ${(run.waitedForQuietMs / 1000).toFixed(0)} s for a quiet machine)` : '') +
            (failed ? `  FAILED REQUESTS ${failed} ${JSON.stringify(r.statusCodes)}` : ''),
        );
      }
    }
  } catch (error) {
    await stopAll();
    process.stderr.write(`bench: setup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.setup;
  }
  const idpRequests = await stack.idpRequests();
  await stopAll();

  const summaries = summarize(servers, runs);
  const targets = evaluateTargets(servers, summaries, runs);
  const seconds = (performance.now() - started) / 1000;
  log('');
  if (options.quick) log('(--quick: a smoke test that everything starts and answers; its numbers are not measurements)');
  log(formatSummaries(summaries));
  log(`(RSS of an idle bench child, node + tsx loader: ${(idleRssBytes / 2 ** 20).toFixed(0)} MB)`);
  const disturbed = runs.filter((r) => r.foreignCpuCores > DISTURBED_CORES);
  if (disturbed.length > 0) {
    const byServer = servers
      .map((spec) => [spec.id, disturbed.filter((r) => r.server === spec.id).length] as const)
      .filter(([, count]) => count > 0)
      .map(([id, count]) => `${id} ${count}/${rounds}`);
    log(
      `warning: ${disturbed.length} of ${runs.length} runs shared the machine with other processes (over ${DISTURBED_CORES} cores; ` +
        `see "other cores"): ${byServer.join(', ')}. Medians resist a few; rerun on a quiet machine if many.`,
    );
  }
  log('');
  log(formatTargets(targets));
  const file = writeResults({
    startedAt,
    seconds,
    mode: options.quick ? 'quick' : 'full',
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryBytes: totalmem(), node: process.version, platform: process.platform },
    git: gitDescription(),
    settings: { rounds, ...settings, quietBudget: undefined, quietWaitSeconds },
    idleRssBytes,
    summaries,
    targets,
    idpRequests,
    runs,
  });
  log('');
  log(`bench: ${seconds.toFixed(1)} s; results in ${file}`);

  const failedTargets = targets.filter((t) => t.verdict === 'FAIL').map((t) => t.target);
  const broken = failedTargets.filter((t) => t.startsWith('zero errors') || t.startsWith('exactly one JWKS'));
  if (broken.length > 0) {
    process.stderr.write(`bench: FAILED: ${broken.join('; ')}\n`);
    return EXIT.failedRequests;
  }
  return EXIT.ok;
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.setup;
});
