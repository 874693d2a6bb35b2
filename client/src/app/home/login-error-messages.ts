import { InjectionToken, isDevMode } from '@angular/core';
import { isLoginErrorCode, type LoginErrorCode } from '@oidc-bff/protocol';

/** What the page says about a sign-in that came back with `?auth_error=<code>`. */
export interface LoginErrorExplanation {
  /** What happened, in the user's terms. */
  readonly happened: string;
  /** What the user can do about it. */
  readonly userAction: string;
  /** What whoever runs the service should check; shown in development builds only. */
  readonly operatorCheck: string;
}

/**
 * One explanation per code. Typed as a complete record: a code added to the shared list
 * fails the client's type check until it is explained here.
 */
export const LOGIN_ERROR_EXPLANATIONS: Readonly<Record<LoginErrorCode, LoginErrorExplanation>> = {
  missing_state: {
    happened: 'The answer from the sign-in service was incomplete, so you were not signed in.',
    userAction: 'Sign in again with the button on this page rather than from a bookmarked or shared sign-in link.',
    operatorCheck:
      'The callback arrived without its state parameter: the identity provider must redirect to the registered redirect URI unchanged, and no proxy may strip its query string.',
  },
  state_mismatch: {
    happened: 'The sign-in could not be matched to this browser: it took too long, was started in another tab, or cookies are blocked for this site.',
    userAction: 'Sign in again in this tab only and finish within a few minutes. If it keeps happening, allow cookies for this site.',
    operatorCheck:
      'No login transaction matched the state: the transaction cookie was blocked or not sent back (third-party cookies, SameSite, http against https), two tabs signed in at once, or the sign-in took longer than the transaction lives.',
  },
  access_denied: {
    happened: 'Sign-in, or the stronger sign-in an action asked for, was cancelled or refused by the sign-in service.',
    userAction: 'If you cancelled, sign in again or retry the action. If you think you should have access, contact the service desk.',
    operatorCheck:
      'The identity provider answered access_denied: the user declined, or its policy (application assignment, conditional access) refused the user for OIDC_CLIENT_ID.',
  },
  idp_error: {
    happened: 'The sign-in service reported an error.',
    userAction: 'Try again. If it keeps happening, contact the service desk.',
    operatorCheck:
      "The identity provider redirected back with an OAuth error: look in its logs for OIDC_CLIENT_ID, and check the client's registered redirect URI and scopes.",
  },
  code_rejected: {
    happened: 'The sign-in expired before it could be completed.',
    userAction: 'Sign in again.',
    operatorCheck:
      'The token endpoint refused the authorization code (expired, used twice, or issued for another client or redirect URI): check OIDC_CLIENT_ID and its secret, the redirect URI, and the clocks of the API and the identity provider.',
  },
  id_token_invalid: {
    happened: 'The answer from the sign-in service could not be verified, so you were not signed in.',
    userAction: 'This is a configuration problem: contact the service desk.',
    operatorCheck:
      'The ID token failed verification: OIDC_ISSUER must equal its iss, its aud must contain OIDC_CLIENT_ID, its signing algorithm must be allowed, and the clocks must agree. Run npm run doctor.',
  },
  access_token_invalid: {
    happened: 'You were recognised by the sign-in service, but this application could not verify the access it granted.',
    userAction: 'This is a configuration problem: contact the service desk.',
    operatorCheck:
      "OIDC_AUDIENCE must match the aud of the identity provider's access tokens, which must be JWTs rather than opaque tokens. Run npm run doctor.",
  },
  userinfo_invalid: {
    happened: 'The sign-in service gave inconsistent answers about who you are, so you were not signed in.',
    userAction: 'This is a configuration problem: contact the service desk.',
    operatorCheck:
      "The identity provider's userinfo endpoint answered another sub than the ID token, or an answer the API could not read. Set OIDC_USERINFO=never if it cannot be fixed at the provider.",
  },
  step_up_failed: {
    happened: 'That action needs a stronger sign-in, which was not confirmed. You are still signed in.',
    userAction: 'Try the action again and complete every sign-in step.',
    operatorCheck: 'The step-up ID token had a weaker acr than asked or an old auth_time: see auth.login_failed in the API log, and OIDC_ACR_ORDER.',
  },
  login_required: {
    happened: 'Your session ended and could not be renewed without you.',
    userAction: 'Sign in again.',
    operatorCheck: 'A silent sign-in (prompt=none) was answered login_required: the identity provider session had ended too.',
  },
  idp_unavailable: {
    happened: 'The sign-in service could not be reached.',
    userAction: 'Try again in a few minutes.',
    operatorCheck: 'Is OIDC_ISSUER reachable from the API (DNS, proxy, firewall, TLS)? Its /.well-known/openid-configuration must answer. Run npm run doctor.',
  },
  service_unavailable: {
    happened: 'You were recognised by the sign-in service, but this application could not keep your session.',
    userAction: 'Try again in a few minutes.',
    operatorCheck: 'The session store (Redis) is down or unreachable: check REDIS_URL, then run npm run doctor.',
  },
};

const UNKNOWN: LoginErrorExplanation = {
  happened: 'Sign-in did not complete.',
  userAction: 'Try again. If it keeps happening, contact the service desk.',
  operatorCheck: 'The code is not one this client knows: is the client older than the API? Look in the API log at the time shown.',
};

/** The explanation for an `auth_error` value, a generic one for an unknown value, null for none. */
export function explainLoginError(code: string | null): LoginErrorExplanation | null {
  if (code === null) return null;
  return isLoginErrorCode(code) ? LOGIN_ERROR_EXPLANATIONS[code] : UNKNOWN;
}

/**
 * Whether the page also says what whoever runs the service should check. On in
 * development builds only: in production the user sees their part and a reference.
 */
export const SHOW_OPERATOR_CHECKS = new InjectionToken<boolean>('SHOW_OPERATOR_CHECKS', {
  providedIn: 'root',
  factory: () => isDevMode(),
});
