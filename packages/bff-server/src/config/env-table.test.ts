import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES, loadConfig, optionsFromEnv, type Env } from './env.js';
import { ConfigError } from '../options/issues.js';

type Name = keyof typeof ENV_VARIABLES;

/** For each variable: a value, the option it must become, and a value its option refuses (none when any string will do). */
const SAMPLES: Record<Name, readonly [raw: string, option: unknown, wrong: string | undefined]> = {
  NODE_ENV: ['production', true, undefined],
  PORT: ['8080', 8080, 'eighty'],
  OIDC_ISSUER: ['https://login.example.com', 'https://login.example.com', 'not a url'],
  OIDC_CLIENT_ID: ['bff', 'bff', undefined],
  OIDC_CLIENT_SECRET: ['a-secret', 'a-secret', undefined],
  OIDC_AUDIENCE: ['api://bff', 'api://bff', undefined],
  OIDC_RESOURCE: ['https://api.example.com', 'https://api.example.com', 'not a uri'],
  OIDC_SCOPES: ['openid  email', ['openid', 'email'], undefined],
  OIDC_REDIRECT_URI: ['http://localhost:3000/cb', 'http://localhost:3000/cb', 'http://localhost:9999/cb'],
  OIDC_POST_LOGOUT_REDIRECT_URI: ['http://localhost:4200/bye', 'http://localhost:4200/bye', 'http://localhost:9/'],
  OIDC_TIMEOUT_MS: ['3000', 3000, '5'],
  FRONT_URL: ['http://localhost:4200, http://localhost:4300', ['http://localhost:4200', 'http://localhost:4300'], '*'],
  BACK_URL: ['http://localhost:3001', 'http://localhost:3001', 'ftp://api.example.test'],
  SESSION_SECRET: ['a, b', ['a', 'b'], 'short'],
  SESSION_IDLE_TTL: ['600', 600, '5'],
  SESSION_ABSOLUTE_TTL: ['3600', 3600, 'a day'],
  COOKIE_NAME: ['app_session', 'app_session', 'a b'],
  COOKIE_SAMESITE: ['strict', 'strict', 'sometimes'],
  TRUST_PROXY: ['loopback', 'loopback', 'yes'],
  OIDC_TOKEN_ALGS: ['RS256,ES256', ['RS256', 'ES256'], 'HS256'],
  RATE_LIMIT_LOGIN_PER_MINUTE: ['30', 30, '0'],
  RATE_LIMIT_CALLS_PER_MINUTE: ['0', 0, '-1'],
  RATE_LIMIT_MUTATIONS_PER_MINUTE: ['5', 5, 'few'],
  TRPC_MAX_BATCH: ['5', 5, '0'],
  TRPC_MAX_STREAMS_PER_SESSION: ['2', 2, '0'],
  TRPC_STREAM_MAX_LIFETIME: ['60', 60, '0'],
  TRPC_LEAN_PATH: ['false', false, 'off'],
  REDIS_URL: ['redis://localhost:6379', 'redis://localhost:6379', 'http://localhost:6379'],
  REDIS_CLUSTER_NODES: ['redis-1:6379, redis-2:6379', ['redis-1:6379', 'redis-2:6379'], 'redis-1'],
  REDIS_TIMEOUT_MS: ['300', 300, '1'],
  SERVE_WEB: ['false', false, 'yes'],
  WEB_ROOT: ['/srv/web', '/srv/web', undefined],
  ROLE_MAP: ['{"analyst":["analysts"]}', { analyst: ['analysts'] }, '{"analyst":"analysts"}'],
  GROUPS_CLAIM: ['realm_access.roles', 'realm_access.roles', '.groups'],
  GROUPS_SOURCE: ['id_token', 'id_token', 'token'],
  GROUPS_SEPARATOR: [',', ',', undefined],
  OIDC_ACR_ORDER: ['urn:bank:pwd urn:bank:mfa', ['urn:bank:pwd', 'urn:bank:mfa'], 'urn:bank:pwd urn:bank:pwd'],
  OIDC_ACCESS_TOKEN_VERIFY: ['introspection', 'introspection', 'opaque'],
  OIDC_INTROSPECTION_CACHE_TTL: ['5', 5, 'long'],
  OIDC_USERINFO: ['always', 'always', 'sometimes'],
  OIDC_PROFILE: ['oidc', 'oidc', 'fapi1'],
  OIDC_CLIENT_PRIVATE_KEY: ['/run/secrets/client.pem', '/run/secrets/client.pem', '/nonexistent/client.pem'],
  OIDC_DPOP_PRIVATE_KEY: ['/run/secrets/dpop.pem', '/run/secrets/dpop.pem', '/nonexistent/dpop.pem'],
  LDAP_URL: ['ldaps://ldap.corp.example:636', 'ldaps://ldap.corp.example:636', 'https://ldap.corp.example'],
  LDAP_STARTTLS: ['true', true, 'yes'],
  LDAP_BIND_DN: ['cn=bff,dc=corp,dc=example', 'cn=bff,dc=corp,dc=example', 'bff'],
  LDAP_BIND_PASSWORD: ['  spaced  ', '  spaced  ', undefined],
  LDAP_USER_BASE: ['ou=people,dc=corp,dc=example', 'ou=people,dc=corp,dc=example', 'people'],
  LDAP_USER_FILTER: ['(cn={username})', '(cn={username})', '(uid=alice)'],
  LDAP_GROUP_BASE: ['ou=groups,dc=corp,dc=example', 'ou=groups,dc=corp,dc=example', 'groups'],
  LDAP_CACHE_TTL: ['0', 0, '-1'],
  LDAP_TIMEOUT_MS: ['1000', 1000, '0'],
  METRICS_PORT: ['9464', 9464, '3000'],
  AUDIT_LOG: ['stdout', 'stdout', undefined],
  OTEL_EXPORTER_OTLP_ENDPOINT: ['http://collector:4318', 'http://collector:4318', 'collector:4318'],
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: ['http://collector:4318/v1/traces', 'http://collector:4318/v1/traces', 'ftp://collector'],
  OTEL_EXPORTER_OTLP_HEADERS: ['api-key=abc', 'api-key=abc', '=abc'],
  OTEL_SERVICE_NAME: ['bank-bff', 'bank-bff', undefined],
  OTEL_TRACES_SAMPLER: ['traceidratio', 'traceidratio', 'sometimes'],
  OTEL_TRACES_SAMPLER_ARG: ['0.25', 0.25, '2'],
  OTEL_SDK_DISABLED: ['true', true, 'yes'],
  DOWNSTREAM_APIS: [
    '{"reports":{"baseUrl":"http://localhost:4100","token":"session"}}',
    { reports: { baseUrl: 'http://localhost:4100', token: 'session' } },
    '{"reports":{"baseUrl":"http://localhost:4100","token":"magic"}}',
  ],
};

