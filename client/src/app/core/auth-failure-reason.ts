import type { AuthFailureReason } from '@bff/shared';

/**
 * Every reason the API may give, as a complete record so that the type check fails when
 * the shared list changes. Kept here rather than importing `isAuthFailureReason` from
 * `@bff/shared`, whose entry point also loads zod (~450 kB) into the bundle.
 */
const AUTH_FAILURE_REASONS: Readonly<Record<AuthFailureReason, true>> = {
  no_session: true,
  invalid_session: true,
  session_expired: true,
  invalid_token: true,
  refresh_failed: true,
  csrf: true,
  origin_denied: true,
  forbidden: true,
};

/** Narrows an untrusted value (e.g. a query parameter) to an {@link AuthFailureReason}. */
export function isAuthFailureReason(value: unknown): value is AuthFailureReason {
  return typeof value === 'string' && Object.hasOwn(AUTH_FAILURE_REASONS, value);
}
