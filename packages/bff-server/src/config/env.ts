import { z } from 'zod';
import { DEV_DEFAULTS } from '@oidc-bff/protocol';
import { DEFAULT_ROLE_MAP, parseRoleMap, RoleMapError, type RoleMap } from '../authz/roles.js';
import { isDn } from '../authz/dn.js';
import { DEFAULT_USER_FILTER, userFilterProblem } from '../directory/ldap-directory.js';
import { isLoopbackHost, isReservedDevHost, overallTopology, sameSiteFor, type SameSite, type Topology } from './topology.js';
import { fapi2Settings, strayFapi2Variables, type Fapi2Keys, type OidcProfile } from './fapi2.js';
import { DEFAULT_STREAM_BOUNDS, type StreamBounds } from '../session/live-stream.js';
import { trustProxySetting, type TrustProxy } from './trust-proxy.js';

/** One wrong variable and how to fix it. */
export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

/** Thrown by {@link loadConfig}; its message lists every wrong variable with its fix. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface Config {
  readonly production: boolean;
  readonly port: number;
  readonly oidc: {
    readonly issuer: URL;
    readonly clientId: string;
    readonly clientSecret: string;
    /** Expected `aud` of access tokens. */
    readonly audience: string;
    /** Signature algorithms accepted on ID and access tokens. */
    readonly algorithms: readonly string[];
    readonly scope: string;
    readonly redirectUri: URL;
    readonly postLogoutRedirectUri: URL;
    /** Timeout of each outbound call to the identity provider. */
    readonly timeoutMs: number;
    /** Plain-http identity provider (loopback or reserved development host names only). */
    readonly allowHttp: boolean;
    /** How access tokens are checked: `jwt` (RFC 9068, the IdP's keys) or `introspection` (RFC 7662, opaque tokens). */
    readonly accessTokenVerify: AccessTokenVerification;
    /** How long an introspection answer is reused, at most (and never past the token's `exp`). */
    readonly introspectionCacheTtlSeconds: number;
    /** `OIDC_PROFILE`; `fapi2` adds PAR always, private_key_jwt, DPoP-bound tokens and ES256/PS256 only (S24). */
    readonly profile: OidcProfile;
    /** The client and DPoP keys; present exactly when `profile` is `fapi2`. */
    readonly fapi2: Fapi2Keys | undefined;
  };
  /** Allowed front origins; the first is where users land by default. */
  readonly frontOrigins: readonly string[];
  readonly backUrl: URL;
  readonly session: {
    /** The first signs and encrypts; every one verifies and decrypts (rotation). */
    readonly secrets: readonly string[];
    readonly idleTtlSeconds: number;
    readonly absoluteTtlSeconds: number;
  };
  readonly cookie: {
    /** `COOKIE_NAME` as configured. */
    readonly baseName: string;
    /** The session cookie's name: `__Host-` + `baseName` when Secure. */
    readonly name: string;
    readonly secure: boolean;
    readonly sameSite: SameSite;
    readonly topology: Topology;
  };
  /** Requests per minute and client address allowed on `/api/login` and `/api/callback`. */
  readonly rateLimitPerMinute: number;
  readonly trpc: {
    /** Calls per batch request (S22). */
    readonly maxBatchSize: number;
    /** Calls per minute and session; 0 = no limit. */
    readonly callsPerMinute: number;
    /** Mutations per minute and session; 0 = no limit. */
    readonly mutationsPerMinute: number;
    /** Open streams per session and their maximum lifetime (S26). */
    readonly streams: StreamBounds;
  };
  /** Shared state for several instances; absent: in memory (one instance). */
  readonly redis:
    | { readonly url: string; readonly clusterNodes?: undefined; readonly timeoutMs: number }
    | { readonly url?: undefined; readonly clusterNodes: string; readonly timeoutMs: number }
    | undefined;
  readonly authz: {
    /** Application role → the groups (names or LDAP DNs) that grant it (`ROLE_MAP`). */
    readonly roleMap: RoleMap;
    /** Where the access token carries groups: a claim name or dot path (`GROUPS_CLAIM`). */
    readonly groupsClaim: string;
  };
  /** The directory that grants groups when access tokens carry none; absent: groups come from tokens only. */
  readonly ldap: LdapConfig | undefined;
  /** `npm run serve`: the built web app served by the API on its own origin. */
  readonly web: { readonly root: string } | undefined;
  /** Express `trust proxy`: false, a hop count, or a list of proxy addresses (`true` in development only). */
  readonly trustProxy: TrustProxy;
  /** Problems that do not stop the server but that an operator must hear about. */
  readonly warnings: readonly string[];
}

