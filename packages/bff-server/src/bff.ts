import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Config } from './config/env.js';
import { isResolved, resolveOptions } from './options/resolve.js';
import type { BffOptions } from './options/schema.js';
import { staticFindings } from './config/doctor.js';
import { createApp } from './http/app.js';
import { createEndpoints } from './endpoints/routes.js';
import { createTrpcEndpoint } from './trpc/endpoint/handler.js';
import { createCallLimits } from './trpc/call-limits.js';
import { createOidcService, type OidcService } from './oidc/discovery.js';
import { TokenRefresher } from './oidc/refresh.js';
import { SessionManager } from './session/manager.js';
import { TransactionCookies } from './session/transaction-cookies.js';
import { createSharedState, type SharedState } from './cluster/state.js';
import { LdapDirectory } from './directory/ldap-directory.js';
import { createWebApp } from './http/web.js';
import type { AppServices, BffHooks } from './hooks.js';
import type { Bus } from './cluster/bus.js';
import type { RedisConnection } from './cluster/redis-connection.js';
import type { AnyTRPCRouter } from '@trpc/server';
import { createLogger, type Logger } from './log.js';
import type { Registry } from 'prom-client';
import { createObservability, joinHooks } from './observability/observability.js';
import { discoveryProbe } from './observability/dependencies.js';
import { SCRAPE_WORK_TIMEOUT_MS, type BffMetricsView } from './observability/metrics.js';
import { API_PATHS } from '@oidc-bff/protocol';
import { DownstreamTokens } from './downstream/tokens.js';
import { DpopProofs } from './downstream/dpop.js';
import { createDownstreamService } from './downstream/service.js';
import { createRemoteProxy } from './downstream/proxy.js';

/** What the BFF shares with the app's own stores. */
export interface BffInfra {
  /** The shared Redis connection (sessions' own); undefined when state is in this process. */
  readonly redis: RedisConnection | undefined;
  /** Messages to every instance (in this process without Redis). */
  readonly bus: Bus;
  readonly logger: Logger;
  readonly config: Config;
  /**
   * The BFF's metrics, as Prometheus scrapes them (one source of truth for an analytics page):
   * present with `METRICS_PORT` or when the app sets {@link BffParts.collectMetrics}.
   */
  readonly metrics: BffMetricsView | undefined;
}

/** What an app brings to {@link createBff}. */
export interface BffParts {
  /** The procedures served at `/api/trpc`: the app's routers merged with {@link bffRouter}. */
  readonly router: AnyTRPCRouter;
  /**
   * Builds the app's services (`ctx.app` in its procedures) and the hooks it observes the
   * BFF with, once the shared state exists (so that its stores can use `infra.redis`).
   */
  readonly app?: (
    infra: BffInfra,
  ) => { readonly services: AppServices; readonly hooks?: BffHooks } | Promise<{ readonly services: AppServices; readonly hooks?: BffHooks }>;
  /** The log; pino on stdout by default. */
  readonly logger?: Logger;
  /** IdP discovery retry delay (tests shorten it). */
  readonly retryDelayMs?: number;
  /** Least time between two JWKS refetches for an unknown `kid`. */
  readonly jwksCooldownMs?: number;
  /** Keep the metrics in this process without `METRICS_PORT` too (not served), for the app to read them ({@link BffInfra.metrics}). */
  readonly collectMetrics?: boolean;
}

/** A built BFF: a Node request handler and its life cycle. Never listens: {@link startBff} or the app does. */
export interface Bff {
  /** The API (and the web app, when configured) as a Node request handler: `createServer(bff.handler)` or `app.use(bff.handler)`. */
  readonly handler: RequestListener;
  /**
   * The same as Express (or Connect) middleware: serves `/api/...` (and the web app when
   * configured) and passes every other request on, e.g. `app.use(bff.middleware)`.
   */
  readonly middleware: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  readonly config: Config;
  readonly oidc: OidcService;
  readonly sessions: SessionManager;
  readonly state: SharedState;
  /** The app's services, as its procedures see them. */
  readonly services: AppServices;
  /** This BFF's own Prometheus registry when metrics are on (the app may register its metrics there). */
  readonly metrics: Registry | undefined;
  /** Starts IdP discovery (retried in the background until it succeeds) and the metrics listener. */
  start(): void;
  /** Reports not ready from now on and ends live streams (draining before a shutdown). */
  drain(): void;
  /** Stops discovery and closes the shared state. */
  close(): Promise<void>;
}

