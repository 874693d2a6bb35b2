import * as client from 'openid-client';
import type { Idp } from './idp.js';

/** What a login needs to remember between `/api/login` and `/api/callback` (S1). */
export interface LoginTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
  /**
   * A step-up login: the weakest `acr` asked for (`acr_values`) and `max_age`, which the callback
   * checks the new ID token against (S29). The weakest only: it is what the check needs, and it
   * keeps the transaction cookie's size bounded whatever the configured order.
   */
  readonly stepUp?: { readonly acr?: string; readonly maxAge?: number };
  /** A silent sign-in (`prompt=none`): an IdP that needs the user answers `login_required`, sent back to `returnTo`. */
  readonly silent?: boolean;
}

/** Fresh state, nonce and PKCE verifier for one login, and the IdP URL to send the browser to. */
export async function startLogin(
  idp: Idp,
  options: {
    redirectUri: URL;
    scope: string;
    returnTo: string;
    /** Resource indicators (RFC 8707 §2.1); none: the IdP's default. */ resources?: readonly string[];
    /** Step-up (OIDC Core §3.1.2.1): `acr_values` as asked, and `max_age`; kept for the callback as {@link LoginTransaction.stepUp}. */
    stepUp?: { readonly acrValues?: readonly string[]; readonly weakestAcr?: string | undefined; readonly maxAge?: number };
    /** `prompt=none` (OIDC Core §3.1.2.1): no page at the IdP; it answers `login_required` when it would need one. */
    silent?: boolean;
  },
): Promise<{ transaction: LoginTransaction; authorizationUrl: URL }> {
  const state = client.randomState();
  const nonce = client.randomNonce();
  const codeVerifier = client.randomPKCECodeVerifier();
  const parameters = {
    redirect_uri: options.redirectUri.href,
    scope: options.scope,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  };
  // Several resources are one parameter repeated, which only URLSearchParams can carry.
  const request = new URLSearchParams(parameters);
  for (const resource of options.resources ?? []) request.append('resource', resource);
  const stepUp = options.stepUp;
  if (stepUp?.acrValues) request.set('acr_values', stepUp.acrValues.join(' '));
  if (stepUp?.maxAge !== undefined) request.set('max_age', String(stepUp.maxAge));
  if (options.silent) request.set('prompt', 'none');
  // Pushed authorization requests (RFC 9126) whenever the IdP offers them (always in the
  // fapi2 profile, whose discovery requires them): the parameters travel over the back
  // channel, authenticated, instead of the URL. A DPoP proof there binds the code to our key.
  const authorizationUrl = idp.metadata.pushed_authorization_request_endpoint
    ? await client.buildAuthorizationUrlWithPAR(idp.configuration, request, dpopOption(idp))
    : client.buildAuthorizationUrl(idp.configuration, request);
  const kept = stepUp && {
    ...(stepUp.weakestAcr !== undefined ? { acr: stepUp.weakestAcr } : {}),
    ...(stepUp.maxAge !== undefined ? { maxAge: stepUp.maxAge } : {}),
  };
  return {
    transaction: { state, nonce, codeVerifier, returnTo: options.returnTo, ...(kept ? { stepUp: kept } : {}), ...(options.silent ? { silent: true } : {}) },
    authorizationUrl,
  };
}

/** Exchanges the authorization code (state, nonce, PKCE and, when advertised, RFC 9207 `iss` checked by openid-client). */
/** What the token endpoint answered, with openid-client's helpers (`claims()`, `expiresIn()`). */
export type TokenSet = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

export function exchangeCode(idp: Idp, callbackUrl: URL, transaction: LoginTransaction): Promise<TokenSet> {
  return client.authorizationCodeGrant(
    idp.configuration,
    callbackUrl,
    {
      pkceCodeVerifier: transaction.codeVerifier,
      expectedState: transaction.state,
      expectedNonce: transaction.nonce,
      idTokenExpected: true,
    },
    undefined,
    dpopOption(idp),
  );
}

