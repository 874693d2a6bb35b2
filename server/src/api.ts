import { createServer, type RequestListener, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { Config } from './config/env.js';
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
import { MemoryChatStore, type ChatStore } from './app/chat/chat-store.js';
import { Metrics } from './app/analytics/metrics.js';
import { LdapDirectory } from './directory/ldap-directory.js';
import { createWebApp } from './http/web.js';
import { appRouter } from './app/router.js';
import type { AnyTRPCRouter } from '@trpc/server';
import { createLogger, type Logger } from './log.js';

export interface Api {
  /** The API (and the web app, when configured) as a Node request handler. */
  readonly app: RequestListener;
  readonly config: Config;
  readonly oidc: OidcService;
  readonly sessions: SessionManager;
  readonly state: SharedState;
  /** Starts IdP discovery (retried in the background until it succeeds). */
  start(): void;
  /** Reports not ready from now on and ends live streams (draining before a shutdown). */
  drain(): void;
  stop(): Promise<void>;
}

export interface ApiOptions {
  readonly retryDelayMs?: number;
  readonly jwksCooldownMs?: number;
  /** This instance's name in analytics; the host name and pid by default. */
  readonly instance?: string;
  /** Serve another router than the app's (the benchmark measures a public procedure on the same mount). */
  readonly router?: AnyTRPCRouter;
}

/** Wires the API's dependencies from a validated configuration. */
export async function createApi(config: Config, logger: Logger, options: ApiOptions = {}): Promise<Api> {
  const oidc = createOidcService({ ...config.oidc, logger, ...options });
  const state = await createSharedState(config, logger);
  const sessions = new SessionManager({
    store: state.store,
    bus: state.bus,
    secrets: config.session.secrets,
    idleTtlSeconds: config.session.idleTtlSeconds,
    absoluteTtlSeconds: config.session.absoluteTtlSeconds,
    cookie: config.cookie,
    // With a shared store, a second's local copy keeps the per-request lookup off the network
    // (see the benchmark); changes and ends reach every instance's copy through the bus at once.
    localCacheMs: state.kind === 'memory' ? 0 : 1000,
  });
  const refresher = new TokenRefresher({ oidc, sessions, logger, timeoutMs: config.oidc.timeoutMs });
  const transactions = new TransactionCookies({
    secrets: config.session.secrets,
    baseName: config.cookie.baseName,
    secure: config.cookie.secure,
  });
  const metrics = new Metrics({ instance: options.instance ?? `${hostname()}:${process.pid}`, logins: state.logins });
  const chat: ChatStore = state.chat ?? new MemoryChatStore(state.bus);
  // One directory client for the process: its per-user cache is what keeps roles working through a short LDAP outage.
  const directory = config.ldap ? new LdapDirectory({ ...config.ldap, production: config.production, logger }) : undefined;
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
  const trpc = createTrpcEndpoint({
    services: {
      sessions,
      oidc,
      refresher,
      chat,
      metrics,
      logger,
      limits,
      streams: config.trpc.streams,
      authz: { ...config.authz, directory },
      backUrl: config.backUrl,
    },
    allowedOrigins: new Set(config.frontOrigins),
    logger,
    maxBodyBytes: 64 * 1024,
    maxBatchSize: config.trpc.maxBatchSize,
    router: options.router ?? appRouter,
  });
  const endpoints = createEndpoints({
    config,
    oidc,
    sessions,
    transactions,
    replay: state.replay,
    metrics,
    logger,
    readiness,
    rateLimitStore: state.rateLimitStore('bff:rl:login:'),
  });
  const app = createApp({
    logger,
    https: config.backUrl.protocol === 'https:',
    trpc: trpc.listener,
    endpoints,
    ...(config.web ? { web: createWebApp({ root: config.web.root, apiUrl: config.backUrl.origin }) } : {}),
  });
  return {
    app,
    config,
    oidc,
    sessions,
    state,
    start: () => oidc.start(),
    drain: () => {
      draining = true;
      trpc.endStreams();
    },
    stop: async () => {
      oidc.stop();
      await state.close();
    },
  };
}

export interface RunningApi {
  readonly server: Server;
  readonly api: Api;
  /** Graceful stop: not ready, no new connections, in-flight calls finished, streams ended, state closed. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Creates the API and listens on `config.port`. */
export async function startApi(config: Config, logger: Logger = createLogger(), options: ApiOptions = {}): Promise<RunningApi> {
  for (const warning of config.warnings) logger.warn('config.warning', { message: warning });
  for (const finding of staticFindings(config)) {
    if (finding.severity === 'warn' || finding.severity === 'error')
      logger.warn('config.doctor', { check: finding.check, message: finding.message, fix: finding.fix });
  }
  const api = await createApi(config, logger, options);
  const server = createServer(api.app);
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  api.start();
  logger.info('api.listening', {
    url: config.backUrl.href,
    port: config.port,
    fronts: config.frontOrigins,
    topology: config.cookie.topology,
    sessionCookie: { name: config.cookie.name, secure: config.cookie.secure, sameSite: config.cookie.sameSite },
    sessionStore: api.state.kind,
    web: config.web ? config.web.root : 'not served',
  });
  return {
    server,
    api,
    close: async ({ graceMs = 10_000 } = {}) => {
      api.drain();
      // Stops accepting; in-flight requests finish; idle keep-alive connections close.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await api.stop();
    },
  };
}
