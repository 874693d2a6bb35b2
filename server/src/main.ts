import { createServer, type Server } from 'node:http';
import { ConfigError, loadConfig, type Config, type Env } from './config.js';
import { createApp } from './app.js';
import { createOidcService } from './auth/oidc.js';
import { SessionManager } from './auth/session.js';
import { MemorySessionStore } from './auth/session-store.js';
import { ChatStore } from './chat/chat-store.js';
import { Metrics } from './analytics/metrics.js';
import { createLogger, type Logger } from './log.js';

export interface RunningApi {
  readonly server: Server;
  readonly config: Config;
  close(): Promise<void>;
}

/** Wires the dependencies from a validated configuration and listens. */
export async function startApi(config: Config, logger: Logger = createLogger()): Promise<RunningApi> {
  for (const warning of config.warnings) logger.warn('config.warning', { message: warning });
  const oidc = createOidcService({ ...config.oidc, logger });
  const store = new MemorySessionStore();
  const sessions = new SessionManager({ store, ...config.session, cookie: config.cookie });
  const app = createApp({ config, oidc, sessions, chat: new ChatStore(), metrics: new Metrics(), logger });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  oidc.start();
  logger.info('api.listening', {
    url: config.backUrl.href,
    port: config.port,
    fronts: config.frontOrigins,
    topology: config.cookie.topology,
    cookie: { name: config.cookie.name, secure: config.cookie.secure, sameSite: config.cookie.sameSite },
  });
  return {
    server,
    config,
    close: async () => {
      oidc.stop();
      store.close();
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
