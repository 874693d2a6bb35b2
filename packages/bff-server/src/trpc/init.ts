import { initTRPC, TRPCError, type TRPCProcedureType } from '@trpc/server';
import { getTRPCErrorFromUnknown, middlewareMarker } from '@trpc/server/unstable-core-do-not-import';
import { isAuthFailureReason } from '@oidc-bff/protocol';
import { BffError } from '../errors.js';
import type { Grants } from '../authz/grants.js';
import { DEFAULT_ACR_ORDER, MAX_STEP_UP_AGE_SECONDS, stepUpShortfall, type StepUpRequirement } from '../authz/step-up.js';
import type { AuthResult } from '../session/authenticate.js';
import { DEFAULT_STREAM_BOUNDS, LiveStream, STREAM_RETRY_AFTER_SECONDS } from '../session/live-stream.js';
import type { Context } from './context.js';
import type { DownstreamClient } from '../downstream/client.js';
import { AuthFailure, toTrpcError } from './errors.js';
import { failSpan, inSpan, tracingOn } from '../observability/tracing.js';

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
    const failure = error.cause instanceof AuthFailure ? error.cause : undefined;
    const reason = failure?.reason;
    return {
      code: shape.code,
      message: SAFE_MESSAGES[error.code] ?? shape.message,
      data: {
        code: shape.data.code,
        httpStatus: shape.data.httpStatus,
        path: shape.data.path,
        ...(reason && isAuthFailureReason(reason) ? { reason } : {}),
        // A refused event stream answers 200 with this error as an event: a page cannot read its headers.
        ...(failure?.retryAfterSeconds !== undefined ? { retryAfterSeconds: failure.retryAfterSeconds } : {}),
        // RFC 9470's parameters, for the client to sign in again with: `/api/login?acr_values=…&max_age=…`.
        ...(failure?.challenge?.acr_values !== undefined ? { acr_values: failure.challenge.acr_values } : {}),
        ...(failure?.challenge?.max_age !== undefined ? { max_age: failure.challenge.max_age } : {}),
      },
    };
  },
});

export const router = t.router;
export const mergeRouters = t.mergeRouters;
export const createCallerFactory = t.createCallerFactory;

/**
 * Under every procedure: traces it (when tracing is on), reports the call to `onCall`, and answers one of the BFF's errors
 * thrown by a resolver (the app's store or a downstream API down) as `toTrpcError` says,
 * so that a dependency down inside a procedure is the same `SERVICE_UNAVAILABLE` as one
 * down before it, never an internal error (S20). `run` is the rest of the call; what it
 * throws is an answer like any other, as tRPC makes it between two middlewares.
 */
async function observed<R extends { readonly ok: boolean }>(ctx: Context, path: string, type: TRPCProcedureType, run: () => Promise<R>): Promise<R> {
  const onCall = ctx.services.hooks.onCall;
  const started = onCall ? performance.now() : 0;
  const settled = (): Promise<R> =>
    run().catch((cause: unknown) => ({ ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker }) as unknown as R);
  // With tracing on, the call is a span named by its procedure (from the router, never the request).
  const result = tracingOn()
    ? await inSpan(path, { 'rpc.system': 'trpc', 'rpc.method': path, 'bff.procedure.type': type }, async (span) => {
        const answer = await settled();
        if (span && !answer.ok) {
          const { error } = answer as unknown as { error: TRPCError };
          span.setAttribute('bff.procedure.code', error.code);
          failSpan(span, error);
        }
        return answer;
      })
    : await settled();
  const error = result.ok ? undefined : (result as unknown as { error: TRPCError }).error;
  // tRPC wraps what a resolver throws in INTERNAL_SERVER_ERROR; a TRPCError the resolver chose stays as it is.
  const answer = error?.code === 'INTERNAL_SERVER_ERROR' && error.cause instanceof BffError ? toTrpcError(error.cause) : undefined;
  onCall?.({
    path,
    type,
    durationMs: performance.now() - started,
    ok: result.ok,
    code: error ? (answer ?? error).code : undefined,
  });
  if (answer) throw answer;
  return result;
}

const baseCall = t.middleware(({ ctx, path, type, next }) => observed(ctx, path, type, () => next()));

/** A procedure anyone may call, without a session. */
export const publicProcedure = t.procedure.use(baseCall);

/**
 * Requires a verified session and narrows `ctx.user` and `ctx.session` (S10, S14), then
 * applies the per-session call limits (S22): over them, `TOO_MANY_REQUESTS` with
 * `Retry-After`, before the procedure runs. A subscription is bounded as well (S26, see
 * {@link boundStream}), so that no stream of a session escapes the bounds. One middleware
 * for all of it, the call's observation included (it is `publicProcedure`'s on its own):
 * every layer of tRPC's middleware chain copies the call's options and context, twice.
 */
