/**
 * The configuration `npm start` runs with when nothing is set: the API and the
 * development identity provider agree on these. Published, so never valid in production.
 */
export const DEV_DEFAULTS = {
  OIDC_ISSUER: 'http://localhost:4000',
  OIDC_CLIENT_ID: 'bff-dev',
  OIDC_CLIENT_SECRET: 'development-only-client-secret-change-me',
  OIDC_AUDIENCE: 'urn:bff:api',
  FRONT_URL: 'http://localhost:4200',
  BACK_URL: 'http://localhost:3000',
  SESSION_SECRET: 'development-only-session-secret-0123456789abcdef',
} as const;
