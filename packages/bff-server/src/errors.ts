import type { TRPCError } from '@trpc/server';
import type { AuthFailureReason, LoginErrorCode, StepUpChallenge } from '@oidc-bff/protocol';

/**
 * The stable codes of the BFF's own errors: what code and logs compare, never the message.
 *
 * - `IDP_UNAVAILABLE`: the identity provider cannot be reached or has not been discovered yet.
 * - `IDP_PROFILE_UNSUPPORTED`: the identity provider lacks what the configured profile (fapi2) needs.
 * - `SESSION_STORE_UNAVAILABLE`: the session store cannot be reached or did not answer in time.
 * - `DIRECTORY_UNAVAILABLE`: the directory (LDAP) cannot answer and nothing fresh is cached.
 * - `DOWNSTREAM_UNAVAILABLE`: a downstream API the BFF calls for the app cannot be reached.
 * - `DOWNSTREAM_UNAUTHORIZED`: a downstream API refused the user's token for it (after one renewal), or the IdP would not issue one.
 * - `DOWNSTREAM_FAILED`: a downstream API answered a procedure's call with an error status or a body that is not what was expected.
 * - `STEP_UP_REQUIRED`: the session's sign-in is weaker or older than a procedure or a downstream API requires (RFC 9470).
 */
export type BffErrorCode =
  | 'IDP_UNAVAILABLE'
  | 'IDP_PROFILE_UNSUPPORTED'
  | 'SESSION_STORE_UNAVAILABLE'
  | 'DIRECTORY_UNAVAILABLE'
  | 'DOWNSTREAM_UNAVAILABLE'
  | 'DOWNSTREAM_UNAUTHORIZED'
  | 'DOWNSTREAM_FAILED'
  | 'STEP_UP_REQUIRED';

/** What a {@link DependencyUnavailableError} says is down. */
export type Dependency = 'idp' | 'session_store' | 'directory' | 'downstream';

/**
 * The base of the BFF's errors: a stable {@link BffErrorCode} and the original `cause`
 * (a library's error, kept for debugging and for {@link describeError}, never sent).
 * The message is fixed per class and holds no input, so an error can be logged whole.
 */
export abstract class BffError extends Error {
  abstract readonly code: BffErrorCode;
}

/**
 * Something the BFF depends on is down. Never a logout and never a grant: a call answers
 * `SERVICE_UNAVAILABLE` with a reason and the client retries (S20); see {@link ERROR_OUTCOMES}.
 */
export abstract class DependencyUnavailableError extends BffError {
  abstract readonly dependency: Dependency;
}

/** Thrown when the identity provider cannot be reached or has not been discovered yet. */
export class IdpUnavailableError extends DependencyUnavailableError {
  readonly code = 'IDP_UNAVAILABLE';
  readonly dependency = 'idp';
  override readonly name = 'IdpUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('The identity provider is unavailable.', options);
  }
}

/** Thrown by a session store that cannot be reached or does not answer in time (S20). */
export class SessionStoreUnavailableError extends DependencyUnavailableError {
  readonly code = 'SESSION_STORE_UNAVAILABLE';
  readonly dependency = 'session_store';
  override readonly name = 'SessionStoreUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('The session store is unavailable.', options);
  }
}

/**
 * The directory could not answer (refused connection, timeout, failed bind or search) and
 * no fresh cached answer exists. Never means "no groups" (S20).
 */
export class DirectoryUnavailableError extends DependencyUnavailableError {
  readonly code = 'DIRECTORY_UNAVAILABLE';
  readonly dependency = 'directory';
  override readonly name = 'DirectoryUnavailableError';
  constructor(options?: { cause?: unknown }) {
    super('The directory is unavailable.', options);
  }
}

/** A downstream API, named as the BFF is configured to call it, cannot be reached (S28: a typed 503, never a sign-out). */
export class DownstreamUnavailableError extends DependencyUnavailableError {
  readonly code = 'DOWNSTREAM_UNAVAILABLE';
  readonly dependency = 'downstream';
  override readonly name = 'DownstreamUnavailableError';
  constructor(
    /** The API's configured name (never a URL with credentials). */
    readonly api: string,
    options?: { cause?: unknown },
  ) {
    super(`The downstream API "${api}" is unavailable.`, options);
  }
}