/** `OIDC_ACCESS_TOKEN_VERIFY`. */
export type AccessTokenVerification = 'jwt' | 'introspection';

/** How to reach and read the LDAP directory (`LDAP_*`). */
export interface LdapConfig {
  readonly url: string;
  readonly startTls: boolean;
  readonly bindDn: string;
  readonly bindPassword: string;
  readonly userBase: string;
  /** `{username}` stands for the token's `preferred_username`, else its `sub`. */
  readonly userFilter: string;
  readonly groupBase: string;
  readonly cacheTtlSeconds: number;
  readonly timeoutMs: number;
}

/** Every variable {@link loadConfig} reads. */
export type Env = Partial<
  Record<
    | 'NODE_ENV'
    | 'PORT'
    | 'OIDC_ISSUER'
    | 'OIDC_CLIENT_ID'
    | 'OIDC_CLIENT_SECRET'
    | 'OIDC_AUDIENCE'
    | 'OIDC_SCOPES'
    | 'OIDC_REDIRECT_URI'
    | 'OIDC_POST_LOGOUT_REDIRECT_URI'
    | 'OIDC_TIMEOUT_MS'
    | 'FRONT_URL'
    | 'BACK_URL'
    | 'SESSION_SECRET'
    | 'SESSION_IDLE_TTL'
    | 'SESSION_ABSOLUTE_TTL'
    | 'COOKIE_NAME'
    | 'COOKIE_SAMESITE'
    | 'TRUST_PROXY'
    | 'OIDC_TOKEN_ALGS'
    | 'RATE_LIMIT_LOGIN_PER_MINUTE'
    | 'RATE_LIMIT_CALLS_PER_MINUTE'
    | 'RATE_LIMIT_MUTATIONS_PER_MINUTE'
    | 'TRPC_MAX_BATCH'
    | 'TRPC_MAX_STREAMS_PER_SESSION'
    | 'TRPC_STREAM_MAX_LIFETIME'
    | 'REDIS_URL'
    | 'REDIS_CLUSTER_NODES'
    | 'REDIS_TIMEOUT_MS'
    | 'SERVE_WEB'
    | 'WEB_ROOT'
    | 'ROLE_MAP'
    | 'GROUPS_CLAIM'
    | 'OIDC_ACCESS_TOKEN_VERIFY'
    | 'OIDC_INTROSPECTION_CACHE_TTL'
    | 'OIDC_PROFILE'
    | 'OIDC_CLIENT_PRIVATE_KEY'
    | 'OIDC_DPOP_PRIVATE_KEY'
    | 'LDAP_URL'
    | 'LDAP_STARTTLS'
    | 'LDAP_BIND_DN'
    | 'LDAP_BIND_PASSWORD'
    | 'LDAP_USER_BASE'
    | 'LDAP_USER_FILTER'
    | 'LDAP_GROUP_BASE'
    | 'LDAP_CACHE_TTL'
    | 'LDAP_TIMEOUT_MS',
    string | undefined
  >
>;

const MIN_SECRET_LENGTH = 32;

