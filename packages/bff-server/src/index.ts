/**
 * `@oidc-bff/server`: the BFF machinery's public surface. Build it (`createBff`) or run it
 * (`startBff`) from a configuration (`loadConfig`, from the environment:
 * `configFromEnvironment`), write the app's procedures with the procedures exported here,
 * merge them with `bffRouter`, and explain the configuration (`diagnose`, `idpRegistration`).
 * An app's store or downstream call that throws one of the exported `DependencyUnavailableError`s
 * gets the same typed 503 as the BFF's own. Nothing else is public: no deep imports.
 */
export { createBff, startBff, type Bff, type BffInfra, type BffParts, type RunningBff } from './bff.js';
export type { AppServices, BffHooks, CallEvent, LoginEvent, LogoutEvent, RefreshEvent, RolesEvent, StepUpEvent, StreamEvent, RequestOrigin } from './hooks.js';
export type { BffMetricsView, ProcedureFigures } from './observability/metrics.js';
export { loadConfig, optionsFromEnv, type Config, type Env } from './config/env.js';
export { resolveOptions } from './options/resolve.js';
export { ConfigError, type ConfigIssue } from './options/issues.js';
export type { BffOptions } from './options/schema.js';
export type { OidcOptions } from './options/oidc.js';
export type { SessionOptions } from './options/session.js';
export type { CookieOptions } from './options/cookies.js';
export type { RedisOptions } from './options/redis.js';
export type { LdapOptions } from './options/ldap.js';
export type { LimitsOptions } from './options/limits.js';
export type { AuthzOptions } from './options/authz.js';
export type { WebOptions } from './options/web.js';
export type { ObservabilityOptions, AuditDestination } from './options/observability.js';
export { configFromEnvironment, loadDotEnv } from './config/load.js';
export { idpRegistration, type IdpRegistration } from './config/registration.js';
export { diagnose, formatFindings, type Finding } from './config/doctor.js';
export { runDoctor } from './config/doctor-run.js';
export { createLogger, type Logger } from './log.js';
export {
  router,
  mergeRouters,
  createCallerFactory,
  publicProcedure,
  protectedProcedure,
  streamProcedure,
  rolesProcedure,
  roleProcedure,
  stepUpProcedure,
  grantsOf,
} from './trpc/init.js';
export { DEFAULT_ACR_ORDER, type StepUpRequirement } from './authz/step-up.js';
export { toTrpcError } from './trpc/errors.js';
export {
  BffError,
  DependencyUnavailableError,
  IdpUnavailableError,
  SessionStoreUnavailableError,
  DirectoryUnavailableError,
  DownstreamUnavailableError,
  DownstreamUnauthorizedError,
  DownstreamFailedError,
  StepUpRequiredError,
  ERROR_OUTCOMES,
  describeError,
  type BffErrorCode,
  type Dependency,
  type ErrorOutcome,
} from './errors.js';
export { bffRouter, type BffRouter } from './trpc/bff-router.js';
export type { DownstreamClient, DownstreamCallOptions, Parser } from './downstream/client.js';
export type { DownstreamOptions, DownstreamTokenMode } from './options/downstream.js';
export type { Context, Services } from './trpc/context.js';
export type { AuthorizedUser } from './session/authenticate.js';
export type { SessionManager } from './session/manager.js';
export { MemoryBus, type Bus } from './cluster/bus.js';
export type { RedisConnection } from './cluster/redis-connection.js';
