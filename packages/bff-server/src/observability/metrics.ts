import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LOGIN_ERROR_CODES, SIGN_OUT_KINDS, STEP_UP_OUTCOMES } from '@oidc-bff/protocol';
import type { Dependency } from '../errors.js';
import type { BffHooks, RefreshEvent } from '../hooks.js';
import { outcomeOfFailure, withTimeout, type DependencyOutcome } from './dependencies.js';

/** Latency buckets, in seconds: a cached `me` is well under a millisecond, an IdP round trip up to its timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** How long a scrape waits for a dependency check or the session count. */
export const SCRAPE_WORK_TIMEOUT_MS = 2000;
/** Dependency checks run at most this often, however many scrapers ask. */
const PROBE_INTERVAL_MS = 5000;
const REFRESH_OUTCOMES: readonly RefreshEvent['outcome'][] = ['renewed', 'waited', 'failed', 'unavailable'];

/** One procedure's calls as `bff_procedure_duration_seconds` holds them on this instance. */
export interface ProcedureFigures {
  readonly procedure: string;
  readonly calls: number;
  /** Calls whose outcome was not `ok`. */
  readonly errors: number;
  /** Median and 95th percentile, in seconds, estimated from the histogram's buckets as Prometheus's `histogram_quantile` does. */
  readonly p50Seconds: number;
  readonly p95Seconds: number;
}

/**
 * What an app may read of the BFF's metrics (an analytics page): the same figures Prometheus
 * scrapes, so that a page and a dashboard never disagree.
 */
export interface BffMetricsView {
  /** Every procedure called on this instance since it started, by name. */
  procedures(): Promise<ProcedureFigures[]>;
  /** `bff_sessions_active`: the deployment's live sessions, counted now by the store (undefined when it could not count). */
  activeSessions(): Promise<number | undefined>;
  /** `bff_logins_total{outcome="success"}` of this instance. */
  signIns(): Promise<number>;
}

/** A check of one dependency, for `bff_dependency_up`: resolves true when it answered as it should. */
export type DependencyProbe = () => Promise<boolean>;

export interface BffMetricsOptions {
  /** The dependencies this BFF has (the directory only when configured), each with its check; asked for at the first scrape. */
  readonly probes: () => Partial<Record<Dependency, DependencyProbe>>;
  /** The deployment's live sessions (the shared store's count). */
  readonly activeSessions: () => Promise<number>;
  readonly now?: () => number;
}

/**
 * The BFF's Prometheus metrics (S31), in a registry of its own (two BFFs in one process do
 * not share counters), with Node's default process metrics. Every label is from a bounded
 * set: route and procedure names from the router, outcome and kind codes, dependency names;
 * never a user, a session, a path parameter or text from a request.
 */
export class BffMetrics implements BffMetricsView {
  readonly registry = new Registry();
  readonly #requests: Counter<'route' | 'code'>;
  readonly #procedures: Histogram<'procedure' | 'outcome'>;
  readonly #logins: Counter<'outcome'>;
  readonly #logouts: Counter<'kind'>;
  readonly #refreshes: Counter<'outcome'>;
  readonly #stepUps: Counter<'outcome'>;
  readonly #refreshSeconds: Histogram<'outcome'>;
  readonly #dependencySeconds: Histogram<'dependency' | 'outcome'>;
  readonly #streams: Gauge;
  readonly #streamRefusals: Counter;
  readonly #auditFailures: Counter;
  readonly #procedureTally = new ProcedureTally(LATENCY_BUCKETS);
  readonly #countSessions: () => Promise<number>;

