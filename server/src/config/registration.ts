import { API_PATHS } from '@bff/shared';
import type { Config } from './env.js';

/**
 * What the identity provider's administrator registers for this API, derived from the
 * configuration: `npm run doctor` prints it, the development IdP registers exactly it.
 */
export interface IdpRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly clientType: 'confidential';
  readonly tokenEndpointAuthMethod: 'client_secret_post';
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  /** OIDC Back-Channel Logout, with `backchannel_logout_session_required`. */
  readonly backchannelLogoutUri: string;
  readonly grantTypes: readonly ['authorization_code', 'refresh_token'];
  readonly responseTypes: readonly ['code'];
  readonly pkceMethod: 'S256';
  readonly scopes: readonly string[];
  /**
   * What access tokens must look like: a JWT (RFC 9068) for this audience, with groups;
   * or, with `OIDC_ACCESS_TOKEN_VERIFY=introspection`, opaque tokens that this client may
   * introspect (RFC 7662).
   */
  readonly accessToken: { readonly format: 'jwt' | 'opaque'; readonly audience: string; readonly groupsClaim: string; readonly algorithms: readonly string[] };
}

export function idpRegistration(config: Config): IdpRegistration {
  return {
    clientId: config.oidc.clientId,
    clientSecret: config.oidc.clientSecret,
    clientType: 'confidential',
    tokenEndpointAuthMethod: 'client_secret_post',
    redirectUris: [config.oidc.redirectUri.href],
    postLogoutRedirectUris: [config.oidc.postLogoutRedirectUri.href],
    backchannelLogoutUri: new URL(API_PATHS.backchannelLogout, config.backUrl).href,
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    pkceMethod: 'S256',
    scopes: config.oidc.scope.split(/\s+/).filter(Boolean),
    accessToken: {
      format: config.oidc.accessTokenVerify === 'introspection' ? 'opaque' : 'jwt',
      audience: config.oidc.audience,
      groupsClaim: config.authz.groupsClaim,
      algorithms: config.oidc.algorithms,
    },
  };
}
