/**
 * The development OpenID Provider (oidc-provider): demo users, throw-away keys,
 * JWT access tokens with groups. For `npm start` and the tests only; never shipped.
 */
export { createDevIdp, generateDevSigningKey, type DevIdp, type DevIdpClient, type DevIdpOptions } from './provider.js';
export { DEMO_ACCOUNTS, type DemoAccount } from './accounts.js';
export { devIdpSettings, DevIdpSettingsError, type DevIdpSettings } from './settings.js';
