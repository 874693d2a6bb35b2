import type { AnalyticsOutput, LoginBucket, ProcedureStats } from '@bff/shared';

/** Latencies kept per procedure for percentiles: a bounded ring of the most recent calls. */
const LATENCY_SAMPLES = 1000;
/** Login history kept, in minutes. */
const LOGIN_WINDOW_MINUTES = 60;

interface ProcedureRecord {
  calls: number;
  errors: number;
  latencies: number[];
  next: number;
}

/** Records what the API really does: calls per procedure with latencies, and logins over time. */
export class Metrics {
  readonly #since: Date;
  readonly #procedures = new Map<string, ProcedureRecord>();
  readonly #logins = new Map<number, number>();

  constructor(private readonly now: () => number = Date.now) {
    this.#since = new Date(now());
  }

  recordCall(path: string, durationMs: number, ok: boolean): void {
    let record = this.#procedures.get(path);
    if (!record) {
      record = { calls: 0, errors: 0, latencies: [], next: 0 };
      this.#procedures.set(path, record);
    }
    record.calls += 1;
    if (!ok) record.errors += 1;
    if (record.latencies.length < LATENCY_SAMPLES) record.latencies.push(durationMs);
    else record.latencies[record.next] = durationMs;
    record.next = (record.next + 1) % LATENCY_SAMPLES;
  }

  recordLogin(): void {
    const minute = Math.floor(this.now() / 60_000);
    this.#logins.set(minute, (this.#logins.get(minute) ?? 0) + 1);
    for (const key of this.#logins.keys()) if (key <= minute - LOGIN_WINDOW_MINUTES) this.#logins.delete(key);
  }

  snapshot(activeSessions: number): AnalyticsOutput {
    const procedures: ProcedureStats[] = [...this.#procedures.entries()]
      .map(([path, r]) => {
        // A typed array sorts numerically without a comparator call per comparison.
        const sorted = Float64Array.from(r.latencies).sort();
        return { path, calls: r.calls, errors: r.errors, p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95) };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
    const currentMinute = Math.floor(this.now() / 60_000);
    const loginsPerMinute: LoginBucket[] = [];
    for (let m = currentMinute - LOGIN_WINDOW_MINUTES + 1; m <= currentMinute; m++) {
      loginsPerMinute.push({ minute: new Date(m * 60_000).toISOString(), count: this.#logins.get(m) ?? 0 });
    }
    return { since: this.#since.toISOString(), procedures, loginsPerMinute, activeSessions };
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const value = sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return Math.round(value * 100) / 100;
}
