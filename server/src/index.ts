/**
 * The app's API as the test kit, the browser tests and the benchmark start it: the BFF
 * (`@oidc-bff/server`) with this app's routers and services. The client imports only the
 * `AppRouter` type, from `@bff/server/router`.
 */
export { createApi, startApi, type AppApiOptions } from './api.js';
export { appRouter, type AppRouter } from './router.js';
export { loadConfig, createLogger, idpRegistration, ConfigError, type Config, type Env } from '@oidc-bff/server';
