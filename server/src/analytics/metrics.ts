import type { AnalyticsOutput, LoginBucket, ProcedureStats } from '@bff/shared';
import type { RedisConnection } from '@oidc-bff/server';

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

/** Sign-ins per minute; shared by every instance when the deployment has Redis. */
export interface LoginCounter {
  record(minute: number): Promise<void>;
  /** Sign-ins in each of `minutes` (missing: none). */
  counts(minutes: readonly number[]): Promise<ReadonlyMap<number, number>>;
}

/** The sign-in counter of a single instance. */
export class MemoryLoginCounter implements LoginCounter {
  readonly #logins = new Map<number, number>();

  async record(minute: number): Promise<void> {
    this.#logins.set(minute, (this.#logins.get(minute) ?? 0) + 1);
    for (const key of this.#logins.keys()) if (key <= minute - LOGIN_WINDOW_MINUTES) this.#logins.delete(key);
  }

  async counts(): Promise<ReadonlyMap<number, number>> {
    return this.#logins;
  }
}

/**
 * Records what the API really does: calls per procedure with latencies (this
 * instance's, labelled with its name), and sign-ins and active sessions (the whole
 * deployment's when the state is shared).
 */
export class Metrics {
  readonly #since: Date;
  readonly #procedures = new Map<string, ProcedureRecord>();

  constructor(
    private readonly options: { instance: string; logins: LoginCounter },
    private readonly now: () => number = Date.now,
  ) {
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

  /** Never fails a sign-in: a counter that cannot be reached only makes the chart lag. */
  async recordLogin(): Promise<void> {
    await this.options.logins.record(Math.floor(this.now() / 60_000)).catch(() => undefined);
  }

  async snapshot(activeSessions: number): Promise<AnalyticsOutput> {
    const procedures: ProcedureStats[] = [...this.#procedures.entries()]
      .map(([path, r]) => {
        // A typed array sorts numerically without a comparator call per comparison.
        const sorted = Float64Array.from(r.latencies).sort();
        return { path, calls: r.calls, errors: r.errors, p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95) };
      })
      .sort((a, b) => a.path.localeCompare(b.path));
    const currentMinute = Math.floor(this.now() / 60_000);
    const minutes = Array.from({ length: LOGIN_WINDOW_MINUTES }, (_, i) => currentMinute - LOGIN_WINDOW_MINUTES + 1 + i);
    const counts = await this.options.logins.counts(minutes);
    const loginsPerMinute: LoginBucket[] = minutes.map((m) => ({ minute: new Date(m * 60_000).toISOString(), count: counts.get(m) ?? 0 }));
    return { since: this.#since.toISOString(), instance: this.options.instance, procedures, loginsPerMinute, activeSessions };
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const value = sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
  return Math.round(value * 100) / 100;
}

/** Sign-in counts are kept this long on Redis (the chart shows the last hour). */
const LOGIN_COUNT_TTL_MS = 2 * 3600_000;

/** One counter per minute on the BFF's Redis, shared by every instance. */
export class RedisLoginCounter implements LoginCounter {
  constructor(private readonly redis: RedisConnection) {}

  async record(minute: number): Promise<void> {
    const key = `bff:logins:${minute}`;
    await this.redis.command(key, ['INCR', key]);
    await this.redis.command(key, ['PEXPIRE', key, String(LOGIN_COUNT_TTL_MS)]);
  }

  async counts(minutes: readonly number[]): Promise<ReadonlyMap<number, number>> {
    const values = await Promise.all(minutes.map((m) => this.redis.command(`bff:logins:${m}`, ['GET', `bff:logins:${m}`])));
    return new Map(minutes.map((m, i) => [m, Number(values[i] ?? 0) || 0]));
  }
}