/**
 * The user is signed in but not let into a downstream API: the API refused the token for it
 * even after one renewal, or the identity provider would not issue one (no token-exchange
 * permission, a resource not granted). Never a sign-out: the session itself is fine.
 */
export class DownstreamUnauthorizedError extends BffError {
  readonly code = 'DOWNSTREAM_UNAUTHORIZED';
  override readonly name = 'DownstreamUnauthorizedError';
  constructor(
    readonly api: string,
    /** Log-safe: `api_refused`, or the IdP's OAuth error code (`invalid_target`, `unauthorized_client`, ...). */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`The downstream API "${api}" did not accept the user.`, options);
  }
}

/**
 * A downstream API answered a procedure's call with an error status, or with a body that is
 * not JSON or not what the procedure's schema expects. The body is never kept: it is the
 * API's, and may hold anything.
 */
export class DownstreamFailedError extends BffError {
  readonly code = 'DOWNSTREAM_FAILED';
  override readonly name = 'DownstreamFailedError';
  constructor(
    readonly api: string,
    /** The API's HTTP status, or 200 for a body that did not parse or validate. */
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(`The downstream API "${api}" answered ${status}.`, options);
  }
}

/**
 * The session's sign-in falls short of what is required: its `acr` is weaker than a procedure's
 * (`stepUpProcedure`), its `auth_time` older than its `max_age`, or a downstream API answered
 * RFC 9470's `insufficient_user_authentication` challenge. Never a sign-out: the client signs in
 * again with the {@link challenge} (`/api/login?acr_values=…&max_age=…`) and the session is upgraded.
 */
export class StepUpRequiredError extends BffError {
  readonly code = 'STEP_UP_REQUIRED';
  override readonly name = 'StepUpRequiredError';
  constructor(
    /** What a new sign-in must satisfy; its values are checked tokens, safe to send and log. */
    readonly challenge: StepUpChallenge,
    /** The downstream API that asked, by its configured name; absent for a procedure's own requirement. */
    readonly api?: string,
  ) {
    super(api ? `The downstream API "${api}" requires a stronger sign-in.` : 'A stronger sign-in is required.');
  }
}

/** Thrown by discovery in the `fapi2` profile when the IdP's metadata lacks what the profile needs. */
export class IdpProfileError extends BffError {
  readonly code = 'IDP_PROFILE_UNSUPPORTED';
  override readonly name = 'IdpProfileError';
  constructor(readonly missing: readonly string[]) {
    super(`The identity provider does not offer what OIDC_PROFILE=fapi2 needs: ${missing.join(', ')}.`);
  }
}

/** How each of the BFF's errors is answered, wherever it surfaces. */
export interface ErrorOutcome {
  /** A tRPC procedure's code (and through it the HTTP status tRPC answers). */
  readonly trpc: TRPCError['code'];
  /** The HTTP status of a plain endpoint (login, callback, logout...). */
  readonly status: number;
  /** Sent as `error.data.reason` (tRPC) or `error` (plain endpoints); none until the protocol names one. */
  readonly reason: AuthFailureReason | undefined;
  /** Where a sign-in fails on it, the `auth_error` the callback sends the browser back with. */
  readonly login: LoginErrorCode;
}

/**
 * The one table from the BFF's errors to what clients see: `toTrpcError` for procedures,
 * the plain endpoints' error handler and the callback all read it.
 */
export const ERROR_OUTCOMES: { readonly [Code in BffErrorCode]: ErrorOutcome } = {
  IDP_UNAVAILABLE: { trpc: 'SERVICE_UNAVAILABLE', status: 503, reason: 'idp_unavailable', login: 'idp_unavailable' },
  // Discovery wraps it in IdpUnavailableError; should it surface, it reads the same: the IdP cannot serve us.
  IDP_PROFILE_UNSUPPORTED: { trpc: 'SERVICE_UNAVAILABLE', status: 503, reason: 'idp_unavailable', login: 'idp_unavailable' },
  SESSION_STORE_UNAVAILABLE: { trpc: 'SERVICE_UNAVAILABLE', status: 503, reason: 'session_store_unavailable', login: 'service_unavailable' },
  DIRECTORY_UNAVAILABLE: { trpc: 'SERVICE_UNAVAILABLE', status: 503, reason: 'directory_unavailable', login: 'service_unavailable' },
  DOWNSTREAM_UNAVAILABLE: { trpc: 'SERVICE_UNAVAILABLE', status: 503, reason: 'downstream_unavailable', login: 'service_unavailable' },
  // FORBIDDEN in a procedure, never UNAUTHORIZED: the session is fine, and a client that signed in again would loop.
  DOWNSTREAM_UNAUTHORIZED: { trpc: 'FORBIDDEN', status: 401, reason: 'downstream_unauthorized', login: 'service_unavailable' },
  DOWNSTREAM_FAILED: { trpc: 'BAD_GATEWAY', status: 502, reason: undefined, login: 'service_unavailable' },
  // UNAUTHORIZED as RFC 9470 says; the reason tells the client to step up, not that it is signed out.
  STEP_UP_REQUIRED: { trpc: 'UNAUTHORIZED', status: 401, reason: 'insufficient_user_authentication', login: 'step_up_failed' },
};

