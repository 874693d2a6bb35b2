/**
 * The API's public surface: build it (`createApi`), run it (`startApi`), configure it
 * (`loadConfig`), explain its configuration (`diagnose`, `idpRegistration`). The
 * client imports only the `AppRouter` type, from `@bff/server/router`.
 */
export { createApi, startApi, type Api, type ApiOptions, type RunningApi } from './api.js';
export { loadConfig, ConfigError, type Config, type Env } from './config/env.js';
export { idpRegistration, type IdpRegistration } from './config/registration.js';
export { diagnose, formatFindings, type Finding } from './config/doctor.js';
export { createLogger, type Logger } from './log.js';
export type { AppRouter } from './app/router.js';
export { router, publicProcedure, protectedProcedure, roleProcedure } from './trpc/init.js';
