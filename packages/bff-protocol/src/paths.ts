/**
 * Where the API answers, relative to its public URL (`BACK_URL`). Server and client
 * both import these, so a path is written once.
 */
export const API_PATHS = {
  /** `GET ?returnTo=`: starts a login at the identity provider. */
  login: '/api/login',
  /** `GET`: the identity provider's redirect back (the redirect URI to register). */
  callback: '/api/callback',
  /** `GET|POST ?sid=`: ends the session (RP-initiated logout). */
  logout: '/api/logout',
  /** `GET ?state=`: where the identity provider sends the browser after its end-session page (the post-logout redirect URI to register). */
  logoutReturn: '/api/logout/return',
  /** `POST`: OIDC Back-Channel Logout, called by the identity provider. */
  backchannelLogout: '/api/backchannel-logout',
  /** `GET ?iss=&sid=`: OIDC Front-Channel Logout, loaded by the identity provider's logout page in an iframe. */
  frontchannelLogout: '/api/frontchannel-logout',
  /** `GET`: readiness (200 ready, 503 not ready). */
  health: '/api/health',
  /** `GET`: the client's public keys (JWKS) in the FAPI 2.0 profile, the `jwks_uri` to register at the IdP; 404 otherwise. */
  jwks: '/api/jwks',
  /** `ANY /api/remote/<name>/<path>`: forwarded to the downstream API configured as `<name>` with the user's token for it. */
  remote: '/api/remote',
  /** tRPC procedures. */
  trpc: '/api/trpc',
} as const;
export type ApiPath = (typeof API_PATHS)[keyof typeof API_PATHS];

/**
 * The anti-forgery header every tRPC call carries (S12): a cross-site form or image
 * cannot send it without a CORS pre-flight, which the API refuses for other origins.
 */
export const CSRF_HEADER = 'x-csrf';
export const CSRF_HEADER_VALUE = '1';
