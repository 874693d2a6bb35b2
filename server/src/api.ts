import { createBff, startBff, type Bff, type Config, type Logger, type RunningBff } from '@oidc-bff/server';
import type { AnyTRPCRouter } from '@trpc/server';
import { appRouter } from './router.js';
import { appServices } from './services.js';

export interface AppApiOptions {
  readonly retryDelayMs?: number;
  readonly jwksCooldownMs?: number;
  /** This instance's name in analytics; the host name and pid by default. */
  readonly instance?: string;
  /** Serve another router than the app's (the benchmark measures a public procedure on the same mount). */
  readonly router?: AnyTRPCRouter;
}

/** The app's API: the BFF with the app's routers and services, and its metrics kept for the analytics page. */
export function createApi(config: Config, logger: Logger, options: AppApiOptions = {}): Promise<Bff> {
  const { router = appRouter, instance, ...rest } = options;
  return createBff(config, { router, logger, app: appServices(instance ? { instance } : {}), collectMetrics: true, ...rest });
}

/** {@link createApi}, listening on `config.port`. */
export function startApi(config: Config, logger: Logger, options: AppApiOptions = {}): Promise<RunningBff> {
  const { router = appRouter, instance, ...rest } = options;
  return startBff(config, { router, logger, app: appServices(instance ? { instance } : {}), collectMetrics: true, ...rest });
}
