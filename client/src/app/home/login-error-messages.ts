import { isLoginErrorCode, type LoginErrorCode } from '@bff/shared';

/**
 * What to tell the user when sign-in comes back with `?auth_error=<code>`. Typed as a
 * complete record: a code added on the server fails the client's type check until it
 * has a sentence here.
 */
export const LOGIN_ERROR_MESSAGES: Readonly<Record<LoginErrorCode, string>> = {
  missing_state: 'The answer from the sign-in service was incomplete, so you were not signed in. Please sign in again.',
  state_mismatch:
    'The sign-in could not be matched to this browser: it took too long, was started in another tab, or cookies are blocked for this site. Please sign in again.',
  access_denied: 'Sign-in was cancelled, or the sign-in service refused it. If you think you should have access, contact the service desk.',
  idp_error: 'The sign-in service reported an error. Please try again; if it keeps happening, contact the service desk.',
  code_rejected: 'The sign-in expired before it could be completed. Please sign in again.',
  id_token_invalid:
    'The answer from the sign-in service could not be verified, so you were not signed in. This is a configuration problem: please contact the service desk.',
  access_token_invalid:
    'You were recognised by the sign-in service, but this application could not verify the access it granted. This is a configuration problem: please contact the service desk.',
  idp_unavailable: 'The sign-in service cannot be reached at the moment. Please try again in a few minutes.',
  service_unavailable: 'The service could not keep your sign-in at the moment. Please try again in a few minutes.',
};

/** The sentence for an `auth_error` value, a generic one for an unknown value, null for none. */
export function loginErrorMessage(code: string | null): string | null {
  if (code === null) return null;
  return isLoginErrorCode(code) ? LOGIN_ERROR_MESSAGES[code] : 'Sign-in did not complete. Please try again.';
}
