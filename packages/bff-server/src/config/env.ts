import { ROLE_MAP_SHAPE } from '../authz/roles.js';
import { DOWNSTREAM_SHAPE } from '../options/downstream.js';
import { OPTIONS_SOURCE, sourceOf, type ConfigIssue, type OptionsSource } from '../options/issues.js';
import { resolveOptions } from '../options/resolve.js';
import { BFF_OPTION_KEYS, type BffOptions } from '../options/schema.js';
import type { Config } from './config.js';

// The machinery's modules know the configuration and its error from here.
export type { AccessTokenVerification, Config, LdapConfig } from './config.js';
export { ConfigError, type ConfigIssue } from '../options/issues.js';

type Leaf = string | number | boolean | URL | readonly unknown[];

/** Every setting of {@link BffOptions} as a dot path (`oidc.issuer`); a record (`authz.roleMap`) is one setting. */
type PathsOf<T, Prefix extends string = ''> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends Leaf
    ? `${Prefix}${K}`
    : string extends keyof NonNullable<T[K]>
      ? `${Prefix}${K}`
      : PathsOf<NonNullable<T[K]>, `${Prefix}${K}.`>;
}[keyof T & string];

export type OptionPath = PathsOf<BffOptions>;

/** A variable that holds something no option can be (a ROLE_MAP that is not JSON). */
class UnreadableVariable extends Error {}

/** How a variable becomes its option: the option's path, and how its string reads. */
interface Variable {
  readonly path: OptionPath;
  /** The option's value for a non-blank variable; the schemas then check it like any option. */
  readonly read: (raw: string) => unknown;
  /** How a message spells an option value as this variable's (`production: true` is NODE_ENV=production). */
  readonly spell?: (value: string) => string;
}

const text = (raw: string) => raw;
/** NaN for what is not a number, which the option's schema refuses with its bounds. */
const number = (raw: string) => Number(raw);
const list = (raw: string) =>
  raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const words = (raw: string) => raw.split(/\s+/).filter(Boolean);
/** `true` and `false`; anything else is left for the option's schema to refuse. */
const flag = (raw: string) => (raw.trim() === 'true' ? true : raw.trim() === 'false' ? false : raw);
const json = (what: string, shape: string) => (raw: string) => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new UnreadableVariable(`${what} is not valid JSON. ${shape}`);
  }
};

/**
 * Every variable the configuration reads, and the option it sets: the one place where the
 * environment meets the options. Its rules are the options' own (`options/*.ts`).
 */
