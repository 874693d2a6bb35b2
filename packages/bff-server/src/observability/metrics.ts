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
export class BffMetrics {
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

  constructor(options: BffMetricsOptions) {
    const registers = [this.registry];
    const now = options.now ?? Date.now;
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
    onCall: ({ path, durationMs, ok, code }) =>
      this.#procedures.observe({ procedure: path, outcome: ok ? 'ok' : (code ?? 'error').toLowerCase() }, durationMs / 1000),
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
}