/** The outcome of one of the BFF's errors, or undefined for any other value. */
export function outcomeOf(error: unknown): ErrorOutcome | undefined {
  return error instanceof BffError ? ERROR_OUTCOMES[error.code] : undefined;
}

/** Causes followed by {@link describeError}, and the length it never exceeds. */
const MAX_CAUSES = 3;
const MAX_DESCRIPTION = 200;
/** A code: upper-case constants only (`ECONNREFUSED`, `ERR_JWT_EXPIRED`, `OAUTH_INVALID_RESPONSE`); mixed-case strings could be a token. */
const SAFE_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
/** A Redis error reply starts with its code (WRONGPASS, LOADING, ...); the rest is prose that may quote input. */
const REPLY_CODE = /^[A-Z][A-Z_]{1,31}(?= |$)/;

/**
 * Whether `error`'s class, or one it extends, has this name: how the describer recognises
 * node-redis's and ldapts's errors without importing them (both are loaded only when configured).
 */
function isA(error: object, className: string): boolean {
  for (let proto: unknown = Object.getPrototypeOf(error); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: unknown } }).constructor?.name === className) return true;
  }
  return false;
}

function nameOf(error: object): string {
  const name = error instanceof Error ? error.name : undefined;
  // node-redis's error classes (SocketClosedUnexpectedlyError, ...) keep the name 'Error'.
  const className = (error as { constructor?: { name?: unknown } }).constructor?.name;
  if (name && name !== 'Error' && SAFE_NAME.test(name)) return name;
  return typeof className === 'string' && SAFE_NAME.test(className) ? className : 'Error';
}

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return SAFE_CODE.test(code) ? code : undefined;
  if (typeof code === 'number' && Number.isInteger(code) && isA(error, 'ResultCodeError')) return `LDAP result ${code}`;
  const message = error instanceof Error ? error.message : '';
  if (isA(error, 'ErrorReply')) return REPLY_CODE.exec(message)?.[0];
  // ldapts reports timeouts as plain Errors; the message is the only tell, and only the fixed code is kept.
  if (/timed? ?out/i.test(message)) return 'TIMEOUT';
  return undefined;
}

/**
 * The log-safe code of an error: the BFF's own code, a library's or the system's
 * (`ECONNREFUSED`, `REDIS_TIMEOUT`, `WRONGPASS`), else its class name. Never its message.
 */
export function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'unknown';
  return codeOf(error) ?? nameOf(error);
}

/**
 * The one log-safe description of an error (S15): for it and its causes, a class name and
 * a code, e.g. `IDP_UNAVAILABLE: TypeError: Error (ECONNREFUSED)` or
 * `InvalidCredentialsError (LDAP result 49)`, at most {@link MAX_DESCRIPTION} characters.
 * Never a message, a response body, a URL or a token: those are where secrets hide.
 */
export function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'unknown';
  const parts: string[] = [];
  let current: object | undefined = error;
  for (let depth = 0; depth < MAX_CAUSES && current; depth++) {
    if (current instanceof BffError) parts.push(current.code);
    else {
      const code = codeOf(current);
      parts.push(code ? `${nameOf(current)} (${code})` : nameOf(current));
    }
    // Only an error's cause is followed: a cause that is data (openid-client puts the IdP's response body there) is never read.
    current = current instanceof Error && current.cause instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ').slice(0, MAX_DESCRIPTION);
}
