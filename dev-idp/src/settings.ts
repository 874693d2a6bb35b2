/** Thrown for a wrong `DEV_IDP_*` variable; the message names it and the fix. */
export class DevIdpSettingsError extends Error {
  readonly code = 'DEV_IDP_SETTINGS_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DevIdpSettingsError';
  }
}

/**
 * How the development IdP tells the API about groups, to play each kind of enterprise IdP:
 * - `names`: a `groups` claim with plain names (`["analysts"]`);
 * - `dns`: a `memberOf` claim with LDAP DNs (`["cn=analysts,ou=groups,dc=corp,dc=example"]`);
 * - `none`: no group claim at all (groups then come from the directory);
 * - `joined`: every membership as one comma-joined string in the access token (`"analysts,staff"`), and as an
 *   array in the ID token and at userinfo, as a provider that joins multi-valued attributes does.
 */
export type DevIdpGroupClaims = 'names' | 'dns' | 'none' | 'joined';

/** `jwt`: RFC 9068 JWT access tokens; `opaque`: opaque ones, checked at the introspection endpoint (RFC 7662). */
export type DevIdpAccessTokenFormat = 'jwt' | 'opaque';

/**
 * `oidc`: a plain OpenID Provider (client secrets, PAR offered, DPoP optional);
 * `fapi2`: it enforces the FAPI 2.0 Security Profile: PAR required, `private_key_jwt`
 * only, DPoP-bound access tokens, ES256/PS256 signatures.
 */
export type DevIdpProfile = 'oidc' | 'fapi2';

/**
 * Where the profile and email claims go: `id_token` (and userinfo), or `userinfo` only, as an IdP that
 * follows OIDC Core §5.4 strictly does when it issues an access token (`conformIdTokenClaims`).
 */
export type DevIdpClaims = 'id_token' | 'userinfo';

/**
 * A test hook: `other` makes the userinfo endpoint answer another user's `sub` than the token's;
 * `other_after_first`, only from the second answer about a user on (a refresh's userinfo call).
 */
export type DevIdpUserinfoSub = 'same' | 'other' | 'other_after_first';

/**
 * When the end-session endpoint sends the browser back to `post_logout_redirect_uri`: `always`, or
 * `with_state`: only when the request carries `state` (otherwise the browser stays on the IdP's page).
 */
export type DevIdpLogoutReturn = 'always' | 'with_state';

/**
 * How a sign-out at the IdP reaches the clients: `backchannel` (it posts a logout token, OIDC
 * Back-Channel Logout), or `frontchannel`: its logout page loads each client's `frontchannel_logout_uri`
 * in an iframe with `iss` and `sid` (OIDC Front-Channel Logout), and there is no back-channel logout.
 */
export type DevIdpLogout = 'backchannel' | 'frontchannel';

/**
 * When the demo users are asked their one-time code (the second factor, which raises `acr` from
 * `urn:bff:loa:pwd` to `urn:bff:loa:mfa`): `on_request` when the client asks for `urn:bff:loa:mfa`
 * (`acr_values`, or an `acr` claims request); `always` at every sign-in; `ignore`: never, whatever
 * the client asks, answering the weaker `acr` (an IdP that ignores step-up requests, which the API must refuse).
 */
export type DevIdpSecondFactor = 'on_request' | 'always' | 'ignore';

/**
 * The `aud` of access tokens: `api` (the API's resource, always), or `scope`: the scope string
 * (`"openid profile email"`) unless the client asks for a resource (RFC 8707) at sign-in, and no
 * access token for the API at a refresh that does not ask for it again, as a provider does that
 * issues API tokens only on request.
 */
export type DevIdpAudience = 'api' | 'scope';

/** How JWT access tokens are typed: `at+jwt` (RFC 9068), or `JWT` with an `aud` array of the client id and the API, as an older SSO does. */
export type DevIdpAccessTokenTyp = 'at+jwt' | 'JWT';