const NAMES = Object.keys(ENV_VARIABLES) as Name[];

function leaves(value: unknown, path: string[] = []): Array<[string, unknown]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ['authz.roleMap', 'downstream'].includes(path.join('.')))
    return [[path.join('.'), value]];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, [...path, key]));
}

describe('the environment mapping table (ENV_VARIABLES)', () => {
  it('has a sample for every variable, and no sample for a variable it lacks', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...NAMES].sort());
  });

  it.each(NAMES)('reads %s into its option, and nothing else', (name) => {
    const [raw, option] = SAMPLES[name];
    expect(leaves(optionsFromEnv({ [name]: raw }))).toEqual([[ENV_VARIABLES[name].path, option]]);
  });

  it.each(NAMES.filter((name) => SAMPLES[name][2] !== undefined))('names %s, and its option, when its value is refused', (name) => {
    const env: Env = { [name]: SAMPLES[name][2] };
    let issues: readonly { variable: string | undefined; path: string }[] = [];
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      issues = (error as ConfigError).issues;
    }
    expect(issues).toContainEqual(expect.objectContaining({ variable: name, path: expect.stringMatching(new RegExp(`^${ENV_VARIABLES[name].path}`)) }));
  });

  it('reads blank variables as unset', () => {
    expect(leaves(optionsFromEnv(Object.fromEntries(NAMES.map((name) => [name, ' '])) as Env))).toEqual([]);
    expect(loadConfig({ PORT: '', TRUST_PROXY: '  ' })).toEqual(loadConfig({}));
  });
});

