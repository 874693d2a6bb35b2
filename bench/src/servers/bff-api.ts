import { createApi, createLogger, loadConfig, type Env } from '@bff/server';
import { publicProcedure, router, type Bff as Api } from '@oidc-bff/server';
import { freePort } from '@bff/test-kit';
import { ME_RESPONSE } from './fixtures.js';

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
  /** Keep sessions in this Redis (the bench starts one) instead of in memory. */
  readonly redisUrl?: string;
  readonly useRedis?: boolean;
  /** Serve `me` as a public procedure on the same mount (no session needed): the auth layer's cost. */
  readonly publicMe?: boolean;
  /** Answer every call through tRPC's fetch adapter (TRPC_LEAN_PATH=false): the lean path's "before". */
  readonly adapterOnly?: boolean;
  /** Metrics on their own port and traces exported (every request sampled) to this OTLP/HTTP receiver. */
  readonly observed?: boolean;
  /** The bench's OTLP receiver (its base URL), for `observed`. */
  readonly otlpUrl?: string;
  /** The share of requests traced (and exported) with `observed`: OTEL_TRACES_SAMPLER_ARG. */
  readonly sampled?: number;
}

/**
 * Builds our real API through its public entry point and waits for IdP discovery,
 * so that a bench run never starts against a half-ready server.
 */
export async function createDiscoveredApi(options: BffServerOptions): Promise<Api> {
  const logger = createLogger({ level: options.logLevel ?? 'silent', destination: { write: () => undefined } });
  const env = {
    ...options.env,
    ...(options.useRedis ? { REDIS_URL: options.redisUrl } : {}),
    ...(options.adapterOnly ? { TRPC_LEAN_PATH: 'false' } : {}),
    ...(options.observed
      ? {
          METRICS_PORT: String(await freePort()),
          OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpUrl,
          OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
          OTEL_TRACES_SAMPLER_ARG: String(options.sampled ?? 1),
        }
      : {}),
  };
  const api = await createApi(loadConfig(env), logger, options.publicMe ? { router: router({ me: publicProcedure.query(() => ME_RESPONSE) }) } : {});
  api.start();
  await api.oidc.get();
  return api;
}