/** Refresh tokens `rotate` on each use (with reuse detection), or are `reuse`d: not rotated, and refreshed ID tokens carry no `nonce`. */
export type DevIdpRefresh = 'rotate' | 'reuse';

/** Introspection answers with `aud` and the group claims (`full`), or `minimal`: without them, as RFC 7662 allows. */
export type DevIdpIntrospection = 'full' | 'minimal';

/** How the development IdP behaves, from the `DEV_IDP_*` variables. */
export interface DevIdpSettings {
  /** Access-token lifetime in seconds (`DEV_IDP_ACCESS_TOKEN_TTL`, default 3600). */
  readonly accessTokenTtl: number;
  /** `DEV_IDP_GROUPS`, default `names`. */
  readonly groups: DevIdpGroupClaims;
  /** `DEV_IDP_ACCESS_TOKEN_FORMAT`, default `jwt`. */
  readonly accessTokenFormat: DevIdpAccessTokenFormat;
  /** `DEV_IDP_PROFILE`, default `oidc`. */
  readonly profile: DevIdpProfile;
  /** `DEV_IDP_CLAIMS`, default `id_token`. */
  readonly claims: DevIdpClaims;
  /** `DEV_IDP_USERINFO_SUB`, default `same`. */
  readonly userinfoSub: DevIdpUserinfoSub;
  /** `DEV_IDP_LOGOUT_RETURN`, default `always`. */
  readonly logoutReturn: DevIdpLogoutReturn;
  /** `DEV_IDP_LOGOUT`, default `backchannel`. */
  readonly logout: DevIdpLogout;
  /** `DEV_IDP_AUDIENCE`, default `api`. */
  readonly audience: DevIdpAudience;
  /** `DEV_IDP_ACCESS_TOKEN_TYP`, default `at+jwt`. */
  readonly accessTokenTyp: DevIdpAccessTokenTyp;
  /** `DEV_IDP_PAR`: pushed authorization requests offered (`on`, default) or not (`off`). */
  readonly par: boolean;
  /** `DEV_IDP_REVOCATION`: a revocation endpoint (`on`, default) or none (`off`). */
  readonly revocation: boolean;
  /** `DEV_IDP_REFRESH`, default `rotate`. */
  readonly refresh: DevIdpRefresh;
  /** `DEV_IDP_INTROSPECTION`, default `full`. */
  readonly introspection: DevIdpIntrospection;
  /** `DEV_IDP_SECOND_FACTOR`, default `on_request`. */
  readonly secondFactor: DevIdpSecondFactor;
}

const GROUP_CLAIMS: readonly DevIdpGroupClaims[] = ['names', 'dns', 'none', 'joined'];
const ACCESS_TOKEN_FORMATS: readonly DevIdpAccessTokenFormat[] = ['jwt', 'opaque'];
const PROFILES: readonly DevIdpProfile[] = ['oidc', 'fapi2'];

/**
 * Reads the `DEV_IDP_*` variables.
 * @throws {DevIdpSettingsError} naming every wrong variable.
 */
