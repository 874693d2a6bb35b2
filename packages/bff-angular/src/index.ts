/**
 * `@oidc-bff/angular`: the Angular side of the OIDC Backend-for-Frontend. `provideBff()`
 * installs it; pages use `Auth`, the guards, `injectTrpc<AppRouter>()`, `ServiceStatus` and
 * `apiErrorKind`. Specs use `@oidc-bff/angular/testing`.
 */
export { provideBff, withTrpcLinks, type BffApi, type BffFeature, type BffFeatureKind, type BffOptions } from './provide-bff.js';
export type { BffRoutes } from './bff-routes.js';
export { BFF_CONFIG, BffConfigError, DEFAULT_API_URL, loadBffConfig, parseBffConfig, type BffConfig, type BffConfigResult } from './config/bff-config.js';
export { BFF_TRPC_CLIENT, injectTrpc, type BffClient, type BffCompatibleRouter } from './api/trpc-client.js';
export { Auth, type AuthStatus } from './auth/auth.js';
export { roleGuard, sessionGuard } from './auth/auth-guard.js';
export type { AutoLoginContext } from './auth/auto-login-link.js';
export { LOGIN_ATTEMPT_KEY, LOGIN_LOOP_WINDOW_MS, LoginFlow } from './auth/login-flow.js';
export { WindowLocation } from './auth/window-location.js';
export type { SessionChannel, SessionMessage } from './auth/session-channel.js';
export { ServiceStatus, type ServiceProblem } from './api/service-status.js';
export { DEFAULT_RETRY_AFTER_SECONDS, apiErrorKind, bffErrorData, retryAfterSeconds, type ApiErrorKind, type BffErrorData } from './api/api-error.js';
