import type { IncomingMessage, RequestListener } from 'node:http';
import type { AnyTRPCRouter } from '@trpc/server';
import type { TrustProxy } from '../config/trust-proxy.js';
import type { Dependency } from '../errors.js';
import type { BffHooks } from '../hooks.js';
import { pathOf } from '../http/request-log.js';
import type { Logger } from '../log.js';
import { AuditTrail } from './audit.js';
import { measureCalls, measuredFetch, traceCalls, type DependencyFetch } from './dependencies.js';
import { BffMetrics, type DependencyProbe } from './metrics.js';
import { listenForMetrics, metricsHandler, type MetricsListener } from './metrics-server.js';
import { clientAddress } from './request-origin.js';
import { METRICS_PATH, routeOf } from './routes.js';
import { startTracing, SpanKind, SpanStatusCode, withNewSpan } from './tracing.js';
import type { Config } from '../config/config.js';

export interface ObservabilityParts {
  readonly settings: Config['observability'];
  readonly logger: Logger;
  /** The router served, whose procedure names are the only ones a `route` label takes. */
  readonly router: AnyTRPCRouter;
  /** The web app is served by this process. */
  readonly web: boolean;
  readonly trustProxy: TrustProxy;
  /** Each dependency's check, asked for at the first scrape (the BFF builds them after this). */
  readonly probes: () => Partial<Record<Dependency, DependencyProbe>>;
  /** The deployment's live sessions. */
  readonly activeSessions: () => Promise<number>;
  /** Keep the metrics in this process even without `metricsPort` (the app reads them: `BffInfra.metrics`). */
  readonly collectMetrics?: boolean;
}

/** What the BFF observes itself with: metrics and the audit trail, each on when configured. */
export interface Observability {
  /** The machinery's own observers, to be joined with the app's ({@link joinHooks}). */
  readonly hooks: BffHooks;
  /** The metrics, when `metricsPort` is set or the app collects them. */
  readonly metrics: BffMetrics | undefined;
  /** Whether traces are configured (`OTEL_*`); the SDK runs once {@link Observability.startTracing} resolved. */
  readonly tracing: boolean;
  /** Starts the OpenTelemetry SDK when traces are configured (before the first request); nothing otherwise. */
  startTracing(): Promise<void>;
  /**
   * The public handler: 404 for `/metrics` (S31), each answered request counted by route and
   * status, and, with tracing, in a server span named by its method and route (never its raw
   * path or query). The span starts a trace: the browser is not trusted to join one.
   */
  publicHandler(handler: RequestListener): RequestListener;
  /**
   * `target` with its calls measured as calls to `dependency` (itself when metrics are off), and
   * traced when tracing is on unless `trace: false` (a store in this process is no dependency call).
   */
  measure<T extends object>(dependency: Dependency, target: T, options?: { readonly trace?: boolean }): T;
  /** The `fetch` the IdP is called with, measured; undefined when metrics are off (Node's own). */
  readonly idpFetch: DependencyFetch | undefined;
  /** A request's client address as `TRUST_PROXY` allows, for requests that do not go through Express. */
  readonly clientAddress: (req: IncomingMessage) => string | undefined;
  /** Opens the metrics listener. */
  start(): void;
  /** Closes it, and stops tracing. */
  close(): Promise<void>;
}

/** Builds the BFF's observability from its settings: nothing is measured or written when neither is set. */
export function createObservability(parts: ObservabilityParts): Observability {
  const { settings, logger } = parts;
  const metrics =
    settings.metricsPort === undefined && !parts.collectMetrics
      ? undefined
      : new BffMetrics({
          probes: parts.probes,
          activeSessions: parts.activeSessions,
        });
  const audit = settings.auditLog
    ? new AuditTrail({ destination: settings.auditLog, logger, ...(metrics ? { onWriteFailed: () => metrics.auditWriteFailed() } : {}) })
    : undefined;
  const tracing = settings.tracing;
  let listener: MetricsListener | undefined;
  let stopTracing: (() => Promise<void>) | undefined;

  return {
    hooks: joinHooks(metrics?.hooks ?? {}, audit?.hooks ?? {}),
    metrics,
    tracing: tracing !== undefined,
    startTracing: async () => {
      if (tracing && !stopTracing) stopTracing = await startTracing(tracing, logger);
    },
    publicHandler: (handler) => {
      const route = metrics || tracing ? routeOf(parts.router, { web: parts.web }) : undefined;
      const serve: RequestListener = (req, res) => {
        if (pathOf(req.url) === METRICS_PATH) {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('Not found.\n');
          return;
        }
        handler(req, res);
      };
      if (!route) return serve;
      return (req, res) => {
        const name = route(req.url);
        if (metrics) res.once('close', () => metrics.request(name, res.statusCode));
        if (!tracing) return serve(req, res);
        const method = req.method ?? 'GET';
        withNewSpan(`${method} ${name}`, { 'http.request.method': method, 'http.route': name }, SpanKind.SERVER, (span) => {
          res.once('close', () => {
            span?.setAttribute('http.response.status_code', res.statusCode);
            if (res.statusCode >= 500) span?.setStatus({ code: SpanStatusCode.ERROR });
            span?.end();
          });
          serve(req, res);
        });
      };
    },
    measure: (dependency, target, options) => {
      const measured = metrics ? measureCalls(target, (outcome, seconds) => metrics.dependencyCall(dependency, outcome, seconds)) : target;
      return tracing && options?.trace !== false ? traceCalls(measured, dependency) : measured;
    },
    idpFetch: metrics || tracing ? measuredFetch(metrics ? (outcome, seconds) => metrics.dependencyCall('idp', outcome, seconds) : undefined) : undefined,
    clientAddress: clientAddress(parts.trustProxy),
    start: () => {
      if (metrics && settings.metricsPort !== undefined && !listener)
        listener = listenForMetrics(metricsHandler(metrics.registry, logger), settings.metricsPort, logger);
    },
    close: async () => {
      await listener?.close();
      listener = undefined;
      await stopTracing?.();
      stopTracing = undefined;
    },
  };
}

type HookName = keyof BffHooks;

/**
 * One set of hooks that calls each of `all` in turn. A hook nobody observes stays undefined,
 * so that the BFF skips the work of reporting it (the timing of every call, for `onCall`).
 */
export function joinHooks(...all: readonly BffHooks[]): BffHooks {
  const joined: Record<string, (event: never) => void> = {};
  const names = new Set(all.flatMap((hooks) => Object.keys(hooks) as HookName[]));
  for (const name of names) {
    const observers = all.flatMap((hooks) => {
      const hook = hooks[name] as ((this: BffHooks, event: never) => void) | undefined;
      return hook ? [(event: never) => hook.call(hooks, event)] : [];
    });
    if (observers.length === 1) joined[name] = observers[0] as (event: never) => void;
    else if (observers.length > 1)
      joined[name] = (event: never) => {
        for (const observe of observers) observe(event);
      };
  }
  return joined as BffHooks;
}