/** openid-client's DPoP option: a proof with the API's key in the `fapi2` profile, none otherwise (RFC 9449). */
function dpopOption(idp: Idp): client.DPoPOptions {
  return idp.dpop ? { DPoP: idp.dpop } : {};
}

/**
 * Revokes a refresh token at logout, when the IdP offers revocation (S4). RFC 9449 puts
 * no proof on revocation: a confidential client's refresh token is bound to its client
 * authentication (`private_key_jwt` in the fapi2 profile, §5), which openid-client adds here.
 */
export async function revokeRefreshToken(idp: Idp, refreshToken: string): Promise<void> {
  if (!idp.metadata.revocation_endpoint) return;
  await client.tokenRevocation(idp.configuration, refreshToken, { token_type_hint: 'refresh_token' });
}

/**
 * Asks the IdP's introspection endpoint about an access token, authenticated as our
 * client (RFC 7662). Needs only openid-client's configuration, so that discovery can
 * wire it into the token verifier before the {@link Idp} exists.
 */
export function introspectAccessToken(configuration: client.Configuration, token: string): Promise<client.IntrospectionResponse> {
  return client.tokenIntrospection(configuration, token, { token_type_hint: 'access_token' });
}

/**
 * The userinfo endpoint's claims for an access token (OIDC Core §5.3), with a DPoP proof in the
 * fapi2 profile. openid-client refuses an answer whose `sub` is not `expectedSub` (S30).
 */
export function fetchUserinfo(idp: Idp, accessToken: string, expectedSub: string): Promise<client.UserInfoResponse> {
  return client.fetchUserInfo(idp.configuration, accessToken, expectedSub, dpopOption(idp));
}

/**
 * The IdP's end-session URL with `id_token_hint`, `client_id` (added by openid-client) and `state`,
 * or undefined when it has none (OpenID Connect RP-Initiated Logout 1.0 §2).
 */
export function endSessionUrl(idp: Idp, idToken: string, postLogoutRedirectUri: string, state: string): URL | undefined {
  if (!idp.metadata.end_session_endpoint) return undefined;
  return client.buildEndSessionUrl(idp.configuration, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri, state });
}

/**
 * Renews the tokens with a refresh token; the new access token is bound to our DPoP key in the fapi2 profile.
 * With `resource` (`OIDC_RESOURCE`), the new access token is asked for that resource (RFC 8707 §2.2): some IdPs
 * issue one for the scope string otherwise.
 */
export function refreshGrant(idp: Idp, refreshToken: string, resource?: string): Promise<TokenSet> {
  return client.refreshTokenGrant(idp.configuration, refreshToken, resource ? { resource } : undefined, dpopOption(idp));
}

/** RFC 8693 §2.1, §3. */
const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/**
 * OAuth 2.0 Token Exchange (RFC 8693 §2.1): the user's access token (the subject token) for
 * one of a downstream API, asked for by `audience` and/or `resource`, with `scope`.
 */
export function exchangeToken(
  idp: Idp,
  subjectToken: string,
  target: { audience?: string | undefined; resource?: string | undefined; scope: string },
): Promise<TokenSet> {
  return client.genericGrantRequest(
    idp.configuration,
    TOKEN_EXCHANGE_GRANT,
    {
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      requested_token_type: ACCESS_TOKEN_TYPE,
      ...(target.audience ? { audience: target.audience } : {}),
      ...(target.resource ? { resource: target.resource } : {}),
      ...(target.scope ? { scope: target.scope } : {}),
    },
    dpopOption(idp),
  );
}

/** A refresh-token grant for another resource (RFC 8707 §2.2): the resource must have been asked for at sign-in. */
export function resourceGrant(idp: Idp, refreshToken: string, target: { resource: string; scope: string }): Promise<TokenSet> {
  return client.refreshTokenGrant(
    idp.configuration,
    refreshToken,
    { resource: target.resource, ...(target.scope ? { scope: target.scope } : {}) },
    dpopOption(idp),
  );
}

export { ResponseBodyError, AuthorizationResponseError } from 'openid-client';
