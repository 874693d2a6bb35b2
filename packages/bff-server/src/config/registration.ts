import { API_PATHS } from '@oidc-bff/protocol';
import type { Config } from './env.js';
import type { Fapi2Algorithm } from './client-keys.js';

/**
 * What the identity provider's administrator registers for this API, derived from the
 * configuration: `npm run doctor` prints it, the development IdP registers exactly it.
 */
export interface IdpRegistration {
  readonly clientId: string;
  /** Absent in the `fapi2` profile: the client authenticates with its key. */
  readonly clientSecret: string | undefined;
  readonly clientType: 'confidential';
  readonly tokenEndpointAuthMethod: 'client_secret_post' | 'private_key_jwt';
  /** `fapi2`: where the IdP reads the client's public keys (`/api/jwks`), for `private_key_jwt`. */
  readonly jwksUri?: string;
  /** `fapi2`: access tokens must be DPoP-bound (RFC 9449 `dpop_bound_access_tokens`). */
  readonly dpopBoundAccessTokens?: boolean;
  /** `fapi2`: authorization requests only through PAR (RFC 9126 `require_pushed_authorization_requests`). */
  readonly requirePushedAuthorizationRequests?: boolean;
  /** `fapi2`: the algorithm of the client assertions (`token_endpoint_auth_signing_alg`). */
  readonly tokenEndpointAuthSigningAlg?: Fapi2Algorithm;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /** OIDC Back-Channel Logout, with `backchannel_logout_session_required`. */
  readonly backchannelLogoutUri: string;
  /** OIDC Front-Channel Logout, with `frontchannel_logout_session_required`: for IdPs without back-channel logout. */
  readonly frontchannelLogoutUri: string;
  /** With a downstream API of token `exchange`: also RFC 8693's `urn:ietf:params:oauth:grant-type:token-exchange`. */
  readonly grantTypes: readonly string[];
  readonly responseTypes: readonly ['code'];
  readonly pkceMethod: 'S256';
  readonly scopes: readonly string[];
  /**
   * What access tokens must look like: a JWT (RFC 9068) for this audience, with groups;
   * or, with `OIDC_ACCESS_TOKEN_VERIFY=introspection`, opaque tokens that this client may
   * introspect (RFC 7662).
   */
  readonly accessToken: {
    readonly format: 'jwt' | 'opaque';
    readonly audience: string;
    readonly groupsClaim: string;
    readonly algorithms: readonly string[];
    /** `OIDC_RESOURCE`: the resource indicator (RFC 8707) the client asks its tokens for; the IdP must issue them with `audience`. */
    readonly resource?: string;
  };
  /**
   * The downstream APIs (`DOWNSTREAM_APIS`) the client obtains tokens for: by token exchange
   * (the client may exchange the user's token for this audience or resource), by a `resource`
   * refresh grant (the resource is asked for at sign-in), or the session's own token.
   */
  readonly downstream: readonly {
    readonly name: string;
    readonly token: 'exchange' | 'resource' | 'session';
    /** The audience or resource indicator the IdP issues the API's tokens for. */
    readonly target: string;
    readonly scopes: readonly string[];
  }[];
}

/** RFC 8693 §2.1. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';

export function idpRegistration(config: Config): IdpRegistration {
  const { fapi2 } = config.oidc;
  return {
    clientId: config.oidc.clientId,
    clientSecret: fapi2 ? undefined : config.oidc.clientSecret,
    clientType: 'confidential',
    tokenEndpointAuthMethod: fapi2 ? 'private_key_jwt' : 'client_secret_post',
    ...(fapi2
      ? {
          jwksUri: new URL(API_PATHS.jwks, config.backUrl).href,
          dpopBoundAccessTokens: true,
          requirePushedAuthorizationRequests: true,
          tokenEndpointAuthSigningAlg: fapi2.client.alg,
        }
      : {}),
    redirectUris: [config.oidc.redirectUri.href],
    // The IdP returns the browser to the API, which checks the logout's state and sends it on to OIDC_POST_LOGOUT_REDIRECT_URI.
    postLogoutRedirectUris: [new URL(API_PATHS.logoutReturn, config.backUrl).href],
    backchannelLogoutUri: new URL(API_PATHS.backchannelLogout, config.backUrl).href,
    frontchannelLogoutUri: new URL(API_PATHS.frontchannelLogout, config.backUrl).href,
    grantTypes: ['authorization_code', 'refresh_token', ...(config.downstream.some((api) => api.token === 'exchange') ? [TOKEN_EXCHANGE_GRANT] : [])],
    responseTypes: ['code'],
    pkceMethod: 'S256',
    scopes: config.oidc.scope.split(/\s+/).filter(Boolean),
    accessToken: {
      format: config.oidc.accessTokenVerify === 'introspection' ? 'opaque' : 'jwt',
      audience: config.oidc.audience,
      groupsClaim: config.authz.groupsClaim,
      algorithms: config.oidc.algorithms,
      ...(config.oidc.resource ? { resource: config.oidc.resource } : {}),
    },
    downstream: config.downstream.map((api) => ({
      name: api.name,
      token: api.token,
      target: api.resource ?? api.audience ?? config.oidc.audience,
      scopes: api.scopes,
    })),
  };
}
