import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDevClientKeys } from '@bff/dev-idp';
import { loadConfig, optionsFromEnv, type Env } from '../config/env.js';
import { diagnose } from '../config/doctor.js';
import { createBff } from '../bff.js';
import { bffRouter } from '../trpc/bff-router.js';
import { createLogger } from '../log.js';
import { ConfigError, type ConfigIssue } from './issues.js';
import { resolveOptions } from './resolve.js';
import type { BffOptions } from './schema.js';

const SECRET = 'q3T9v8mZk1xYw2LpB7nR4sC6dF0gH5jK';
const OLD_SECRET = 'Zr8c1Qm5Tn2Wv7Yb4Kx9Ld3Hs6Fj0Gp1';

function issuesOf(resolve: () => unknown): ConfigIssue[] {
  try {
    resolve();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

/** A production deployment written both ways: every section, most settings away from their defaults. */
const ENV: Env = {
  NODE_ENV: 'production',
  PORT: '8080',
  OIDC_ISSUER: 'https://login.example.com',
  OIDC_CLIENT_ID: 'bff',
  OIDC_CLIENT_SECRET: 'a-real-secret',
  OIDC_AUDIENCE: 'api://bff',
  OIDC_SCOPES: 'openid profile email offline_access',
  OIDC_REDIRECT_URI: 'https://api.example.com/api/callback',
  OIDC_POST_LOGOUT_REDIRECT_URI: 'https://admin.example.com/bye',
  OIDC_TIMEOUT_MS: '3000',
  OIDC_TOKEN_ALGS: 'RS256, ES256',
  OIDC_ACCESS_TOKEN_VERIFY: 'introspection',
  OIDC_INTROSPECTION_CACHE_TTL: '10',
  FRONT_URL: 'https://app.example.com, https://admin.example.com',
  BACK_URL: 'https://api.example.com',
  SESSION_SECRET: `${SECRET},${OLD_SECRET}`,
  SESSION_IDLE_TTL: '600',
  SESSION_ABSOLUTE_TTL: '3600',
  COOKIE_NAME: 'app_session',
  COOKIE_SAMESITE: 'strict',
  TRUST_PROXY: 'loopback,10.0.0.0/8',
  RATE_LIMIT_LOGIN_PER_MINUTE: '30',
  RATE_LIMIT_CALLS_PER_MINUTE: '300',
  RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
  TRPC_MAX_BATCH: '5',
  TRPC_MAX_STREAMS_PER_SESSION: '3',
  TRPC_STREAM_MAX_LIFETIME: '600',
  REDIS_URL: 'rediss://:password@redis.internal:6380',
  REDIS_TIMEOUT_MS: '1000',
  SERVE_WEB: 'false',
  WEB_ROOT: '/srv/web',
  ROLE_MAP: '{"analyst":["analysts","cn=analysts,ou=groups,dc=corp,dc=example"],"auditor":[]}',
  GROUPS_CLAIM: 'realm_access.roles',
  LDAP_URL: 'ldap://ldap.corp.example:389',
  LDAP_STARTTLS: 'true',
  LDAP_BIND_DN: 'cn=bff,ou=services,dc=corp,dc=example',
  LDAP_BIND_PASSWORD: 'service-account-password',
  LDAP_USER_BASE: 'ou=people,dc=corp,dc=example',
  LDAP_USER_FILTER: '(&(objectClass=person)(sAMAccountName={username}))',
  LDAP_GROUP_BASE: 'ou=groups,dc=corp,dc=example',
  LDAP_CACHE_TTL: '60',
  LDAP_TIMEOUT_MS: '1500',
};

const OPTIONS: BffOptions = {
  production: true,
  port: 8080,
  backUrl: new URL('https://api.example.com'),
  frontOrigins: ['https://app.example.com', new URL('https://admin.example.com')],
  trustProxy: ['loopback', '10.0.0.0/8'],
  oidc: {
    issuer: 'https://login.example.com',
    clientId: 'bff',
    clientSecret: 'a-real-secret',
    audience: 'api://bff',
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    redirectUri: 'https://api.example.com/api/callback',
    postLogoutRedirectUri: new URL('https://admin.example.com/bye'),
    timeoutMs: 3000,
    algorithms: ['RS256', 'ES256'],
    accessTokenVerify: 'introspection',
    introspectionCacheTtlSeconds: 10,
  },
  session: { secrets: [SECRET, OLD_SECRET], idleTtlSeconds: 600, absoluteTtlSeconds: 3600 },
  cookies: { name: 'app_session', sameSite: 'strict' },
  limits: { loginPerMinute: 30, callsPerMinute: 300, mutationsPerMinute: 0, maxBatchSize: 5, maxStreamsPerSession: 3, maxStreamLifetimeSeconds: 600 },
  redis: { url: 'rediss://:password@redis.internal:6380', timeoutMs: 1000 },
  web: { serve: false, root: '/srv/web' },
  authz: { roleMap: { analyst: ['analysts', 'cn=analysts,ou=groups,dc=corp,dc=example'], auditor: [] }, groupsClaim: 'realm_access.roles' },
  ldap: {
    url: 'ldap://ldap.corp.example:389',
    startTls: true,
    bindDn: 'cn=bff,ou=services,dc=corp,dc=example',
    bindPassword: 'service-account-password',
    userBase: 'ou=people,dc=corp,dc=example',
    userFilter: '(&(objectClass=person)(sAMAccountName={username}))',
    groupBase: 'ou=groups,dc=corp,dc=example',
    cacheTtlSeconds: 60,
    timeoutMs: 1500,
  },
};

describe('options first: a program passes options, no environment', () => {
  it('gets the same configuration as the equivalent environment', () => {
    const fromOptions = resolveOptions(OPTIONS);
    expect(fromOptions).toEqual(loadConfig(ENV));
    expect(fromOptions).toMatchObject({
      cookie: { name: '__Host-app_session', sameSite: 'strict', topology: 'same-site', secure: true },
      oidc: { scope: 'openid profile email offline_access', algorithms: ['RS256', 'ES256'] },
      trustProxy: 'loopback,10.0.0.0/8',
      web: undefined,
    });
  });

  it('gets the development defaults from no options, as from no variables', () => {
    expect(resolveOptions({})).toEqual(loadConfig({}));
    expect(resolveOptions({ redis: { clusterNodes: ['redis-1:6379', 'redis-2:6379'] } })).toEqual(
      loadConfig({ REDIS_CLUSTER_NODES: 'redis-1:6379, redis-2:6379' }),
    );
  });

  it('gets the same FAPI 2.0 keys and algorithms', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bff-options-'));
    try {
      const keys = writeDevClientKeys(dir);
      expect(resolveOptions({ oidc: { profile: 'fapi2', clientPrivateKey: keys.clientKey, dpopPrivateKey: keys.dpopKey } })).toEqual(
        loadConfig({ OIDC_PROFILE: 'fapi2', OIDC_CLIENT_PRIVATE_KEY: keys.clientKey, OIDC_DPOP_PRIVATE_KEY: keys.dpopKey }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a wrong option by its path, and the other settings of its fix as options too', () => {
    const issues = issuesOf(() =>
      resolveOptions({
        session: { secrets: ['short'] },
        frontOrigins: ['https://app.example.test', '*'],
        oidc: { timeoutMs: 5 },
        ldap: { url: 'ldaps://ldap.corp.example', startTls: true, bindDn: 'cn=bff,dc=x', bindPassword: 'p', userBase: 'dc=x', groupBase: 'dc=x' },
        authz: { roleMap: { analyst: ['cn=analysts,,dc=x'] } },
      }),
    );
    expect(issues.map((issue) => [issue.path, issue.variable, issue.setting])).toEqual([
      ['frontOrigins[1]', undefined, 'frontOrigins[1]'],
      ['oidc.timeoutMs', undefined, 'oidc.timeoutMs'],
      ['session.secrets', undefined, 'session.secrets'],
      ['ldap.startTls', undefined, 'ldap.startTls'],
      ['authz.roleMap.analyst[0]', undefined, 'authz.roleMap.analyst[0]'],
    ]);
    expect(issues.find((issue) => issue.path === 'ldap.startTls')?.message).toMatch(/Set ldap\.startTls: false or use an ldap:\/\/ URL/);
    expect(issues.map((issue) => issue.message).join('\n')).not.toMatch(/[A-Z]{2,}_[A-Z]+/);
  });

  it('names an option that does not exist, wherever it is misspelt', () => {
    const issues = issuesOf(() => resolveOptions({ oidc: { clientID: 'bff' }, sesion: {} } as unknown as BffOptions));
    expect(issues.map((issue) => issue.path).sort()).toEqual(['oidc.clientID', 'sesion']);
  });

  it('names the production requirements by path, with the production option in the message', () => {
    const issues = issuesOf(() => resolveOptions({ production: true, backUrl: 'https://api.example.com', frontOrigins: ['https://app.example.com'] }));
    expect(issues.map((issue) => issue.path).sort()).toEqual(['oidc.audience', 'oidc.clientId', 'oidc.clientSecret', 'oidc.issuer', 'session.secrets']);
    expect(issues[0]?.message).toMatch(/required when production: true/);
  });

  it('words warnings in options', () => {
    const config = resolveOptions({ backUrl: 'https://api.other.test', frontOrigins: ['https://app.example.test'], cookies: { sameSite: 'lax' } });
    expect(config.warnings).toEqual([expect.stringMatching(/^cookies\.sameSite: lax with cross-site fronts/)]);
  });

  it('builds the BFF from options (createBff resolves them) and refuses wrong ones before building anything', async () => {
    const logger = createLogger({ destination: { write: () => true } });
    const bff = await createBff({ port: 0, frontOrigins: ['http://localhost:4299'] }, { router: bffRouter, logger });
    try {
      expect(bff.config).toEqual(loadConfig({ PORT: '0', FRONT_URL: 'http://localhost:4299' }));
    } finally {
      await bff.close();
    }
    await expect(createBff({ session: { secrets: 'short' } }, { router: bffRouter, logger })).rejects.toBeInstanceOf(ConfigError);
  });

  it('lets the doctor check options: configuration problems named by path', async () => {
    const findings = await diagnose({ session: { secrets: 'short' }, frontOrigins: ['*'] });
    expect(findings.every((f) => f.severity === 'error' && f.check === 'config')).toBe(true);
    expect(findings.map((f) => f.message.split(' ')[0]).sort()).toEqual(['frontOrigins[0]', 'session.secrets']);
  });
});

describe('environment second: variables read into options', () => {
  it('names a wrong variable by its name, with the option it sets', () => {
    const issues = issuesOf(() => loadConfig({ SESSION_SECRET: 'short', LDAP_URL: 'ldaps://ldap.corp.example', LDAP_STARTTLS: 'true', PORT: 'eighty' }));
    expect(issues.map((issue) => [issue.variable, issue.path])).toEqual([
      ['PORT', 'port'],
      ['SESSION_SECRET', 'session.secrets'],
      ['LDAP_STARTTLS', 'ldap.startTls'],
      ['LDAP_BIND_DN', 'ldap.bindDn'],
      ['LDAP_USER_BASE', 'ldap.userBase'],
      ['LDAP_GROUP_BASE', 'ldap.groupBase'],
      ['LDAP_BIND_PASSWORD', 'ldap.bindPassword'],
    ]);
    expect(issues.every((issue) => issue.setting === issue.variable)).toBe(true);
    expect(issues.find((issue) => issue.variable === 'LDAP_STARTTLS')?.message).toMatch(/Set LDAP_STARTTLS=false/);
    expect(issues.find((issue) => issue.variable === 'LDAP_BIND_PASSWORD')?.message).toMatch(/required with LDAP_URL: the password of LDAP_BIND_DN/);
  });

  it('names a variable that cannot be read at all, with the other problems', () => {
    const issues = issuesOf(() => loadConfig({ ROLE_MAP: '{analyst: [analysts]}', SESSION_SECRET: 'short' }));
    expect(issues.map((issue) => issue.setting)).toEqual(['ROLE_MAP', 'SESSION_SECRET']);
    expect(issues[0]).toMatchObject({ path: 'authz.roleMap', message: expect.stringMatching(/not valid JSON/) });
  });

  it('keeps naming variables in options spread from the environment, and names what the program changed by path', () => {
    const fromEnv = optionsFromEnv({ SESSION_SECRET: 'short', PORT: '99999', COOKIE_NAME: 'a b' });
    const issues = issuesOf(() => resolveOptions({ ...fromEnv, port: 70_000, cookies: { ...fromEnv.cookies } }));
    expect(issues.map((issue) => issue.setting)).toEqual(['port', 'SESSION_SECRET', 'COOKIE_NAME']);
  });

  it('words warnings in variables', () => {
    const config = loadConfig({ BACK_URL: 'https://api.other.test', FRONT_URL: 'https://app.example.test', COOKIE_SAMESITE: 'lax' });
    expect(config.warnings).toEqual([expect.stringMatching(/^COOKIE_SAMESITE=lax with cross-site fronts/)]);
  });
});
