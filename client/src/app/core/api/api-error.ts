import { TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@bff/server/router';

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
  const data = (error as TRPCClientError<AppRouter>).data;
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
  const trpc = error instanceof TRPCClientError ? (error as TRPCClientError<AppRouter>) : undefined;
  const response = trpc?.meta?.['response'];
  const header = response instanceof Response ? response.headers.get('retry-after')?.trim() : undefined;
  const seconds = header ? (/^\d+$/.test(header) ? Number(header) : (Date.parse(header) - now) / 1000) : trpc?.data?.retryAfterSeconds;
  return seconds !== undefined && Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : DEFAULT_RETRY_AFTER_SECONDS;
}

/** "Too many requests — try again in 30 s". */
export function rateLimitMessage(seconds: number): string {
  return `Too many requests — try again in ${seconds} s.`;
}
