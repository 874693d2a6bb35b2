/**
 * Why an API call was refused, sent in `error.data.reason`: unauthenticated (HTTP 401,
 * tRPC `UNAUTHORIZED`), forged or not allowed (403, `FORBIDDEN`), over a limit (429,
 * `TOO_MANY_REQUESTS`) or a dependency down (503, `SERVICE_UNAVAILABLE`: never a
 * logout, the client retries).
 *
 * - `no_session`: the request carried no session cookie.
 * - `invalid_session`: a session cookie was sent but is tampered with, unknown or already ended.
 * - `session_expired`: the session or its access token is past its lifetime.
 * - `invalid_token`: the session's access token failed verification (signature, issuer, audience, algorithm).
 * - `refresh_failed`: the identity provider refused to renew the session.
 * - `csrf`: the request lacks the anti-forgery header or has a body type a form could send.
 * - `origin_denied`: the request came from an origin that is not an allowed front end.
 * - `forbidden`: signed in, but without the role the procedure requires.
 * - `rate_limited`: too many calls for this session; `Retry-After` says when to try again.
 * - `too_many_streams`: this session already holds as many live streams as allowed (e.g. one per
 *   open tab); `Retry-After` (and `retryAfterSeconds`, for an event stream whose headers a page
 *   cannot read) says when to try again.
 * - `idp_unavailable`: the identity provider cannot be reached right now.
 * - `session_store_unavailable`: the shared session store cannot be reached right now.
 * - `directory_unavailable`: the directory (LDAP) that grants roles cannot be reached right now.
 * - `downstream_unavailable`: a downstream API the BFF calls for the user (`/api/remote/<name>/…`, or a
 *   procedure's) cannot be reached right now; the answer names it in `api`. Never a sign-out.
 * - `downstream_unauthorized`: a downstream API refused the user's token for it even after the BFF renewed
 *   it once, or the identity provider would not issue one: signed in, but not let into that API. Never a sign-out.
 * - `insufficient_user_authentication` (RFC 9470): signed in, but the procedure (or a downstream API) needs a
 *   stronger or a fresher sign-in; the answer says what in `acr_values` and `max_age` ({@link StepUpChallenge}), and
 *   the browser gets it at `/api/login?acr_values=…&max_age=…&returnTo=…`. Never a sign-out.
 */
export const AUTH_FAILURE_REASONS = [
  'no_session',
  'invalid_session',
  'session_expired',
  'invalid_token',
  'refresh_failed',
  'csrf',
  'origin_denied',
  'forbidden',
  'rate_limited',
  'too_many_streams',
  'idp_unavailable',
  'session_store_unavailable',
  'directory_unavailable',
  'downstream_unavailable',
  'downstream_unauthorized',
  'insufficient_user_authentication',
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/**
 * What a step-up refusal (`insufficient_user_authentication`) asks for, as RFC 9470 §3 names it: in a
 * procedure's `error.data`, the remote-API proxy's JSON answer and its `WWW-Authenticate` challenge.
 */
export interface StepUpChallenge {
  /** The acceptable authentication context classes, space-separated, weakest acceptable first. */
  readonly acr_values?: string;
  /** The most seconds since the user's last active authentication (`auth_time`). */
  readonly max_age?: number;
}

/** Narrows an unknown value (e.g. `error.data.reason`) to an {@link AuthFailureReason}. */
export function isAuthFailureReason(value: unknown): value is AuthFailureReason {
  return typeof value === 'string' && (AUTH_FAILURE_REASONS as readonly string[]).includes(value);
}

/**
 * Why a login did not complete. The callback sends the browser back to the front
 * with `?auth_error=<code>`; the IdP's own text is never forwarded.
 *
 * - `missing_state`: the callback had no `state` parameter.
 * - `state_mismatch`: no login transaction matches `state` (expired, already used, or the cookie was blocked).
 * - `access_denied`: the user or the identity provider refused the login.
 * - `idp_error`: the identity provider answered with another error.
 * - `code_rejected`: the authorization code was refused (replayed or expired).
 * - `id_token_invalid`: the ID token failed verification (signature, issuer, audience, nonce, expiry).
 * - `access_token_invalid`: the access token failed verification; usually `OIDC_AUDIENCE` does not
 *   match the token's `aud`, or the IdP issues opaque (non-JWT) access tokens.
 * - `userinfo_invalid`: the userinfo endpoint's answer was refused: its `sub` is not the ID token's (S30), or it
 *   could not be read.
 * - `step_up_failed`: a step-up sign-in (`acr_values`, `max_age`) came back with an ID token whose `acr` is weaker
 *   than asked or whose `auth_time` is too old (S29): the session stays as it was.
 * - `login_required`: a silent sign-in (`prompt=none`) found no session at the identity provider; the browser is sent
 *   back to the page it left, where the app signs in interactively.
 * - `idp_unavailable`: the identity provider could not be reached.
 * - `service_unavailable`: the API could not store the session (its session store is down).
 */
export const LOGIN_ERROR_CODES = [
  'missing_state',
  'state_mismatch',
  'access_denied',
  'idp_error',
  'code_rejected',
  'id_token_invalid',
  'access_token_invalid',
  'userinfo_invalid',
  'step_up_failed',
  'login_required',
  'idp_unavailable',
  'service_unavailable',
] as const;
export type LoginErrorCode = (typeof LOGIN_ERROR_CODES)[number];

/** Narrows an unknown value (e.g. a query parameter) to a {@link LoginErrorCode}. */
export function isLoginErrorCode(value: unknown): value is LoginErrorCode {
  return typeof value === 'string' && (LOGIN_ERROR_CODES as readonly string[]).includes(value);
}