/** Signature algorithms a token may use; `none` and HS* (shared secrets) never. */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const envSchema = z.object({
  PORT: int(0, 65535).default(3000),
  OIDC_SCOPES: z.string().default('openid profile email'),
  OIDC_TIMEOUT_MS: int(100, 120_000).default(5000),
  SESSION_IDLE_TTL: int(60, 7 * 24 * 3600).default(30 * 60),
  SESSION_ABSOLUTE_TTL: int(60, 30 * 24 * 3600).default(8 * 3600),
  COOKIE_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, "_" and "-" only (the __Host- prefix is added for you)')
    .default('bff_session'),
  COOKIE_SAMESITE: z.enum(['strict', 'lax', 'none']).optional(),
  TRUST_PROXY: z.string().optional(),
  RATE_LIMIT_LOGIN_PER_MINUTE: int(1, 100_000).default(60),
  RATE_LIMIT_CALLS_PER_MINUTE: int(0, 1_000_000).default(600),
  RATE_LIMIT_MUTATIONS_PER_MINUTE: int(0, 1_000_000).default(60),
  TRPC_MAX_BATCH: int(1, 1000).default(10),
  TRPC_MAX_STREAMS_PER_SESSION: int(1, 100).default(DEFAULT_STREAM_BOUNDS.maxPerSession),
  TRPC_STREAM_MAX_LIFETIME: int(1, 24 * 3600).default(DEFAULT_STREAM_BOUNDS.maxLifetimeSeconds),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL, e.g. redis://localhost:6379')
    .optional(),
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(/^\s*[\w.-]+:\d{1,5}\s*(,\s*[\w.-]+:\d{1,5}\s*)*$/, 'must be host:port pairs separated by commas, e.g. redis-1:6379,redis-2:6379')
    .optional(),
  REDIS_TIMEOUT_MS: int(50, 60_000).default(2000),
  SERVE_WEB: z.enum(['true', 'false']).optional(),
  WEB_ROOT: z.string().optional(),
  GROUPS_CLAIM: z
    .string()
    .regex(/^[^.\s][^\s]*$/, 'a claim name or a dot path such as realm_access.roles')
    .default('groups'),
  OIDC_ACCESS_TOKEN_VERIFY: z
    .enum(['jwt', 'introspection'], {
      message: "must be jwt (JWT access tokens checked with the IdP's keys) or introspection (opaque access tokens checked at the IdP's RFC 7662 endpoint)",
    })
    .default('jwt'),
  OIDC_INTROSPECTION_CACHE_TTL: int(0, 3600).default(30),
  OIDC_PROFILE: z
    .enum(['oidc', 'fapi2'], {
      message: 'must be oidc (authorization code flow with PKCE and a client secret) or fapi2 (the FAPI 2.0 Security Profile: PAR, private_key_jwt, DPoP)',
    })
    .default('oidc'),
  LDAP_URL: z
    .string()
    .regex(/^ldaps?:\/\/[^\s/?#]+\/?$/, 'must be an ldap:// or ldaps:// URL with a host and an optional port, e.g. ldaps://ldap.corp.example:636')
    .optional(),
  LDAP_STARTTLS: z.enum(['true', 'false'], { message: 'must be true (upgrade ldap:// with StartTLS before binding) or false' }).default('false'),
  LDAP_BIND_DN: z.string().optional(),
  LDAP_BIND_PASSWORD: z.string().optional(),
  LDAP_USER_BASE: z.string().optional(),
  LDAP_USER_FILTER: z.string().default(DEFAULT_USER_FILTER),
  LDAP_GROUP_BASE: z.string().optional(),
  LDAP_CACHE_TTL: int(0, 24 * 3600).default(300),
  LDAP_TIMEOUT_MS: int(100, 60_000).default(3000),
  OIDC_TOKEN_ALGS: z
    .string()
    .default('RS256')
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS, { message: `only asymmetric algorithms are accepted: ${ASYMMETRIC_ALGORITHMS.join(', ')}` })).min(1)),
});