const requireSession = t.middleware(({ ctx, path, type, signal, next }) =>
  observed(ctx, path, type, async () => {
    let auth: AuthResult;
    try {
      auth = await ctx.auth();
    } catch (error) {
      throw toTrpcError(error);
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
    const { session } = auth;
    // Only what is new: tRPC merges it over the context it has (`{ ...ctx, ...narrowed }`).
    const narrowed = {
      user: auth.user,
      session,
      grants: auth.grants,
      /** The downstream API configured as `name`, called as this user (see `DownstreamClient`). */
      downstream: (name: string): DownstreamClient => {
        const { downstream } = ctx.services;
        if (!downstream) throw new TypeError(`No downstream API is configured as "${name.slice(0, 40)}" (DOWNSTREAM_APIS has none).`);
        return downstream.client(session, name);
      },
      stream: undefined as LiveStream | undefined,
    };
    if (type !== 'subscription') return next({ ctx: narrowed });
    let stream: LiveStream | undefined;
    try {
      stream = await LiveStream.open(ctx.services, ctx.services.streams ?? DEFAULT_STREAM_BOUNDS, auth.session, signal);
    } catch (error) {
      throw toTrpcError(error);
    }
    const onStream = ctx.services.hooks.onStream;
    if (!stream) {
      onStream?.({ change: 'refused' });
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: 'Too many live streams are open for this session.',
        cause: new AuthFailure('too_many_streams', STREAM_RETRY_AFTER_SECONDS),
      });
    }
    if (onStream) {
      onStream({ change: 'opened' });
      if (stream.signal.aborted) onStream({ change: 'closed' });
      else stream.signal.addEventListener('abort', () => onStream({ change: 'closed' }), { once: true });
    }
    const result = await next({ ctx: { ...narrowed, stream } }).catch((error: unknown) => {
      stream.close('closed');
      throw error;
    });
    if (!result.ok) {
      stream.close('closed');
      return result;
    }
    if (!isAsyncIterable(result.data)) {
      stream.close('closed');
      throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'A subscription must be an async generator to be bounded.' });
    }
    return { ...result, data: boundStream(stream, result.data) };
  }),
);

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * A subscription's events within its {@link LiveStream}'s bounds. When the stream reaches its
 * maximum lifetime (or loses its slot) it ends as an abort, which tRPC's event stream closes
 * without a final event: the client's EventSource reconnects with `Last-Event-ID` and the
 * procedure resumes after it, so nothing is missed. When the session has ended it ends with
 * tRPC's `return` event, which tells the client that reconnecting is pointless.
 */
async function* boundStream(stream: LiveStream, source: AsyncIterable<unknown>): AsyncGenerator<unknown, void, undefined> {
  yield* stream.pipe(source);
  if (stream.end === 'lifetime' || stream.end === 'slot_lost') throw new DOMException('The stream reached its bounds; reconnect to resume.', 'AbortError');
}

export const protectedProcedure = t.procedure.use(requireSession);

/**
 * The procedure for a subscription: {@link protectedProcedure}, whose bounds every
 * subscription gets (S26), with the stream itself in `ctx.stream`. The resolver stops when
 * `ctx.stream.signal` aborts: the client left, the instance is draining, the stream reached
 * its lifetime or its session ended. Yielding `tracked(id, value)` events lets a client that
 * reconnects resume after the last id it received.
 *
 * @example
 * onTick: streamProcedure.subscription(async function* ({ ctx }) {
 *   while (!ctx.stream.signal.aborted) yield tracked(String(Date.now()), await nextTick(ctx.stream.signal));
 * }),
 */
export const streamProcedure = protectedProcedure.use(({ ctx, type, next }) => {
  if (type !== 'subscription' || !ctx.stream) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'streamProcedure is for subscriptions.' });
  return next({ ctx: { ...ctx, stream: ctx.stream } });
});

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
    throw toTrpcError(error);
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

/**
 * A signed-in procedure that needs a strong enough or a recent enough sign-in (step-up, S29):
 * the session's `acr` at or above `acr` in the configured order (`OIDC_ACR_ORDER`; a value
 * missing from it is met only by itself), and/or its `auth_time` at most `maxAgeSeconds` ago
 * (with a few seconds for the IdP's clock). Both are the last sign-in's ID token's, never what
 * was asked for. Falling short is `UNAUTHORIZED` with reason `insufficient_user_authentication`
 * and `acr_values` / `max_age` in the error data (RFC 9470), which `@oidc-bff/angular` answers
 * by itself: it sends the browser to `/api/login` with them and back to the page.
 *
 * @example
 * deleteMine: stepUpProcedure({ acr: 'urn:bff:loa:mfa' }).mutation(({ ctx }) => ctx.app.chat.deleteBy(ctx.user.sub)),
 * exportAll: stepUpProcedure({ acr: 'urn:bff:loa:mfa', maxAgeSeconds: 300 }).query(...),
 * @see https://www.rfc-editor.org/rfc/rfc9470#section-3
 */
export function stepUpProcedure(requirement: StepUpRequirement) {
  const { acr, maxAgeSeconds } = requirement;
  if (acr === undefined && maxAgeSeconds === undefined) throw new TypeError('stepUpProcedure needs an acr, a maxAgeSeconds or both.');
  if (maxAgeSeconds !== undefined && !(Number.isInteger(maxAgeSeconds) && maxAgeSeconds >= 0 && maxAgeSeconds <= MAX_STEP_UP_AGE_SECONDS))
    throw new TypeError(`stepUpProcedure's maxAgeSeconds must be a whole number of seconds from 0 to ${MAX_STEP_UP_AGE_SECONDS}.`);
  return protectedProcedure.use(({ ctx, next }) => {
    const challenge = stepUpShortfall(ctx.session, requirement, ctx.services.authz.acrOrder ?? DEFAULT_ACR_ORDER, Date.now());
    if (challenge) {
      throw new TRPCError({
        code: 'UNAUTHORIZED',
        message: 'A stronger or more recent sign-in is required.',
        cause: new AuthFailure('insufficient_user_authentication', undefined, { challenge }),
      });
    }
    return next();
  });
}
