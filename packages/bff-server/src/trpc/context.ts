import type { IncomingMessage } from 'node:http';
import type { AuthResult } from '../session/authenticate.js';
import type { OidcService } from '../oidc/discovery.js';
import type { SessionManager } from '../session/manager.js';
import type { TokenRefresher } from '../oidc/refresh.js';
import type { AppServices, BffHooks, RequestOrigin } from '../hooks.js';
import type { Logger } from '../log.js';
import type { AuthzSettings } from '../authz/grants.js';
import type { CallLimits } from './call-limits.js';
import type { StreamBounds } from '../session/live-stream.js';
import type { DownstreamService } from '../downstream/service.js';

/** Long-lived dependencies the procedures use. */
export interface Services {
  readonly sessions: SessionManager;
  readonly oidc: OidcService;
  readonly refresher: TokenRefresher;
  /** What the app observes (calls; sign-ins are the endpoints'). */
  readonly hooks: BffHooks;
  readonly logger: Logger;
  /** Per-session call limits (S22). */
  readonly limits: CallLimits;
  /** Bounds of every subscription (S26); absent: `DEFAULT_STREAM_BOUNDS`. */
  readonly streams?: StreamBounds;
  /** Role mapping and where groups are found: token claims, or the directory (S13). */
  readonly authz: AuthzSettings;
  /** The API's public URL, for links such as the logout URL. */
  readonly backUrl: URL;
  /** A request's client address as `TRUST_PROXY` allows (what Express's `req.ip` says on the plain endpoints). */
  readonly clientAddress?: (req: IncomingMessage) => string | undefined;
  /** The downstream APIs (`DOWNSTREAM_APIS`), for `ctx.downstream(name)`; absent: none. */
  readonly downstream?: DownstreamService;
}

export interface Context {
  readonly services: Services;
  /** The app's own services (`createBff`'s `app`), typed by augmenting {@link AppServices}. */
  readonly app: AppServices;
  /** Resolves the caller's session; runs at most once per request and only when a procedure needs it. */
  readonly auth: () => Promise<AuthResult>;
  /** Where the call came from, for the audit trail; absent outside HTTP (procedure tests). */
  readonly request?: () => RequestOrigin;
}

/**
 * Builds the context of one call; the HTTP handler passes the session lookup for
 * the request's cookie, tests pass whatever they need to `createCaller`.
 *
 * @example
 * const caller = createCaller(createInnerContext(services, app, async () => ({ ok: true, user, session })));
 */
export function createInnerContext(services: Services, app: AppServices, resolveAuth: () => Promise<AuthResult>, request?: () => RequestOrigin): Context {
  let pending: Promise<AuthResult> | undefined;
  return { services, app, auth: () => (pending ??= resolveAuth()), request };
}