/**
 * Builds the BFF from options (resolved here, once: a `ConfigError` names every wrong
 * setting) or an already resolved configuration, and the app's parts: login, callback,
 * logout, back-channel logout, health, the tRPC endpoint with the app's router, sessions
 * in memory or Redis.
 *
 * @example
 * const bff = await createBff({ ...optionsFromEnv(process.env), trustProxy: 1 }, { router: appRouter });
 * createServer(bff.handler).listen(bff.config.port, () => bff.start());
 */
export async function createBff(settings: BffOptions | Config, parts: BffParts): Promise<Bff> {
  const config = isResolved(settings) ? settings : resolveOptions(settings);
  const logger = parts.logger ?? createLogger();
  for (const warning of config.warnings) logger.warn('config.warning', { message: warning });
  for (const finding of staticFindings(config)) {
    if (finding.severity === 'warn' || finding.severity === 'error')
      logger.warn('config.doctor', { check: finding.check, message: finding.message, fix: finding.fix });
  }
  const options = {
    ...(parts.retryDelayMs !== undefined ? { retryDelayMs: parts.retryDelayMs } : {}),
    ...(parts.jwksCooldownMs !== undefined ? { jwksCooldownMs: parts.jwksCooldownMs } : {}),
  };
  // Built first, to measure what follows; what it checks at scrape time exists by then.
  const observed = createObservability({
    settings: config.observability,
    logger,
    router: parts.router,
    web: config.web !== undefined,
    trustProxy: config.trustProxy,
    probes: () => {
      const idpAnswers = discoveryProbe(config.oidc.issuer, SCRAPE_WORK_TIMEOUT_MS);
      return {
        idp: async () => oidc.status().ready && (await idpAnswers()),
        session_store: () => state.ready(),
        ...(directory ? { directory: async () => (await directory.check()).ok } : {}),
      };
    },
    activeSessions: () => sessions.count(),
    collectMetrics: parts.collectMetrics ?? false,
  });
  // Before anything calls out, so that discovery and the first requests are traced.
  await observed.startTracing();
  const oidc = createOidcService({ ...config.oidc, logger, ...options, fetch: observed.idpFetch });
  const state = await createSharedState(config, logger);
  const sessions = new SessionManager({
    // Spans for Redis calls; a store in this process is no call to trace.
    store: observed.measure('session_store', state.store, { trace: state.kind !== 'memory' }),
    bus: state.bus,
    secrets: config.session.secrets,
    idleTtlSeconds: config.session.idleTtlSeconds,
    absoluteTtlSeconds: config.session.absoluteTtlSeconds,
    cookie: config.cookie,
    // With a shared store, a second's local copy keeps the per-request lookup off the network
    // (see the benchmark); changes and ends reach every instance's copy through the bus at once.
    localCacheMs: state.kind === 'memory' ? 0 : 1000,
    onExpired: (session) => hooks.onLogout?.({ kind: 'expired', sub: session.sub, sessionId: sessions.publicIdOf(session.id), sessions: 1 }),
  });
  const refresher = new TokenRefresher({
    oidc,
    sessions,
    logger,
    timeoutMs: config.oidc.timeoutMs,
    resource: config.oidc.resource,
    userinfo: { mode: config.oidc.userinfo, scope: config.oidc.scope, authz: config.authz },
    onRefresh: (event) => hooks.onRefresh?.(event),
  });
  const transactions = new TransactionCookies({
    secrets: config.session.secrets,
    baseName: config.cookie.baseName,
    secure: config.cookie.secure,
  });
  const app = (await parts.app?.({ redis: state.redis, bus: state.bus, logger, config, metrics: observed.metrics })) ?? { services: {} as AppServices };
  const hooks = joinHooks(observed.hooks, app.hooks ?? {});
  // One directory client for the process: its per-user cache is what keeps roles working through a short LDAP outage.
  const directory = config.ldap ? new LdapDirectory({ ...config.ldap, logger }) : undefined;
  let draining = false;

  const readiness = async () => {
    const store = await state.ready().catch(() => false);
    const checks: Record<string, string> = { sessionStore: store ? state.kind : 'unreachable' };
    if (draining) checks['shutdown'] = 'draining';
    return { ready: store && !draining, checks };
  };
  const limits = createCallLimits({
    callsPerMinute: config.trpc.callsPerMinute,
    mutationsPerMinute: config.trpc.mutationsPerMinute,
    store: state.rateLimitStore,
    logger,
  });
  const downstreamTokens = new DownstreamTokens({
    oidc,
    sessions,
    logger,
    timeoutMs: config.oidc.timeoutMs,
    proofs: config.oidc.fapi2 ? new DpopProofs(config.oidc.fapi2.dpop) : undefined,
  });
  const downstream = config.downstream.length > 0 ? createDownstreamService(downstreamTokens, config.downstream) : undefined;
  const services = {
    sessions,
    oidc,
    refresher,
    hooks,
    logger,
    limits,
    streams: config.trpc.streams,
    authz: { ...config.authz, directory },
    backUrl: config.backUrl,
    clientAddress: observed.clientAddress,
    downstream,
  };
  const remote = downstream
    ? createRemoteProxy({
        services,
        tokens: downstreamTokens,
        apis: config.downstream,
        allowedOrigins: new Set(config.frontOrigins),
        maxStreamSeconds: config.trpc.streams.maxLifetimeSeconds,
      })
    : undefined;
  const trpc = createTrpcEndpoint({
    services,
    allowedOrigins: new Set(config.frontOrigins),
    logger,
    maxBodyBytes: 64 * 1024,
    maxBatchSize: config.trpc.maxBatchSize,
    leanPath: config.trpc.leanPath,
    app: app.services,
    router: parts.router,
  });
  const endpoints = createEndpoints({
    config,
    oidc,
    sessions,
    transactions,
    replay: state.replay,
    hooks,
    logger,
    readiness,
    rateLimitStore: state.rateLimitStore('bff:rl:login:'),
  });
  const api = createApp({
    logger,
    https: config.backUrl.protocol === 'https:',
    trpc: trpc.listener,
    ...(remote ? { remote: remote.listener } : {}),
    endpoints,
    ...(config.web ? { web: createWebApp({ root: config.web.root, apiUrl: config.backUrl.origin }) } : {}),
  });
  const handler = observed.publicHandler(api);
  const apiPrefix = API_PATHS.trpc.slice(0, API_PATHS.trpc.indexOf('/', 1) + 1);
  const middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    const url = req.url ?? '/';
    if (config.web || url.startsWith(apiPrefix) || url === apiPrefix.slice(0, -1)) handler(req, res);
    else next();
  };
  return {
    handler,
    middleware,
    config,
    services: app.services,
    metrics: observed.metrics?.registry,
    oidc,
    sessions,
    state,
    start: () => {
      oidc.start();
      observed.start();
    },
    drain: () => {
      draining = true;
      trpc.endStreams();
      remote?.endStreams();
    },
    close: async () => {
      oidc.stop();
      await observed.close();
      await state.close();
    },
  };
}

/** A BFF listening on its own port. */
export interface RunningBff {
  readonly server: Server;
  readonly bff: Bff;
  /** Graceful stop: not ready, no new connections, in-flight calls finished, streams ended, state closed. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** {@link createBff}, then listens on `config.port` and starts discovery. */
export async function startBff(settings: BffOptions | Config, parts: BffParts): Promise<RunningBff> {
  const config = isResolved(settings) ? settings : resolveOptions(settings);
  const logger = parts.logger ?? createLogger();
  const bff = await createBff(config, { ...parts, logger });
  const server = createServer(bff.handler);
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  bff.start();
  logger.info('api.listening', {
    url: config.backUrl.href,
    port: config.port,
    fronts: config.frontOrigins,
    topology: config.cookie.topology,
    sessionCookie: { name: config.cookie.name, secure: config.cookie.secure, sameSite: config.cookie.sameSite },
    sessionStore: bff.state.kind,
    web: config.web ? config.web.root : 'not served',
  });
  return {
    server,
    bff,
    close: async ({ graceMs = 10_000 } = {}) => {
      bff.drain();
      // Stops accepting; in-flight requests finish; idle keep-alive connections close.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await bff.close();
    },
  };
}