export const ENV_VARIABLES = {
  NODE_ENV: { path: 'production', read: (raw) => raw.trim() === 'production', spell: (value) => (value === 'true' ? 'production' : value) },
  PORT: { path: 'port', read: number },
  OIDC_ISSUER: { path: 'oidc.issuer', read: text },
  OIDC_CLIENT_ID: { path: 'oidc.clientId', read: text },
  OIDC_CLIENT_SECRET: { path: 'oidc.clientSecret', read: text },
  OIDC_AUDIENCE: { path: 'oidc.audience', read: text },
  OIDC_RESOURCE: { path: 'oidc.resource', read: text },
  OIDC_SCOPES: { path: 'oidc.scopes', read: words },
  OIDC_REDIRECT_URI: { path: 'oidc.redirectUri', read: text },
  OIDC_POST_LOGOUT_REDIRECT_URI: { path: 'oidc.postLogoutRedirectUri', read: text },
  OIDC_TIMEOUT_MS: { path: 'oidc.timeoutMs', read: number },
  FRONT_URL: { path: 'frontOrigins', read: list },
  BACK_URL: { path: 'backUrl', read: text },
  SESSION_SECRET: { path: 'session.secrets', read: list },
  SESSION_IDLE_TTL: { path: 'session.idleTtlSeconds', read: number },
  SESSION_ABSOLUTE_TTL: { path: 'session.absoluteTtlSeconds', read: number },
  COOKIE_NAME: { path: 'cookies.name', read: text },
  COOKIE_SAMESITE: { path: 'cookies.sameSite', read: text },
  TRUST_PROXY: { path: 'trustProxy', read: text },
  OIDC_TOKEN_ALGS: { path: 'oidc.algorithms', read: list },
  RATE_LIMIT_LOGIN_PER_MINUTE: { path: 'limits.loginPerMinute', read: number },
  RATE_LIMIT_CALLS_PER_MINUTE: { path: 'limits.callsPerMinute', read: number },
  RATE_LIMIT_MUTATIONS_PER_MINUTE: { path: 'limits.mutationsPerMinute', read: number },
  TRPC_MAX_BATCH: { path: 'limits.maxBatchSize', read: number },
  TRPC_MAX_STREAMS_PER_SESSION: { path: 'limits.maxStreamsPerSession', read: number },
  TRPC_STREAM_MAX_LIFETIME: { path: 'limits.maxStreamLifetimeSeconds', read: number },
  TRPC_LEAN_PATH: { path: 'limits.leanPath', read: flag },
  REDIS_URL: { path: 'redis.url', read: text },
  REDIS_CLUSTER_NODES: { path: 'redis.clusterNodes', read: list },
  REDIS_TIMEOUT_MS: { path: 'redis.timeoutMs', read: number },
  SERVE_WEB: { path: 'web.serve', read: flag },
  WEB_ROOT: { path: 'web.root', read: text },
  ROLE_MAP: { path: 'authz.roleMap', read: json('The role map', ROLE_MAP_SHAPE) },
  GROUPS_CLAIM: { path: 'authz.groupsClaim', read: text },
  GROUPS_SOURCE: { path: 'authz.groupsSource', read: text },
  GROUPS_SEPARATOR: { path: 'authz.groupsSeparator', read: text },
  OIDC_ACR_ORDER: { path: 'authz.acrOrder', read: words },
  OIDC_ACCESS_TOKEN_VERIFY: { path: 'oidc.accessTokenVerify', read: text },
  OIDC_INTROSPECTION_CACHE_TTL: { path: 'oidc.introspectionCacheTtlSeconds', read: number },
  OIDC_USERINFO: { path: 'oidc.userinfo', read: text },
  OIDC_PROFILE: { path: 'oidc.profile', read: text },
  OIDC_CLIENT_PRIVATE_KEY: { path: 'oidc.clientPrivateKey', read: text },
  OIDC_DPOP_PRIVATE_KEY: { path: 'oidc.dpopPrivateKey', read: text },
  LDAP_URL: { path: 'ldap.url', read: text },
  LDAP_STARTTLS: { path: 'ldap.startTls', read: flag },
  LDAP_BIND_DN: { path: 'ldap.bindDn', read: text },
  LDAP_BIND_PASSWORD: { path: 'ldap.bindPassword', read: text },
  LDAP_USER_BASE: { path: 'ldap.userBase', read: text },
  LDAP_USER_FILTER: { path: 'ldap.userFilter', read: text },
  LDAP_GROUP_BASE: { path: 'ldap.groupBase', read: text },
  LDAP_CACHE_TTL: { path: 'ldap.cacheTtlSeconds', read: number },
  LDAP_TIMEOUT_MS: { path: 'ldap.timeoutMs', read: number },
  METRICS_PORT: { path: 'observability.metricsPort', read: number },
  AUDIT_LOG: { path: 'observability.auditLog', read: text },
  OTEL_EXPORTER_OTLP_ENDPOINT: { path: 'observability.tracing.endpoint', read: text },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: { path: 'observability.tracing.tracesEndpoint', read: text },
  OTEL_EXPORTER_OTLP_HEADERS: { path: 'observability.tracing.headers', read: text },
  OTEL_SERVICE_NAME: { path: 'observability.tracing.serviceName', read: text },
  OTEL_TRACES_SAMPLER: { path: 'observability.tracing.sampler', read: text },
  OTEL_TRACES_SAMPLER_ARG: { path: 'observability.tracing.samplerArg', read: number },
  OTEL_SDK_DISABLED: { path: 'observability.tracing.disabled', read: flag },
  DOWNSTREAM_APIS: { path: 'downstream', read: json('DOWNSTREAM_APIS', DOWNSTREAM_SHAPE) },
} as const satisfies Record<string, Variable>;

