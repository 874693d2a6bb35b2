import { createServer, type RequestListener, type Server } from 'node:http';
import { ConfigError, loadConfig, type Config, type Env } from './config.js';
import { createApp } from './app.js';
import { createOidcService, type OidcService } from './auth/oidc.js';
import { SessionManager } from './auth/session.js';
import { TokenRefresher } from './auth/refresh.js';
import { MemorySessionStore } from './auth/session-store.js';
import { ChatStore } from './chat/chat-store.js';
import { Metrics } from './analytics/metrics.js';
import { createLogger, type Logger } from './log.js';
import { staticFindings } from './doctor.js';

export interface Api {
  /** The API as a Node request handler. */
  readonly app: RequestListener;
  readonly config: Config;
  readonly oidc: OidcService;
  readonly sessions: SessionManager;
  /** Starts IdP discovery (retried in the background until it succeeds). */
  start(): void;
  stop(): void;
}

/** Wires the API's dependencies from a validated configuration. */
export function createApi(config: Config, logger: Logger, options: { retryDelayMs?: number; jwksCooldownMs?: number } = {}): Api {
  const oidc = createOidcService({ ...config.oidc, logger, ...options });
  const store = new MemorySessionStore();
  const sessions = new SessionManager({ store, ...config.session, cookie: config.cookie });
  const refresher = new TokenRefresher({ oidc, sessions, logger });
  const app = createApp({ config, oidc, sessions, refresher, chat: new ChatStore(), metrics: new Metrics(), logger });
  return {
    app,
    config,
    oidc,
    sessions,
    start: () => oidc.start(),
    stop: () => {
      oidc.stop();
      store.close();
    },
  };
}

/** Creates the API and listens on `config.port`. */
export async function startApi(config: Config, logger: Logger = createLogger()): Promise<{ server: Server; close(): Promise<void> }> {
  for (const warning of config.warnings) logger.warn('config.warning', { message: warning });
  for (const finding of staticFindings(config)) {
    if (finding.severity === 'warn' || finding.severity === 'error') logger.warn('config.doctor', { check: finding.check, message: finding.message, fix: finding.fix });
  }
  const api = createApi(config, logger);
  const server = createServer(api.app);
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  api.start();
  logger.info('api.listening', {
    url: config.backUrl.href,
    port: config.port,
    fronts: config.frontOrigins,
    topology: config.cookie.topology,
    sessionCookie: { name: config.cookie.name, secure: config.cookie.secure, sameSite: config.cookie.sameSite },
  });
  return {
    server,
    close: async () => {
      api.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Reads the environment once; a bad configuration ends the process with every problem named. */
export function configFromEnvironment(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await startApi(configFromEnvironment());
}
