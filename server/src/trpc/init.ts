import { initTRPC, TRPCError } from '@trpc/server';
import { isAuthFailureReason, type AuthFailureReason } from '@bff/shared';
import { IdpUnavailableError } from '../oidc/discovery.js';
import { SessionStoreUnavailableError } from '../session/store.js';
import { DirectoryUnavailableError } from '../directory/ldap-directory.js';
import type { Grants } from '../authz/grants.js';
import type { Context } from './context.js';

/** Carried as the `cause` of a `TRPCError` so that the error formatter can publish the reason. */
export class AuthFailure extends Error {
  constructor(
    readonly reason: AuthFailureReason,
    /** For `rate_limited`: when to try again, sent as `Retry-After`. */
    readonly retryAfterSeconds?: number,
  ) {
    super(reason);
    this.name = 'AuthFailure';
  }
}

const SAFE_MESSAGES: Partial<Record<TRPCError['code'], string>> = {
  INTERNAL_SERVER_ERROR: 'Internal server error.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable; try again shortly.',
};

/** The one place `initTRPC` is called; the app's routers build on what this module exports. */
const t = initTRPC.context<Context>().create({
  // Whatever NODE_ENV says, clients never see stack traces or internal messages (S15).
  isDev: false,
  sse: {
    ping: { enabled: true, intervalMs: 15_000 },
    client: { reconnectAfterInactivityMs: 40_000 },
  },
  errorFormatter({ shape, error }) {
    const reason = error.cause instanceof AuthFailure ? error.cause.reason : undefined;
    return {
      code: shape.code,
      message: SAFE_MESSAGES[error.code] ?? shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        ...(reason && isAuthFailureReason(reason) ? { reason } : {}),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const recordCall = t.middleware(async ({ ctx, path, next }) => {
  const started = performance.now();
  const result = await next();
  ctx.services.metrics.recordCall(path, performance.now() - started, result.ok);
  return result;
});

/** A procedure anyone may call, without a session. */
export const publicProcedure = t.procedure.use(recordCall);

/**
 * Requires a verified session and narrows `ctx.user` and `ctx.session` (S10, S14), then
 * applies the per-session call limits (S22): over them, `TOO_MANY_REQUESTS` with
 * `Retry-After`, before the procedure runs. One middleware for both: every layer costs
 * a context copy on the hottest path.
 */
const requireSession = t.middleware(async ({ ctx, type, next }) => {
  let auth;
  try {
    auth = await ctx.auth();
  } catch (error) {
    // A dependency being down is never a logout: the client retries, nobody is sent to the IdP (S20).
    if (error instanceof IdpUnavailableError) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', cause: new AuthFailure('idp_unavailable') });
    if (error instanceof SessionStoreUnavailableError)
      throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', cause: new AuthFailure('session_store_unavailable') });
    throw error;
  }
  if (!auth.ok) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign-in required.', cause: new AuthFailure(auth.reason) });
  }
  const verdict = await ctx.services.limits.hit(auth.session.id, type === 'mutation');
  if (!verdict.ok) {
    throw new TRPCError({
      code: 'TOO_MANY_REQUESTS',
      message: `Too many calls; try again in ${verdict.retryAfterSeconds} s.`,
      cause: new AuthFailure('rate_limited', verdict.retryAfterSeconds),
    });
  }
  return next({ ctx: { ...ctx, user: auth.user, session: auth.session, grants: auth.grants } });
});

export const protectedProcedure = publicProcedure.use(requireSession);

/**
 * A signed-in procedure that reads the caller's groups and roles (`ctx.user.groups`,
 * `ctx.user.roles`). When groups come from the directory it waits for it; the
 * directory down (past its cache) is `SERVICE_UNAVAILABLE` with reason
 * `directory_unavailable`, never a `FORBIDDEN` and never a grant (S20). Procedures
 * that do not need roles use {@link protectedProcedure} and keep working meanwhile.
 */
export const rolesProcedure = protectedProcedure.use(async ({ ctx, next }) => {
  const grants = await grantsOf(ctx);
  return next({ ctx: { ...ctx, user: { ...ctx.user, groups: grants.groups, roles: grants.roles } } });
});

/**
 * The caller's groups and roles, from a signed-in procedure's context: what
 * {@link rolesProcedure} does, for a procedure that reads them itself (`me`, the hottest
 * call, saves a middleware layer that way).
 * @throws {TRPCError} `SERVICE_UNAVAILABLE`, reason `directory_unavailable`, when the directory cannot answer.
 */
export async function grantsOf(ctx: { grants: () => Promise<Grants> }): Promise<Grants> {
  try {
    return await ctx.grants();
  } catch (error) {
    if (error instanceof DirectoryUnavailableError) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', cause: new AuthFailure('directory_unavailable') });
    throw error;
  }
}

/**
 * A procedure for holders of an application role only (S13). Roles are granted by
 * groups (from the verified access token, or the directory) through `ROLE_MAP`,
 * mapped in one place: procedures never name a group.
 */
export function roleProcedure(role: string) {
  return rolesProcedure.use(({ ctx, next }) => {
    if (!ctx.user.roles.includes(role)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `The "${role}" role is required.`, cause: new AuthFailure('forbidden') });
    }
    return next();
  });
}
