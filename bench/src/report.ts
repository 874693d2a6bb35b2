import type { ServerSpec } from './catalog.js';
import type { RunRecord } from './measure.js';
import { median } from './stats.js';

/** One server over all its rounds. */
export interface ServerSummary {
  readonly server: string;
  readonly label: string;
  readonly rounds: number;
  readonly requestsPerSecond: number;
  readonly requestsPerSecondMin: number;
  readonly requestsPerSecondMax: number;
  /** Median req/s divided by bare Express's median req/s. */
  readonly ratioToBare: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rssMb: number;
  readonly serverCpuUsPerRequest: number;
  readonly serverCpuCores: number;
  readonly generatorCpu: number;
  /** Most CPU other processes used during one of this server's measured runs, in cores. */
  readonly foreignCpuCoresMax: number;
  /** Non-2xx responses, socket errors and timeouts over warm-ups and measured runs. */
  readonly failedRequests: number;
  readonly jwksFetchesPerProcess: readonly number[];
}

export type Verdict = 'PASS' | 'FAIL' | 'n/a';

export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly verdict: Verdict;
}

/** Non-2xx responses, socket errors and timeouts of a run, warm-up and discarded measurements included. */
export function failedRequests(run: RunRecord): number {
  return [run.warmup, run.result, ...run.discarded].reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
}

/** Medians over rounds; ratios against bare Express when it was measured. */
export function summarize(specs: readonly ServerSpec[], runs: readonly RunRecord[]): ServerSummary[] {
  const rps = (id: string) => median(runs.filter((r) => r.server === id).map((r) => r.result.requestsPerSecond));
  const bare = rps('bare-express');
  return specs
    .filter((spec) => runs.some((r) => r.server === spec.id))
    .map((spec) => {
      const own = runs.filter((r) => r.server === spec.id);
      const values = own.map((r) => r.result.requestsPerSecond);
      return {
        server: spec.id,
        label: spec.label,
        rounds: own.length,
        requestsPerSecond: median(values),
        requestsPerSecondMin: Math.min(...values),
        requestsPerSecondMax: Math.max(...values),
        ratioToBare: median(values) / bare,
        p50Ms: median(own.map((r) => r.result.latencyMs.p50)),
        p99Ms: median(own.map((r) => r.result.latencyMs.p99)),
        rssMb: median(own.map((r) => r.rssBytes)) / 2 ** 20,
        serverCpuUsPerRequest: median(own.map((r) => r.serverCpuUsPerRequest)),
        serverCpuCores: median(own.map((r) => r.serverCpuCores)),
        generatorCpu: median(own.map((r) => r.result.generatorCpu)),
        foreignCpuCoresMax: Math.max(...own.map((r) => r.foreignCpuCores)),
        failedRequests: own.reduce((sum, r) => sum + failedRequests(r), 0),
        jwksFetchesPerProcess: own.map((r) => r.jwksFetches),
      };
    });
}

/** The targets. Ratio targets are reported, never enforced; see `run.ts` for what fails the run. */
export function evaluateTargets(specs: readonly ServerSpec[], summaries: readonly ServerSummary[], runs: readonly RunRecord[]): TargetResult[] {
  const get = (id: string) => summaries.find((s) => s.server === id);
  const ratio = (target: string, a: string, b: string, min: number): TargetResult => {
    const x = get(a);
    const y = get(b);
    if (!x || !y) return { target, measured: 'not measured', verdict: 'n/a' };
    const value = x.requestsPerSecond / y.requestsPerSecond;
    return { target, measured: `${value.toFixed(2)}×`, verdict: value >= min ? 'PASS' : 'FAIL' };
  };
  const guarded = get('guarded-me');
  const bare = get('bare-express');
  const apiIds = new Set(specs.filter((spec) => spec.auth === 'bff').map((spec) => spec.id));
  const apiRuns = runs.filter((r) => apiIds.has(r.server));
  const failed = runs.reduce((sum, r) => sum + failedRequests(r), 0);
  return [
    ratio('guarded me ≥ 0.8× bare Express 5', 'guarded-me', 'bare-express', 0.8),
    ratio('guarded me, sessions in Redis ≥ 0.9× guarded me in memory', 'guarded-me-redis', 'guarded-me', 0.9),
    ratio('guarded me, metrics port and tracing on (OTLP export) ≥ 0.9× neither', 'guarded-me-observed', 'guarded-me', 0.9),
    ratio('production entry (main.js, info logs, Redis) ≥ 0.8× bare Express 5', 'production-entry', 'bare-express', 0.8),
    cpuRatio('batch of three queries ≤ 1.5× one call’s CPU: three me against one me', get('guarded-me-three'), guarded, 1.5),
    cpuRatio('… and three different ones (me, chat.history, analytics) against one me', get('guarded-batch'), guarded, 1.5),
    p99Ratio('p99 guarded me ≤ 1.2× bare Express p99', guarded, bare, 1.2),
    ratio('guarded me ≥ 3× express-openid-connect requiresAuth()', 'guarded-me', 'express-openid-connect', 3),
    authCost(get('guarded-me'), get('public-me-same-mount')),
    apiRuns.length > 0
      ? {
          target: 'exactly one JWKS fetch per API process',
          measured: `${apiRuns.map((r) => r.jwksFetches).join(', ')} over ${apiRuns.length} processes`,
          verdict: apiRuns.every((r) => r.jwksFetches === 1) ? 'PASS' : 'FAIL',
        }
      : { target: 'exactly one JWKS fetch per API process', measured: 'not measured', verdict: 'n/a' },
    ratio('remote-API proxy ≥ 0.8× a bare reverse proxy (no auth), same reports API', 'remote-proxy', 'bare-proxy', 0.8),
    p99Ratio('p99 remote-API proxy ≤ 1.3× bare reverse proxy p99', get('remote-proxy'), get('bare-proxy'), 1.3),
    { target: 'zero errors / non-2xx', measured: `${failed}`, verdict: failed === 0 ? 'PASS' : 'FAIL' },
  ];
}

