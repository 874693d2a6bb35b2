/**
 * The development OpenID Provider (oidc-provider): demo users, throw-away keys,
 * JWT or opaque access tokens with groups in the shapes enterprise IdPs use. For
 * `npm start` and the tests only; never shipped.
 */
export { createDevIdp, generateDevSigningKey, type DevIdp, type DevIdpClient, type DevIdpOptions } from './provider.js';
export { DEMO_ACCOUNTS, DEMO_GROUP_BASE, DEMO_ONE_TIME_CODE, DEV_ACR, demoGroupDn, type DemoAccount } from './accounts.js';
export {
  devIdpSettings,
  DevIdpSettingsError,
  type DevIdpSettings,
  type DevIdpGroupClaims,
  type DevIdpAccessTokenFormat,
  type DevIdpProfile,
  type DevIdpClaims,
  type DevIdpUserinfoSub,
  type DevIdpLogoutReturn,
  type DevIdpLogout,
  type DevIdpAudience,
  type DevIdpAccessTokenTyp,
  type DevIdpRefresh,
  type DevIdpIntrospection,
  type DevIdpSecondFactor,
} from './settings.js';
export { writeDevClientKeys, type DevClientKeyFiles } from './client-keys.js';
