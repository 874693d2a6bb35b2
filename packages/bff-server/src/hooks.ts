import type { LoginErrorCode, SignOutKind, StepUpOutcome } from '@oidc-bff/protocol';
import type { TRPCError } from '@trpc/server';

/** One finished procedure call, as {@link BffHooks.onCall} sees it. */
export interface CallEvent {
  /** The procedure's path, e.g. `chat.send`: from the router, never from the request. */
  readonly path: string;
  readonly type: 'query' | 'mutation' | 'subscription';
  readonly durationMs: number;
  readonly ok: boolean;
  /** The error's code when not `ok` (`UNAUTHORIZED`, `SERVICE_UNAVAILABLE`...), as the client receives it. */
  readonly code?: TRPCError['code'];
}

/**
 * Where the request behind an event came from, as the audit trail records it: never a
 * header value or a cookie, only what the BFF derived.
 */
export interface RequestOrigin {
  /** The client's address as `TRUST_PROXY` allows (Express's `req.ip`). */
  readonly ip: string | undefined;
  /** Browser and OS families from the User-Agent ("Firefox", "Windows"). */
  readonly browser: string;
  readonly os: string;
  /** The request's `x-request-id`. */
  readonly requestId: string | undefined;
}

/** One finished sign-in, as {@link BffHooks.onLogin} sees it. */
export interface LoginEvent {
  readonly outcome: 'success' | LoginErrorCode;
  /** On success: the user and the new session's public id (as `sessions.list` shows it). */
  readonly sub?: string;
  readonly sessionId?: string;
  readonly request?: RequestOrigin;
}

/** Sessions that ended, as {@link BffHooks.onLogout} sees it. */
export interface LogoutEvent {
  readonly kind: SignOutKind;
  /** The user, when known (a back-channel logout by `sid` alone names none). */
  readonly sub: string | undefined;
  /** The ended session's public id, when one ended. */
  readonly sessionId: string | undefined;
  /** How many sessions ended: one, or any number for a back-channel logout. */
  readonly sessions: number;
  /** For `revoked`: the public id of the session that asked. */
  readonly revokedBy?: string;
  readonly request?: RequestOrigin;
}

/**
 * One token refresh as a session's request saw it: `renewed` (this request's refresh grant
 * succeeded), `waited` (another request or instance renewed the tokens meanwhile), `failed`
 * (the IdP refused, the session ended), `unavailable` (the IdP could not be reached).
 */
export interface RefreshEvent {
  readonly outcome: 'renewed' | 'waited' | 'failed' | 'unavailable';
  readonly durationMs: number;
  readonly sub: string;
  /** The session's public id. */
  readonly sessionId: string;
  /** For `failed`: the IdP's OAuth error code, or the check the new tokens failed. */
  readonly reason?: string;
}

/**
 * One step-up (S29) as the callback that ended it saw it: whether the ID token the IdP returned
 * satisfies what was asked, checked on that token, not on the request.
 */
export interface StepUpEvent {
  readonly outcome: StepUpOutcome;
  /** The `acr` values asked for, in order of preference (at least one). */
  readonly acrRequested: readonly string[];
  /** The returned ID token's `acr`; undefined when it had none or no ID token came back. */
  readonly acrObtained: string | undefined;
  /** The session's user, when known. */
  readonly sub: string | undefined;
  /** The session's public id (as `sessions.list` shows it), when there is one. */
  readonly sessionId: string | undefined;
  readonly request?: RequestOrigin;
}

/** The roles a session's caller was found to hold, the first time a call of that session needed them on this instance. */
export interface RolesEvent {
  readonly sub: string;
  /** The session's public id. */
  readonly sessionId: string;
  /** Application roles (`ROLE_MAP` names), never groups or DNs. */
  readonly roles: readonly string[];
}

/** A live stream (S26) opened, closed, or refused because its session holds its maximum. */
export interface StreamEvent {
  readonly change: 'opened' | 'closed' | 'refused';
}

/**
 * What an app may observe of the BFF. Hooks are called synchronously on the request's
 * path and must not throw or block: record and return.
 */
export interface BffHooks {
  onCall?(event: CallEvent): void;
  onLogin?(event: LoginEvent): void;
  onLogout?(event: LogoutEvent): void;
  onRefresh?(event: RefreshEvent): void;
  onStream?(event: StreamEvent): void;
  onStepUp?(event: StepUpEvent): void;
  onRoles?(event: RolesEvent): void;
}

/**
 * The app's own services (its stores, its metrics), reached by its procedures as
 * `ctx.app`. An app declares their types once by augmenting this interface:
 *
 * @example
 * declare module '@oidc-bff/server' {
 *   interface AppServices { readonly chat: ChatStore }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmented by the app (declaration merging)
export interface AppServices {}
