import type { AuthFailureReason } from '@oidc-bff/protocol';
import { TRPCClientError } from '@trpc/client';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';

/**
 * What the BFF's tRPC error formatter puts in `error.data`: the standard code and HTTP
 * status, and, when it has one, the reason of a refusal and how long to wait.
 */
export interface BffErrorData {
  readonly code: TRPC_ERROR_CODE_KEY;
  readonly httpStatus: number;
  readonly path?: string | undefined;
  /** Why the call was refused (e.g. `no_session`, `rate_limited`, `idp_unavailable`). */
  readonly reason?: AuthFailureReason | undefined;
  /** For a refused live stream, whose headers an `EventSource` does not show. */
  readonly retryAfterSeconds?: number | undefined;
  /** For `insufficient_user_authentication` (step-up, RFC 9470): the `acr` values a new sign-in must reach. */
  readonly acr_values?: string | undefined;
  /** For `insufficient_user_authentication`: the most seconds since the user's last sign-in. */
  readonly max_age?: number | undefined;
}

/** The BFF's `error.data` of a failed call, or undefined when the request never reached the API (or `error` is not a tRPC error). */
export function bffErrorData(error: unknown): BffErrorData | undefined {
  return error instanceof TRPCClientError ? ((error.data as BffErrorData | null | undefined) ?? undefined) : undefined;
}

/**
 * What a failed call means for the page that made it:
 * - `unauthorized`: not signed in (sign-in is already under way, see `autoLoginLink`);
 * - `forbidden`: signed in without the required role (not the anti-forgery refusals);
 * - `not-found`: what the call names is not there, or not the caller's (e.g. a session
 *   already ended): what the page shows is out of date;
 * - `invalid`: the input was refused (e.g. an empty message);
 * - `rate-limited`: too many calls; the API says when to try again (see {@link retryAfterSeconds});
 * - `unavailable`: the API, or something it depends on (identity provider, session store,
 *   directory), cannot be reached right now. Never a sign-out: `ServiceStatus` retries;
 * - `failed`: anything else.
 */
export type ApiErrorKind = 'unauthorized' | 'forbidden' | 'not-found' | 'invalid' | 'rate-limited' | 'unavailable' | 'failed';

/** Used when a 429 answer does not say (or the browser does not let us read) when to try again. */
export const DEFAULT_RETRY_AFTER_SECONDS = 10;

export function apiErrorKind(error: unknown): ApiErrorKind {
  if (!(error instanceof TRPCClientError)) return 'failed';
  const data = bffErrorData(error);
  switch (data?.code) {
    case 'UNAUTHORIZED':
      return 'unauthorized';
    case 'FORBIDDEN':
      // The anti-forgery guard also answers FORBIDDEN: a deployment problem, not a missing role.
      return data.reason === 'csrf' || data.reason === 'origin_denied' ? 'failed' : 'forbidden';
    case 'NOT_FOUND':
      return 'not-found';
    case 'BAD_REQUEST':
    case 'PAYLOAD_TOO_LARGE':
      return 'invalid';
    case 'TOO_MANY_REQUESTS':
      return 'rate-limited';
    case 'SERVICE_UNAVAILABLE':
    case 'GATEWAY_TIMEOUT':
    case 'BAD_GATEWAY':
    case undefined:
      // No tRPC error body at all: the request never reached the API (network, CORS, DNS).
      return 'unavailable';
    default:
      return 'failed';
  }
}

/**
 * How long to wait after a `rate-limited` failure: the `Retry-After` header of the answer
 * (seconds or an HTTP date), else the `retryAfterSeconds` the error carries (a refused live
 * stream: an `EventSource` shows no headers), else {@link DEFAULT_RETRY_AFTER_SECONDS}. A
 * cross-origin API must list `Retry-After` in `Access-Control-Expose-Headers` for the
 * browser to show it.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3
 */
export function retryAfterSeconds(error: unknown, now: number = Date.now()): number {
  const response: unknown = error instanceof TRPCClientError ? error.meta?.['response'] : undefined;
  const header = response instanceof Response ? response.headers.get('retry-after')?.trim() : undefined;
  const seconds = header ? (/^\d+$/.test(header) ? Number(header) : (Date.parse(header) - now) / 1000) : bffErrorData(error)?.retryAfterSeconds;
  return seconds !== undefined && Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : DEFAULT_RETRY_AFTER_SECONDS;
}
