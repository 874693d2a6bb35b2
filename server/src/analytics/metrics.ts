import type { AnalyticsOutput, ProcedureStats } from '@bff/shared';
import type { BffMetricsView, RedisConnection } from '@oidc-bff/server';

/** Login history kept, in minutes. */
const LOGIN_WINDOW_MINUTES = 60;

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

/** The chart's last 60 minutes up to `current`, oldest first, and the ISO 8601 start of the first. */
interface LoginWindow {
  readonly current: number;
  readonly minutes: readonly number[];
  readonly from: string;
}

/**
 * What the analytics page shows, read from the BFF's own metrics (`BffInfra.metrics`, the
 * figures Prometheus scrapes: one source of truth): calls, errors and latency percentiles per
 * procedure from `bff_procedure_duration_seconds` (this instance's, labelled with its name),
 * and the deployment's live sessions from `bff_sessions_active`. A counter has no history, so
 * the sign-ins of each of the last 60 minutes are counted beside it, on the BFF's Redis when
 * the deployment has one, by the same sign-in event that `bff_logins_total` counts.
 */
export class Analytics {
  readonly #since: string;
  /** The chart's minutes, worked out once a minute. */
  #window: LoginWindow | undefined;

  constructor(
    private readonly options: { instance: string; metrics: BffMetricsView | undefined; logins: LoginCounter },
    private readonly now: () => number = Date.now,
  ) {
    this.#since = new Date(now()).toISOString();
  }

  /** Never fails a sign-in: a counter that cannot be reached only makes the chart lag. */
  async recordLogin(): Promise<void> {
    await this.options.logins.record(Math.floor(this.now() / 60_000)).catch(() => undefined);
  }

  /** `countSessions`: the store's count, when there are no metrics to ask (or they could not count). */
  async snapshot(countSessions: () => Promise<number>): Promise<AnalyticsOutput> {
    const { metrics } = this.options;
    const figures = metrics ? await metrics.procedures() : [];
    const procedures: ProcedureStats[] = figures
      .map(({ procedure, calls, errors, p50Seconds, p95Seconds }) => ({ path: procedure, calls, errors, p50Ms: ms(p50Seconds), p95Ms: ms(p95Seconds) }))
      .sort((a, b) => a.path.localeCompare(b.path));
    const { minutes, from } = this.#windowAt(Math.floor(this.now() / 60_000));
    const counts = await this.options.logins.counts(minutes);
    const loginsPerMinute = { from, counts: minutes.map((minute) => counts.get(minute) ?? 0) };
    const activeSessions = (await metrics?.activeSessions()) ?? (await countSessions());
    return { since: this.#since, instance: this.options.instance, procedures, loginsPerMinute, activeSessions };
  }

  #windowAt(current: number): LoginWindow {
    if (this.#window?.current !== current) {
      const first = current - LOGIN_WINDOW_MINUTES + 1;
      this.#window = { current, minutes: Array.from({ length: LOGIN_WINDOW_MINUTES }, (_, i) => first + i), from: new Date(first * 60_000).toISOString() };
    }
    return this.#window;
  }
}

function ms(seconds: number): number {
  return Math.round(seconds * 100_000) / 100;
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