/**
 * Reads and validates the configuration once, at start-up.
 *
 * @throws {ConfigError} naming each wrong variable with its fix.
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(
  env: Env,
  options: { /** Where `npm run serve` finds the built web app when WEB_ROOT is unset. */ defaultWebRoot?: string } = {},
): Config {
  const production = env.NODE_ENV === 'production';
  const issues: ConfigIssue[] = [];
  const warnings: string[] = [];
  const add = (variable: string, message: string) => issues.push({ variable, message });

  const required = (name: keyof typeof DEV_DEFAULTS): string => {
    const value = env[name]?.trim();
    if (value) return value;
    if (production) add(name, 'is required when NODE_ENV=production (development defaults are never used in production).');
    return DEV_DEFAULTS[name];
  };

  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    for (const issue of parsed.error.issues) add(String(issue.path[0]), issue.message);
  }
  const basics = parsed.success ? parsed.data : envSchema.parse({});

  const url = (name: string, raw: string): URL | undefined => {
    let value: URL;
    try {
      value = new URL(raw);
    } catch {
      add(name, `"${raw}" is not an absolute URL; write it like https://host.example.com.`);
      return undefined;
    }
    if (value.protocol !== 'https:' && value.protocol !== 'http:') {
      add(name, `must be an http(s) URL, not ${value.protocol}`);
      return undefined;
    }
    if (value.protocol === 'http:') {
      const allowed = production ? isLoopbackHost(value.hostname) : isReservedDevHost(value.hostname);
      if (!allowed) {
        add(
          name,
          production
            ? `must use https outside localhost in production (got ${value.origin}).`
            : `must use https for ${value.hostname}; plain http is only for localhost and reserved development names such as *.test.`,
        );
      }
    }
    if (value.username || value.password) add(name, 'must not contain credentials.');
    return value;
  };

  const origin = (name: string, raw: string): string | undefined => {
    const value = url(name, raw);
    if (!value) return undefined;
    if ((value.pathname !== '/' && value.pathname !== '') || value.search || value.hash) {
      add(name, `"${raw}" must be an origin (scheme, host and port only), e.g. ${value.origin}.`);
      return undefined;
    }
    return value.origin;
  };

  const issuer = url('OIDC_ISSUER', required('OIDC_ISSUER'));
  const clientId = required('OIDC_CLIENT_ID');
  const profile = basics.OIDC_PROFILE;
  // In the FAPI 2.0 profile the client authenticates with its private key, never a secret.
  const clientSecret = profile === 'fapi2' ? '' : required('OIDC_CLIENT_SECRET');
  const fapi2 = profile === 'fapi2' ? fapi2Settings(env, add, warnings) : undefined;
  // An invalid OIDC_PROFILE is named already; stray keys would only repeat it.
  if (!fapi2 && !issues.some((i) => i.variable === 'OIDC_PROFILE')) strayFapi2Variables(env, add);
  const audience = required('OIDC_AUDIENCE');

  const frontRaw = required('FRONT_URL');
  const frontList = frontRaw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (frontList.includes('*')) add('FRONT_URL', '"*" is not allowed: credentials require an exact list of origins.');
  const frontOrigins = frontList
    .filter((f) => f !== '*')
    .map((f) => origin('FRONT_URL', f))
    .filter((f): f is string => !!f);
  if (frontList.length === 0) add('FRONT_URL', 'list at least one front origin, e.g. https://app.example.com.');

  const backUrl = url('BACK_URL', required('BACK_URL'));
  if (backUrl && (backUrl.search || backUrl.hash)) add('BACK_URL', 'must not have a query or fragment.');

  const sessionSecrets = required('SESSION_SECRET')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (sessionSecrets.length === 0) add('SESSION_SECRET', 'list at least one secret.');
  sessionSecrets.forEach((secret, i) => {
    const which = sessionSecrets.length > 1 ? `secret #${i + 1} of the list ` : '';
    if (secret.length < MIN_SECRET_LENGTH) {
      add(
        'SESSION_SECRET',
        `${which}must be at least ${MIN_SECRET_LENGTH} characters of random data; generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"`,
      );
    } else if (production && env.SESSION_SECRET && secret === DEV_DEFAULTS.SESSION_SECRET) {
      add('SESSION_SECRET', `${which}is the published development value; generate a new one.`);
    }
  });
  if (basics.REDIS_URL && basics.REDIS_CLUSTER_NODES)
    add('REDIS_CLUSTER_NODES', 'set REDIS_URL for one Redis server or REDIS_CLUSTER_NODES for a Redis Cluster, not both.');
  if (production && basics.REDIS_URL?.startsWith('redis://')) {
    const host = /^redis:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/.exec(basics.REDIS_URL)?.[1] ?? '';
    if (!isLoopbackHost(host.replace(/^\[|\]$/g, '')))
      add('REDIS_URL', `must use rediss:// (TLS) outside localhost in production: sessions travel over this connection (got a redis:// URL to ${host}).`);
  }

  const apiBase = backUrl ? backUrl.href.replace(/\/$/, '') : '';
  const redirectUri = backUrl ? url('OIDC_REDIRECT_URI', env.OIDC_REDIRECT_URI?.trim() || `${apiBase}/api/callback`) : undefined;
  if (redirectUri && backUrl && !redirectUri.href.startsWith(`${apiBase}/`)) {
    add('OIDC_REDIRECT_URI', `must be under BACK_URL (${backUrl.href}) so that the callback receives the session cookie; e.g. ${apiBase}/api/callback.`);
  }
  const postLogoutRedirectUri = url(
    'OIDC_POST_LOGOUT_REDIRECT_URI',
    env.OIDC_POST_LOGOUT_REDIRECT_URI?.trim() || `${frontOrigins[0] ?? DEV_DEFAULTS.FRONT_URL}/`,
  );
  if (postLogoutRedirectUri && frontOrigins.length > 0 && !frontOrigins.includes(postLogoutRedirectUri.origin)) {
    add('OIDC_POST_LOGOUT_REDIRECT_URI', 'must be on one of the FRONT_URL origins.');
  }

  // The web app is served on the API's own origin, which must then be an allowed front.
  const sameOriginFront = backUrl !== undefined && frontOrigins.includes(backUrl.origin);
  if (basics.SERVE_WEB === 'true' && backUrl && !sameOriginFront) {
    add(
      'SERVE_WEB',
      `serves the web app on ${backUrl.origin}, which must then be one of the FRONT_URL origins: add it to FRONT_URL (FRONT_URL=${backUrl.origin}), or set SERVE_WEB=false and serve the app elsewhere.`,
    );
  }
  const webRoot = sameOriginFront ? basics.WEB_ROOT?.trim() || options.defaultWebRoot : undefined;
  if (basics.SERVE_WEB === 'true' && sameOriginFront && !webRoot)
    add('WEB_ROOT', 'SERVE_WEB=true needs the built web app: run npm run build (client/dist/client/browser) or set WEB_ROOT to its folder.');
  let roleMap: RoleMap = DEFAULT_ROLE_MAP;
  try {
    roleMap = parseRoleMap(env.ROLE_MAP);
  } catch (error) {
    if (!(error instanceof RoleMapError)) throw error;
    add('ROLE_MAP', `${error.message} Example: {"analyst":["analysts","CN=Analysts,OU=Groups,DC=corp,DC=example"]}.`);
  }

  const ldap = ldapConfig(env, basics, production, add);
  const trustProxy = trustProxySetting(basics.TRUST_PROXY, production, add);

  if (issues.length > 0 || !issuer || !backUrl || !redirectUri || !postLogoutRedirectUri) throw new ConfigError(issues);

  const topology = overallTopology(
    frontOrigins.map((o) => new URL(o)),
    backUrl,
  );
  const secure = backUrl.protocol === 'https:';
  const sameSite = basics.COOKIE_SAMESITE ?? sameSiteFor(topology);
  if (sameSite === 'none' && !secure) {
    throw new ConfigError([
      {
        variable: topology === 'cross-site' && !basics.COOKIE_SAMESITE ? 'BACK_URL' : 'COOKIE_SAMESITE',
        message: `the fronts (${frontOrigins.join(', ')}) are cross-site to the API, which needs SameSite=None cookies, and browsers accept those only with Secure over https: serve BACK_URL over https, or put front and API on the same site (e.g. app.example.com and api.example.com).`,
      },
    ]);
  }
  if (topology === 'cross-site' && sameSite !== 'none') {
    warnings.push(`COOKIE_SAMESITE=${sameSite} with cross-site fronts: browsers will not send the session cookie to the API.`);
  }

  return {
    production,
    port: basics.PORT,
    oidc: {
      issuer,
      clientId,
      clientSecret,
      audience,
      algorithms: fapi2?.algorithms ?? basics.OIDC_TOKEN_ALGS,
      scope: basics.OIDC_SCOPES,
      redirectUri,
      postLogoutRedirectUri,
      timeoutMs: basics.OIDC_TIMEOUT_MS,
      allowHttp: issuer.protocol === 'http:',
      accessTokenVerify: basics.OIDC_ACCESS_TOKEN_VERIFY,
      introspectionCacheTtlSeconds: basics.OIDC_INTROSPECTION_CACHE_TTL,
      profile,
      fapi2: fapi2?.keys,
    },
    frontOrigins,
    backUrl,
    session: {
      secrets: sessionSecrets,
      idleTtlSeconds: basics.SESSION_IDLE_TTL,
      absoluteTtlSeconds: Math.max(basics.SESSION_ABSOLUTE_TTL, basics.SESSION_IDLE_TTL),
    },
    cookie: {
      baseName: basics.COOKIE_NAME,
      name: secure ? `__Host-${basics.COOKIE_NAME}` : basics.COOKIE_NAME,
      secure,
      sameSite,
      topology,
    },
    rateLimitPerMinute: basics.RATE_LIMIT_LOGIN_PER_MINUTE,
    trpc: {
      maxBatchSize: basics.TRPC_MAX_BATCH,
      callsPerMinute: basics.RATE_LIMIT_CALLS_PER_MINUTE,
      mutationsPerMinute: basics.RATE_LIMIT_MUTATIONS_PER_MINUTE,
      streams: { maxPerSession: basics.TRPC_MAX_STREAMS_PER_SESSION, maxLifetimeSeconds: basics.TRPC_STREAM_MAX_LIFETIME },
    },
    redis: basics.REDIS_URL
      ? { url: basics.REDIS_URL, timeoutMs: basics.REDIS_TIMEOUT_MS }
      : basics.REDIS_CLUSTER_NODES
        ? { clusterNodes: basics.REDIS_CLUSTER_NODES.replace(/\s+/g, ''), timeoutMs: basics.REDIS_TIMEOUT_MS }
        : undefined,
    authz: { roleMap, groupsClaim: basics.GROUPS_CLAIM },
    ldap,
    web: basics.SERVE_WEB === 'false' || !webRoot ? undefined : { root: webRoot },
    trustProxy,
    warnings,
  };
}

