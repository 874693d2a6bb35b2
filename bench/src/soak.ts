import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FULL_SOAK, QUICK_SOAK, formatReport, runSoak, type SoakOptions } from './soak/run-soak.js';
import { MARGINS } from './soak/verdict.js';

const USAGE = `Usage: npm run soak -- [options]

  --quick                  the short soak npm test runs: ${QUICK_SOAK.calls} calls and ${QUICK_SOAK.streams} streams
  --calls N                tRPC calls (default ${FULL_SOAK.calls})
  --streams N              chat.onMessage streams opened and dropped (default ${FULL_SOAK.streams})
  --warmup-calls N         calls before the baseline (default ${FULL_SOAK.warmupCalls}; ${QUICK_SOAK.warmupCalls} with --quick)
  --warmup-streams N       streams before the baseline (default ${FULL_SOAK.warmupStreams}; ${QUICK_SOAK.warmupStreams} with --quick)
  --connections N          concurrent keep-alive connections for calls (default ${FULL_SOAK.connections})
  --sessions N             browsers signed in through the IdP form (default ${FULL_SOAK.sessions})
  --streams-per-session N  streams a session holds open at once (default ${FULL_SOAK.streamsPerSession}; the API's cap is 6)
  --max-seconds S          time limit for the whole soak (default ${FULL_SOAK.maxSeconds}; ${QUICK_SOAK.maxSeconds} with --quick)
  --heap-snapshots         write the API's heap at the baseline and after the load to a new temporary folder
                           (open both in Chrome DevTools, Memory, "Comparison", to see what grew)

Margins, after the load against the baseline after the warm-up: RSS +${MARGINS.rssMb} MB or +${MARGINS.rssPercent} %
(the larger), V8 heap after GC +${MARGINS.heapMb} MB, open fds and active resources +${MARGINS.handles} each.

Exit status: 0 when memory and handles stayed within their margins and nothing failed
but expected refusals (429); 1 when a margin was exceeded, an unexpected error occurred
or the time limit cut the load short; 2 when the setup failed.`;

/** Exit statuses: a leak or an error (1) told from a broken setup (2). */
const EXIT = { ok: 0, failed: 1, setup: 2 } as const;

function parseOptions(argv: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      calls: { type: 'string' },
      streams: { type: 'string' },
      'warmup-calls': { type: 'string' },
      'warmup-streams': { type: 'string' },
      connections: { type: 'string' },
      sessions: { type: 'string' },
      'streams-per-session': { type: 'string' },
      'max-seconds': { type: 'string' },
      'heap-snapshots': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(EXIT.ok);
  }
  const integer = (name: keyof typeof values, fallback: number, min: number): number => {
    const raw = values[name];
    if (raw === undefined || typeof raw === 'boolean') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
    return value;
  };
  const sizes = values.quick ? QUICK_SOAK : FULL_SOAK;
  return {
    calls: integer('calls', sizes.calls, 1),
    streams: integer('streams', sizes.streams, 0),
    warmupCalls: integer('warmup-calls', sizes.warmupCalls, 0),
    warmupStreams: integer('warmup-streams', sizes.warmupStreams, 0),
    connections: integer('connections', sizes.connections, 1),
    sessions: integer('sessions', sizes.sessions, 1),
    streamsPerSession: integer('streams-per-session', sizes.streamsPerSession, 1),
    maxSeconds: integer('max-seconds', sizes.maxSeconds, 1),
    margins: sizes.margins,
    ...(values['heap-snapshots'] ? { snapshotDir: mkdtempSync(join(tmpdir(), 'bff-soak-')) } : {}),
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(
    `soak: ${options.calls} calls and ${options.streams} streams after a warm-up of ${options.warmupCalls} calls and ${options.warmupStreams} streams ` +
      `(time limit ${options.maxSeconds} s)`,
  );
  // The soak's own limit stops the load; this one only catches a hang after it (a child that never answers).
  setTimeout(
    () => {
      process.stderr.write(`soak: still running ${options.maxSeconds + 60} s after the start; giving up\n`);
      process.exit(EXIT.failed);
    },
    (options.maxSeconds + 60) * 1000,
  ).unref();
  let report;
  try {
    report = await runSoak({ ...options, log });
  } catch (error) {
    process.stderr.write(`soak: setup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.setup;
  }
  log(formatReport(report));
  log(
    report.ok
      ? 'soak: PASS'
      : `soak: FAILED: ${report.checks
          .filter((c) => !c.ok)
          .map((c) => c.name)
          .join(', ')}`,
  );
  return report.ok ? EXIT.ok : EXIT.failed;
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`soak: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.setup;
});