  constructor(options: BffMetricsOptions) {
    const registers = [this.registry];
    const now = options.now ?? Date.now;
    this.#countSessions = options.activeSessions;
    collectDefaultMetrics({ register: this.registry });
    this.#requests = new Counter({
      name: 'bff_http_requests_total',
      help: 'HTTP requests answered on the public port, by route (endpoint path or procedure) and status code.',
      labelNames: ['route', 'code'],
      registers,
    });
    this.#procedures = new Histogram({
      name: 'bff_procedure_duration_seconds',
      help: 'tRPC procedure calls by procedure and outcome (ok, or the error code in lower case).',
      labelNames: ['procedure', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#logins = new Counter({
      name: 'bff_logins_total',
      help: 'Sign-ins completed (success) or failed (the auth_error code).',
      labelNames: ['outcome'],
      registers,
    });
    this.#logouts = new Counter({
      name: 'bff_logouts_total',
      help: 'Sessions ended, by kind (user, back_channel, front_channel, revoked, expired).',
      labelNames: ['kind'],
      registers,
    });
    this.#refreshes = new Counter({
      name: 'bff_token_refresh_total',
      help: 'Token refreshes a request needed: renewed, waited (another request or instance renewed), failed (refused, session ended), unavailable (IdP unreachable).',
      labelNames: ['outcome'],
      registers,
    });
    this.#stepUps = new Counter({
      name: 'bff_step_ups_total',
      help: 'Step-ups that came back from the IdP: succeeded (the ID token carries an accepted acr) or refused.',
      labelNames: ['outcome'],
      registers,
    });
    this.#refreshSeconds = new Histogram({
      name: 'bff_token_refresh_duration_seconds',
      help: 'Time a request spent on a token refresh, lease wait included, by outcome.',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#dependencySeconds = new Histogram({
      name: 'bff_dependency_duration_seconds',
      help: 'Calls to the IdP, the session store and the directory (and their checks), by outcome (ok, error, timeout).',
      labelNames: ['dependency', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#streams = new Gauge({ name: 'bff_streams_open', help: 'Live streams (subscriptions) open on this instance.', registers });
    this.#streamRefusals = new Counter({
      name: 'bff_streams_refused_total',
      help: 'Live streams refused because their session already held its maximum (TRPC_MAX_STREAMS_PER_SESSION).',
      registers,
    });
    this.#auditFailures = new Counter({ name: 'bff_audit_write_failures_total', help: 'Audit lines that could not be written.', registers });

    let probes: [Dependency, DependencyProbe][] | undefined;
    let checked = -Infinity;
    let checking: Promise<void> | undefined;
    const dependencySeconds = this.#dependencySeconds;
    new Gauge({
      name: 'bff_dependency_up',
      help: 'Whether the dependency answered its check at the last scrape (1) or not (0); checked at most every 5 s.',
      labelNames: ['dependency'],
      registers,
      async collect() {
        if (now() - checked < PROBE_INTERVAL_MS) return;
        probes ??= Object.entries(options.probes()) as [Dependency, DependencyProbe][];
        checking ??= Promise.all(
          probes.map(async ([dependency, probe]) => {
            const started = performance.now();
            let outcome: DependencyOutcome;
            try {
              outcome = (await withTimeout(probe(), SCRAPE_WORK_TIMEOUT_MS)) ? 'ok' : 'error';
            } catch (error) {
              outcome = outcomeOfFailure(error);
            }
            dependencySeconds.observe({ dependency, outcome }, (performance.now() - started) / 1000);
            this.set({ dependency }, outcome === 'ok' ? 1 : 0);
          }),
        ).then(() => {
          checked = now();
          checking = undefined;
        });
        await checking;
      },
    });
    new Gauge({
      name: 'bff_sessions_active',
      help: 'Live sessions of the whole deployment (the shared store), as counted at the last scrape.',
      registers,
      async collect() {
        // A store that does not answer in time leaves the last count; bff_dependency_up says why.
        const count = await withTimeout(options.activeSessions(), SCRAPE_WORK_TIMEOUT_MS).catch(() => undefined);
        if (count !== undefined) this.set(count);
      },
    });

    // Series that exist from the start, so that rates and alerts see their zeros.
    for (const outcome of ['success', ...LOGIN_ERROR_CODES]) this.#logins.inc({ outcome }, 0);
    for (const kind of SIGN_OUT_KINDS) this.#logouts.inc({ kind }, 0);
    for (const outcome of REFRESH_OUTCOMES) this.#refreshes.inc({ outcome }, 0);
    for (const outcome of STEP_UP_OUTCOMES) this.#stepUps.inc({ outcome }, 0);
  }

  /** The hooks that feed the metrics. */
  readonly hooks: BffHooks = {
    onCall: ({ path, durationMs, ok, code }) => {
      const seconds = durationMs / 1000;
      this.#procedures.observe({ procedure: path, outcome: ok ? 'ok' : (code ?? 'error').toLowerCase() }, seconds);
      this.#procedureTally.observe(path, ok, seconds);
    },
    onLogin: ({ outcome }) => this.#logins.inc({ outcome }),
    onLogout: ({ kind, sessions }) => this.#logouts.inc({ kind }, sessions),
    onRefresh: ({ outcome, durationMs }) => {
      this.#refreshes.inc({ outcome });
      this.#refreshSeconds.observe({ outcome }, durationMs / 1000);
    },
    onStepUp: ({ outcome }) => this.#stepUps.inc({ outcome }),
    onStream: ({ change }) => {
      if (change === 'opened') this.#streams.inc();
      else if (change === 'closed') this.#streams.dec();
      else this.#streamRefusals.inc();
    },
  };

  /** One answered request on the public port; `route` is bounded by the caller (see `routes.ts`). */
  request(route: string, status: number): void {
    this.#requests.inc({ route, code: String(status) });
  }

  /** One call to a dependency. */
  dependencyCall(dependency: Dependency, outcome: DependencyOutcome, seconds: number): void {
    this.#dependencySeconds.observe({ dependency, outcome }, seconds);
  }

  auditWriteFailed(): void {
    this.#auditFailures.inc();
  }

  async procedures(): Promise<ProcedureFigures[]> {
    return this.#procedureTally.figures();
  }

  async activeSessions(): Promise<number | undefined> {
    // What the gauge's scrape counts, asked of the store directly: each of the store's calls
    // is bounded by the store (Redis: its command timeout); the scrape adds a bound of its own
    // because it waits on several. Through the gauge (`get()`, a timer) it was 16 µs of a call.
    return this.#countSessions().catch(() => undefined);
  }

  async signIns(): Promise<number> {
    const { values } = await this.#logins.get();
    return values.find((sample) => sample.labels.outcome === 'success')?.value ?? 0;
  }
}

