import { createApi, createLogger, loadConfig, type Api, type Env } from '@bff/server';

/** Options the bench passes to a child that runs our API. */
export interface BffServerOptions {
  readonly port: number;
  /** The environment `loadConfig` reads, as the API would get it in production. */
  readonly env: Env;
  /**
   * `silent` (default) measures the API without log output; `info` is production's
   * level, with every line serialised and then dropped (no terminal or pipe in the loop).
   */
  readonly logLevel?: 'silent' | 'info';
}

/**
 * Builds our real API through its public entry point and waits for IdP discovery,
 * so that a bench run never starts against a half-ready server.
 */
export async function createDiscoveredApi(options: BffServerOptions): Promise<Api> {
  const logger = createLogger({ level: options.logLevel ?? 'silent', destination: { write: () => undefined } });
  const api = await createApi(loadConfig(options.env), logger);
  api.start();
  await api.oidc.get();
  return api;
}