/** `a`'s server CPU per request against `b`'s, at most `max` times it. */
function cpuRatio(target: string, a: ServerSummary | undefined, b: ServerSummary | undefined, max: number): TargetResult {
  if (!a || !b) return { target, measured: 'not measured', verdict: 'n/a' };
  const value = a.serverCpuUsPerRequest / b.serverCpuUsPerRequest;
  return {
    target,
    measured: `${a.serverCpuUsPerRequest.toFixed(0)} vs ${b.serverCpuUsPerRequest.toFixed(0)} µs (${value.toFixed(2)}×)`,
    verdict: value <= max ? 'PASS' : 'FAIL',
  };
}

/** `a`'s p99 latency against `b`'s, at most `max` times it. */
function p99Ratio(target: string, a: ServerSummary | undefined, b: ServerSummary | undefined, max: number): TargetResult {
  if (!a || !b) return { target, measured: 'not measured', verdict: 'n/a' };
  const value = a.p99Ms / b.p99Ms;
  return { target, measured: `${a.p99Ms.toFixed(2)} ms vs ${b.p99Ms.toFixed(2)} ms (${value.toFixed(2)}×)`, verdict: value <= max ? 'PASS' : 'FAIL' };
}

/** What authentication costs: guarded `me` against a public `me` on the same mount, in server CPU per request. */
function authCost(guarded: ServerSummary | undefined, open: ServerSummary | undefined): TargetResult {
  const target = 'auth layer: guarded me CPU/request ≤ 1.25× public me on the same mount';
  if (!guarded || !open) return { target, measured: 'not measured', verdict: 'n/a' };
  const value = guarded.serverCpuUsPerRequest / open.serverCpuUsPerRequest;
  return {
    target,
    measured: `${guarded.serverCpuUsPerRequest.toFixed(0)} vs ${open.serverCpuUsPerRequest.toFixed(0)} µs (+${((value - 1) * 100).toFixed(0)} %)`,
    verdict: value <= 1.25 ? 'PASS' : 'FAIL',
  };
}

function table(rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The results table, one line per server. */
export function formatSummaries(summaries: readonly ServerSummary[]): string {
  const rows = [
    ['server', 'req/s (median)', 'min–max', '× bare', 'p50 ms', 'p99 ms', 'RSS MB', 'CPU µs/req', 'srv cores', 'gen cores', 'other cores', 'failed'],
    ...summaries.map((s) => [
      `${s.server}`,
      s.requestsPerSecond.toFixed(0),
      `${s.requestsPerSecondMin.toFixed(0)}–${s.requestsPerSecondMax.toFixed(0)}`,
      Number.isFinite(s.ratioToBare) ? s.ratioToBare.toFixed(2) : '-',
      s.p50Ms.toFixed(2),
      s.p99Ms.toFixed(2),
      s.rssMb.toFixed(0),
      s.serverCpuUsPerRequest.toFixed(0),
      s.serverCpuCores.toFixed(2),
      s.generatorCpu.toFixed(2),
      Number.isFinite(s.foreignCpuCoresMax) ? s.foreignCpuCoresMax.toFixed(2) : '?',
      String(s.failedRequests),
    ]),
  ];
  return table(rows, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]));
}

export function formatTargets(targets: readonly TargetResult[]): string {
  return table([['target', 'measured', 'verdict'], ...targets.map((t) => [t.target, t.measured, t.verdict])], new Set());
}
