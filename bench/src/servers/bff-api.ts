import { createApi, type Api } from '../../../server/src/main.js';
import { loadConfig, type Env } from '../../../server/src/config.js';
import type { Logger } from '../../../server/src/log.js';

/** Options the bench passes to a child that runs our API. */
export interface BffServerOptions {
  readonly port: number;
  /** The environment `loadConfig` reads, as the API would get it in production. */
  readonly env: Env;
}

/** Logging costs nothing on the hot path today; the bench keeps it silent so it measures the API, not the terminal. */
const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Builds our real API through its public entry point and waits for IdP discovery,
 * so that a bench run never starts against a half-ready server.
 */
export async function createDiscoveredApi(options: BffServerOptions): Promise<Api> {
  const api = createApi(loadConfig(options.env), silentLogger);
  api.start();
  await api.oidc.get();
  return api;
}