/**
 * The directory settings, each problem named with its fix; undefined when LDAP_URL
 * is unset (and no other LDAP_* variable asks for a directory).
 */
function ldapConfig(
  env: Env,
  basics: z.infer<typeof envSchema>,
  production: boolean,
  add: (variable: string, message: string) => void,
): LdapConfig | undefined {
  const url = basics.LDAP_URL;
  if (!url) {
    const stray = (['LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_USER_BASE', 'LDAP_GROUP_BASE', 'LDAP_USER_FILTER'] as const).filter((name) =>
      env[name]?.trim(),
    );
    if (stray.length > 0 && !env.LDAP_URL?.trim())
      add(
        'LDAP_URL',
        `is required when ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set: the directory to read groups from, e.g. ldaps://ldap.corp.example:636 (or unset the LDAP_* variables to take groups from tokens only).`,
      );
    return undefined;
  }
  const startTls = basics.LDAP_STARTTLS === 'true';
  const host = /^ldaps?:\/\/(?:\[([^\]]+)\]|([^:/]+))/.exec(url);
  const hostname = host?.[1] ?? host?.[2] ?? '';
  if (url.startsWith('ldaps:') && startTls)
    add('LDAP_STARTTLS', 'is for ldap:// URLs; an ldaps:// connection is TLS from the start. Set LDAP_STARTTLS=false or use an ldap:// URL.');
  if (production && url.startsWith('ldap:') && !startTls && !isLoopbackHost(hostname)) {
    add(
      'LDAP_URL',
      `must use ldaps:// or LDAP_STARTTLS=true outside localhost in production: the bind password would cross the network in clear text (got an ldap:// URL to ${hostname}).`,
    );
  }
  const dn = (name: 'LDAP_BIND_DN' | 'LDAP_USER_BASE' | 'LDAP_GROUP_BASE', example: string): string => {
    const value = basics[name]?.trim() ?? '';
    if (!value) add(name, `is required with LDAP_URL, e.g. ${example}.`);
    else if (!isDn(value)) add(name, `"${value}" is not a distinguished name (RFC 4514); write it like ${example}.`);
    return value;
  };
  const bindDn = dn('LDAP_BIND_DN', 'cn=bff,ou=services,dc=corp,dc=example');
  const userBase = dn('LDAP_USER_BASE', 'ou=people,dc=corp,dc=example');
  const groupBase = dn('LDAP_GROUP_BASE', 'ou=groups,dc=corp,dc=example');
  const bindPassword = basics.LDAP_BIND_PASSWORD ?? '';
  // An empty password would make the bind anonymous (RFC 4513 §5.1.2) and read whatever anonymous users may.
  if (!bindPassword) add('LDAP_BIND_PASSWORD', 'is required with LDAP_URL: the password of LDAP_BIND_DN, the read-only service account.');
  const userFilter = basics.LDAP_USER_FILTER.trim();
  const filterProblem = userFilterProblem(userFilter);
  if (filterProblem !== undefined)
    add('LDAP_USER_FILTER', `${filterProblem} Default: ${DEFAULT_USER_FILTER}; e.g. (&(objectClass=person)(sAMAccountName={username})) for Active Directory.`);
  return { url, startTls, bindDn, bindPassword, userBase, userFilter, groupBase, cacheTtlSeconds: basics.LDAP_CACHE_TTL, timeoutMs: basics.LDAP_TIMEOUT_MS };
}
