import type { AuthFailureReason } from '@oidc-bff/protocol';
import { MemoryBus } from '../cluster/bus.js';
import type { AppServices, BffHooks } from '../hooks.js';
import { createLogger } from '../log.js';
import type { OidcService } from '../oidc/discovery.js';
import { TokenRefresher } from '../oidc/refresh.js';
import type { AuthorizedUser } from '../session/authenticate.js';
import { SessionManager } from '../session/manager.js';
import { MemorySessionStore } from '../session/memory-store.js';
import { createInnerContext, type Context, type Services } from './context.js';
import { BffMetrics, type BffMetricsView } from '../observability/metrics.js';
import { joinHooks } from '../observability/observability.js';

/** A signed-in caller for {@link TestBff.contextFor}: who they are and what the IdP or directory grants them. */
export type TestUser = AuthorizedUser;

/** Contexts for an app's procedure tests through `createCallerFactory(appRouter)(ctx)`. */
export interface TestBff {
  /** The BFF services behind every context (real sessions in memory, no IdP). */
  readonly services: Services;
  /** The BFF's metrics, fed by the calls made through its contexts, when asked for (`metrics: true`). */
  readonly metrics: BffMetricsView | undefined;
  /**
   * A context whose caller is signed in as `user`, with a session of their own; `signIn` says how
   * strongly (the ID token's `acr` and `auth_time`, epoch seconds), for step-up procedures.
   */
  contextFor(user: TestUser, signIn?: { readonly acr?: string; readonly authTime?: number }): Promise<Context>;
  /** A context whose session was refused for `reason` (`UNAUTHORIZED` in protected procedures). */
  refusedContext(reason: Extract<AuthFailureReason, 'no_session' | 'invalid_session' | 'session_expired' | 'invalid_token' | 'refresh_failed'>): Context;
}

/**
 * The BFF as an app's procedure tests need it: real session handling in memory, the app's
 * services and hooks, no network. For routes and sign-in, test over HTTP against the
 * development IdP instead.
 *
 * @example
 * const bff = createTestBff({ app: { chat: new MemoryChatStore(bus) } });
 * const caller = createCallerFactory(appRouter)(await bff.contextFor(alice));
 */
export function createTestBff(
  options: {
    /** The app's services, or how they are built from the BFF's metrics (as `BffParts.app` gets them in `BffInfra`). */
    app?: AppServices | ((infra: { readonly metrics: BffMetricsView | undefined }) => AppServices);
    hooks?: BffHooks;
    roleMap?: Readonly<Record<string, readonly string[]>>;
    /** Keep the BFF's metrics (`BffParts.collectMetrics`). */
    metrics?: boolean;
  } = {},
): TestBff {
  const sessions = new SessionManager({
    store: new MemorySessionStore(),
    bus: new MemoryBus(),
    secrets: ['test-only-session-secret-0123456789abcdef'],
    idleTtlSeconds: 600,
    absoluteTtlSeconds: 3600,
    cookie: { name: 'test_session', secure: false, sameSite: 'lax' },
  });
  // No IdP in procedure tests: the sessions made here never need a refresh.
  const oidc = {} as OidcService;
  const logger = createLogger({ destination: { write: () => undefined } });
  const metrics = options.metrics ? new BffMetrics({ probes: () => ({}), activeSessions: () => sessions.count() }) : undefined;
  const services: Services = {
    sessions,
    oidc,
    refresher: new TokenRefresher({ oidc, sessions, logger, timeoutMs: 1000 }),
    hooks: metrics ? joinHooks(metrics.hooks, options.hooks ?? {}) : (options.hooks ?? {}),
    logger,
    authz: { roleMap: options.roleMap ?? {}, groupsClaim: 'groups' },
    limits: { hit: async () => ({ ok: true }) },
    backUrl: new URL('https://api.example.com'),
  };
  const app = typeof options.app === 'function' ? options.app({ metrics }) : (options.app ?? ({} as AppServices));
  return {
    services,
    metrics,
    contextFor: async ({ groups, roles, ...user }, signIn = {}) => {
      const { session } = await sessions.create({
        sub: user.sub,
        name: user.name,
        email: user.email,
        idpSid: undefined,
        accessToken: 'opaque-for-this-test',
        accessTokenExpiresAt: Date.now() + 600_000,
        tokensObtainedAt: Date.now(),
        idToken: 'id',
        refreshToken: undefined,
        device: { browser: 'Chrome', os: 'Linux' },
        ...signIn,
      });
      return createInnerContext(services, app, async () => ({ ok: true, user, session, grants: async () => ({ groups, roles }) }));
    },
    refusedContext: (reason) => createInnerContext(services, app, async () => ({ ok: false, reason })),
  };
}