/**
 * `bff_procedure_duration_seconds` summed over outcomes, per procedure, as the analytics page
 * reads it: fed by the same `onCall` event as the histogram, in the same statement, so the two
 * never disagree (a property test checks it against the scrape). Kept beside prom-client's
 * histogram because reading that one back (`Histogram.get()`) builds a labelled sample per
 * bucket and outcome: 37 µs of the 87 µs an `analytics` call took in `npm run profile`
 * (`--server guarded-analytics`), against about 1 µs here.
 */
export class ProcedureTally {
  readonly #byProcedure = new Map<string, { calls: number; errors: number; buckets: number[] }>();

  constructor(private readonly upperBounds: readonly number[]) {}

  observe(procedure: string, ok: boolean, seconds: number): void {
    let figures = this.#byProcedure.get(procedure);
    if (!figures) this.#byProcedure.set(procedure, (figures = { calls: 0, errors: 0, buckets: new Array<number>(this.upperBounds.length).fill(0) }));
    figures.calls += 1;
    if (!ok) figures.errors += 1;
    // Prometheus's `le` is inclusive; a value above the last bound is counted in `+Inf` (the calls) only.
    const bucket = this.upperBounds.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) figures.buckets[bucket] = (figures.buckets[bucket] ?? 0) + 1;
  }

  figures(): ProcedureFigures[] {
    const figures: ProcedureFigures[] = [];
    for (const [procedure, { calls, errors, buckets }] of this.#byProcedure) {
      let cumulative = 0;
      const sorted: [number, number][] = buckets.map((count, i) => [this.upperBounds[i] ?? Infinity, (cumulative += count)]);
      sorted.push([Infinity, calls]);
      figures.push({ procedure, calls, errors, p50Seconds: quantile(0.5, sorted), p95Seconds: quantile(0.95, sorted) });
    }
    return figures;
  }
}

/**
 * The `q` quantile of a histogram given as cumulative counts by upper bound, interpolated
 * linearly within its bucket as Prometheus's `histogram_quantile` does (the highest finite
 * bound when it falls in `+Inf`).
 */
export function quantile(q: number, cumulative: readonly (readonly [bound: number, count: number])[]): number {
  const total = cumulative.at(-1)?.[1] ?? 0;
  if (total === 0) return 0;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of cumulative) {
    if (count >= rank) {
      if (bound === Infinity) return lowerBound;
      return count === lowerCount ? bound : lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}