/** Every variable the configuration reads ({@link ENV_VARIABLES}); `process.env` is one. */
export type Env = Partial<Record<keyof typeof ENV_VARIABLES, string | undefined>>;

const VARIABLES = Object.entries(ENV_VARIABLES).map(([name, variable]: [string, Variable]) => ({ name, ...variable, keys: variable.path.split('.') }));
const BY_PATH = new Map(VARIABLES.map((variable) => [variable.path as string, variable]));

function valueAt(options: object, keys: readonly string[]): unknown {
  return keys.reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined), options);
}

/**
 * The options the environment sets: each non-blank variable of {@link ENV_VARIABLES} read
 * into its option. Nothing is checked here but that a value can be read at all; the
 * options' schemas check the rest when they are resolved, and their issues then name the
 * variables (the options remember where they came from, also when spread into others).
 *
 * @example
 * const bff = await createBff({ ...optionsFromEnv(process.env), port: 8080 }, { router });
 */
export function optionsFromEnv(env: Env): BffOptions {
  const options: Record<string, unknown> = {};
  const read = new Map<string, unknown>();
  const issues: ConfigIssue[] = [];
  for (const variable of VARIABLES) {
    const raw = env[variable.name as keyof Env];
    if (raw === undefined || raw.trim() === '') continue;
    let value: unknown;
    try {
      value = variable.read(raw);
    } catch (error) {
      if (!(error instanceof UnreadableVariable)) throw error;
      issues.push({ path: variable.path, variable: variable.name, setting: variable.name, message: error.message });
      continue;
    }
    const parent = variable.keys.slice(0, -1).reduce<Record<string, unknown>>((holder, key) => {
      const child = holder[key] ?? {};
      holder[key] = child;
      return child as Record<string, unknown>;
    }, options);
    parent[variable.keys.at(-1) ?? variable.path] = value;
    read.set(variable.name, value);
  }
  const source: OptionsSource = {
    issues,
    name: (path) => BY_PATH.get(path)?.name ?? path,
    assignment: (path, value) => {
      const variable = BY_PATH.get(path);
      return variable ? `${variable.name}=${variable.spell?.(value) ?? value}` : `${path}: ${value}`;
    },
    variableOf: (path, of) => {
      const variable = VARIABLES.find(({ keys }) => keys.every((key, i) => path[i] === key));
      if (!variable) return undefined;
      const value = valueAt(of, variable.keys);
      // Unset, the variable is where it would be set; set, only the value it gave is its own.
      return value === undefined || (read.has(variable.name) && Object.is(read.get(variable.name), value)) ? variable.name : undefined;
    },
  };
  // Built from the table, whose paths are typed as the options' own; the schemas check the values.
  return Object.assign(options, { [OPTIONS_SOURCE]: source }) as BffOptions;
}

/** True when `settings` is an environment rather than options (the doctor takes either). */
export function isEnv(settings: BffOptions | Env): settings is Env {
  if (sourceOf(settings)) return false;
  if (Object.keys(settings).some((key) => BFF_OPTION_KEYS.has(key))) return false;
  return Object.values(settings).every((value) => value === undefined || typeof value === 'string');
}

/**
 * Reads and validates the configuration once, at start-up: `resolveOptions(optionsFromEnv(env))`.
 *
 * @throws {ConfigError} naming each wrong variable with its fix.
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(
  env: Env,
  options: { /** Where `npm run serve` finds the built web app when WEB_ROOT is unset. */ defaultWebRoot?: string } = {},
): Config {
  const fromEnv = optionsFromEnv(env);
  const root = fromEnv.web?.root ?? options.defaultWebRoot;
  return resolveOptions(root === undefined ? fromEnv : { ...fromEnv, web: { ...fromEnv.web, root } });
}