describe('the documentation of the variables', () => {
  const root = new URL('../../../../', import.meta.url);
  const dotEnv = readFileSync(new URL('.env.example', root), 'utf8');
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const configuration = readme.slice(readme.indexOf('\n## Configuration'), readme.indexOf('\n## ', readme.indexOf('\n## Configuration') + 1));
  const documented = (text: string) => new Set([...text.matchAll(/`([A-Z][A-Z0-9_]*)(?:=[^`]*)?`/g)].map((match) => match[1]));

  it('.env.example lists every variable, and no other but the development IdP’s', () => {
    // Three characters at least: CN=, OU= and DC= in the comments are parts of DNs.
    const listed = new Set([...dotEnv.matchAll(/^#? ?([A-Z][A-Z0-9_]{2,})=/gm)].map((match) => match[1]));
    expect(NAMES.filter((name) => !listed.has(name))).toEqual([]);
    expect([...listed].filter((name) => name !== undefined && !name.startsWith('DEV_IDP_') && !(name in ENV_VARIABLES))).toEqual([]);
  });

  it("the README's configuration section names every variable (NODE_ENV above its table), and its table no other", () => {
    const table = documented(
      configuration
        .split('\n')
        .filter((line) => line.startsWith('| `'))
        .map((line) => line.split('|')[1])
        .join(' '),
    );
    const section = documented(configuration);
    expect(NAMES.filter((name) => !section.has(name))).toEqual([]);
    expect([...table].filter((name) => name !== undefined && !name.startsWith('DEV_IDP_') && !(name in ENV_VARIABLES))).toEqual([]);
  });

  it("every variable reaches turbo's tasks: each matches an entry of turbo.json's globalPassThroughEnv (turbo runs in strict mode)", () => {
    const turbo = JSON.parse(readFileSync(new URL('turbo.json', root), 'utf8')) as { globalEnv?: string[]; globalPassThroughEnv?: string[] };
    const entries = [...(turbo.globalEnv ?? []), ...(turbo.globalPassThroughEnv ?? [])];
    // turbo's wildcards: `*` stands for any characters; a leading `!` excludes.
    const pattern = (entry: string) =>
      new RegExp(
        `^${entry
          .replace(/^!/, '')
          .split('*')
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
    const covered = (name: string) =>
      entries.some((entry) => !entry.startsWith('!') && pattern(entry).test(name)) &&
      !entries.some((entry) => entry.startsWith('!') && pattern(entry).test(name));
    expect(NAMES.filter((name) => !covered(name))).toEqual([]);
    expect(covered('GROUPS_SEPARATOR')).toBe(true);
  });

  it("no variable is part of turbo's build hash: they are passed through (globalPassThroughEnv), not hashed (globalEnv)", () => {
    // No build output depends on them; hashed, a different FRONT_URL or NODE_ENV made
    // `npm start` rebuild every package before the API and the web app could start.
    const turbo = JSON.parse(readFileSync(new URL('turbo.json', root), 'utf8')) as { globalEnv?: string[]; tasks: Record<string, { env?: string[] }> };
    const hashed = [...(turbo.globalEnv ?? []), ...Object.values(turbo.tasks).flatMap((task) => task.env ?? [])];
    const prefix = (entry: string) => entry.replace(/\*.*$/, '');
    expect(hashed.filter((entry) => [...NAMES, 'NODE_ENV', 'DEV_IDP_ACCESS_TOKEN_TTL'].some((name) => name.startsWith(prefix(entry))))).toEqual([]);
  });
});