export function devIdpSettings(env: Readonly<Record<string, string | undefined>>): DevIdpSettings {
  const problems: string[] = [];
  const ttlSetting = env['DEV_IDP_ACCESS_TOKEN_TTL']?.trim();
  const accessTokenTtl = ttlSetting ? Number(ttlSetting) : 3600;
  if (!Number.isInteger(accessTokenTtl) || accessTokenTtl < 1) {
    problems.push(`DEV_IDP_ACCESS_TOKEN_TTL: must be a whole number of seconds, at least 1 (e.g. 30), not "${ttlSetting}".`);
  }
  const choice = <T extends string>(name: string, allowed: readonly T[], fallback: T, meaning: string): T => {
    const value = env[name]?.trim() || fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`${name}: must be ${meaning}, not "${value}".`);
    return fallback;
  };
  const groups = choice(
    'DEV_IDP_GROUPS',
    GROUP_CLAIMS,
    'names',
    'names (a "groups" claim with plain names), dns (a "memberOf" claim with LDAP DNs), none (no group claim) or joined (one comma-joined string in the access token)',
  );
  const accessTokenFormat = choice(
    'DEV_IDP_ACCESS_TOKEN_FORMAT',
    ACCESS_TOKEN_FORMATS,
    'jwt',
    'jwt (RFC 9068 JWT access tokens) or opaque (checked by introspection: set OIDC_ACCESS_TOKEN_VERIFY=introspection for the API)',
  );
  const profile = choice(
    'DEV_IDP_PROFILE',
    PROFILES,
    'oidc',
    'oidc (a plain OpenID Provider) or fapi2 (it enforces the FAPI 2.0 Security Profile; npm start then runs the API with OIDC_PROFILE=fapi2 and development keys)',
  );
  const claims = choice(
    'DEV_IDP_CLAIMS',
    ['id_token', 'userinfo'] as const,
    'id_token',
    'id_token (name and email in the ID token) or userinfo (only at the userinfo endpoint)',
  );
  const userinfoSub = choice(
    'DEV_IDP_USERINFO_SUB',
    ['same', 'other', 'other_after_first'] as const,
    'same',
    "same (userinfo answers the token's user), other (another sub: a test of the API's check) or other_after_first (another sub from the second answer about a user on)",
  );
  const logoutReturn = choice(
    'DEV_IDP_LOGOUT_RETURN',
    ['always', 'with_state'] as const,
    'always',
    'always (back to post_logout_redirect_uri after sign-out) or with_state (only when the request carries state)',
  );
  const secondFactor = choice(
    'DEV_IDP_SECOND_FACTOR',
    ['on_request', 'always', 'ignore'] as const,
    'on_request',
    'on_request (the one-time code when urn:bff:loa:mfa is asked for), always (at every sign-in) or ignore (never: answers a weaker acr than asked)',
  );
  const logout = choice(
    'DEV_IDP_LOGOUT',
    ['backchannel', 'frontchannel'] as const,
    'backchannel',
    "backchannel (logout tokens posted to the API) or frontchannel (the IdP's logout page loads the API's frontchannel_logout_uri in an iframe; no back-channel logout)",
  );
  const audience = choice(
    'DEV_IDP_AUDIENCE',
    ['api', 'scope'] as const,
    'api',
    'api (every access token for the API) or scope (aud is the scope string unless a resource is asked: set OIDC_RESOURCE)',
  );
  const accessTokenTyp = choice(
    'DEV_IDP_ACCESS_TOKEN_TYP',
    ['at+jwt', 'JWT'] as const,
    'at+jwt',
    'at+jwt (RFC 9068) or JWT (typed JWT, aud an array of the client id and the API)',
  );
  const onOff = (name: string, meaning: string) => choice(name, ['on', 'off'] as const, 'on', `on or off (${meaning})`) === 'on';
  const par = onOff('DEV_IDP_PAR', 'pushed authorization requests offered');
  const revocation = onOff('DEV_IDP_REVOCATION', 'a token revocation endpoint');
  const refresh = choice(
    'DEV_IDP_REFRESH',
    ['rotate', 'reuse'] as const,
    'rotate',
    'rotate (a new refresh token at each use) or reuse (not rotated; refreshed ID tokens without nonce)',
  );
  const introspection = choice('DEV_IDP_INTROSPECTION', ['full', 'minimal'] as const, 'full', 'full (answers with aud and groups) or minimal (without them)');
  if (problems.length > 0) throw new DevIdpSettingsError(problems);
  return {
    accessTokenTtl,
    groups,
    accessTokenFormat,
    profile,
    claims,
    userinfoSub,
    logoutReturn,
    secondFactor,
    logout,
    audience,
    accessTokenTyp,
    par,
    revocation,
    refresh,
    introspection,
  };
}
