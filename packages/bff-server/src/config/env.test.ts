import express from 'express';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Env } from './env.js';
import { staticFindings } from './doctor.js';
import { TRUST_PROXY_FIX, type TrustProxy } from './trust-proxy.js';

function issuesOf(env: Env): Record<string, string> {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return Object.fromEntries((error as ConfigError).issues.map((i) => [i.variable, i.message]));
  }
  throw new Error('expected a ConfigError');
}

const PRODUCTION: Env = {
  NODE_ENV: 'production',
  OIDC_ISSUER: 'https://login.example.com',
  OIDC_CLIENT_ID: 'bff',
  OIDC_CLIENT_SECRET: 'a-real-secret',
  OIDC_AUDIENCE: 'api://bff',
  FRONT_URL: 'https://app.example.com',
  BACK_URL: 'https://api.example.com',
  SESSION_SECRET: 'q3T9v8mZk1xYw2LpB7nR4sC6dF0gH5jK',
};

describe('configuration (S16)', () => {
  it('works with no environment at all in development, pointing at the development IdP', () => {
    const config = loadConfig({});
    expect(config.oidc.issuer.href).toBe('http://localhost:4000/');
    expect(config.oidc.redirectUri.href).toBe('http://localhost:3000/api/callback');
    expect(config.frontOrigins).toEqual(['http://localhost:4200']);
    expect(config.cookie).toEqual({ baseName: 'bff_session', name: 'bff_session', secure: false, sameSite: 'lax', topology: 'same-site' });
  });

  it('accepts a complete production configuration with strict cookies', () => {
    const config = loadConfig(PRODUCTION);
    expect(config.cookie).toEqual({ baseName: 'bff_session', name: '__Host-bff_session', secure: true, sameSite: 'lax', topology: 'same-site' });
    expect(config.oidc.postLogoutRedirectUri.href).toBe('https://app.example.com/');
    expect(config.warnings).toEqual([]);
  });

  it('has no defaults in production and names every missing variable', () => {
    const issues = issuesOf({ NODE_ENV: 'production' });
    for (const name of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_AUDIENCE', 'FRONT_URL', 'BACK_URL', 'SESSION_SECRET']) {
      expect(issues[name]).toMatch(/required/);
    }
  });

  it('requires https outside localhost in production', () => {
    const issues = issuesOf({ ...PRODUCTION, OIDC_ISSUER: 'http://login.example.com', BACK_URL: 'http://api.example.com' });
    expect(issues['OIDC_ISSUER']).toMatch(/https/);
    expect(issues['BACK_URL']).toMatch(/https/);
    expect(() => loadConfig({ ...PRODUCTION, OIDC_ISSUER: 'http://localhost:4000' })).not.toThrow();
  });

  it('allows plain http in development only for localhost and reserved test names', () => {
    expect(() => loadConfig({ FRONT_URL: 'http://app.example.test', BACK_URL: 'http://api.example.test' })).not.toThrow();
    expect(issuesOf({ BACK_URL: 'http://api.mycompany.com' })['BACK_URL']).toMatch(/https/);
  });

  it('refuses a short or published session secret', () => {
    expect(issuesOf({ SESSION_SECRET: 'short' })['SESSION_SECRET']).toMatch(/32/);
    expect(issuesOf({ ...PRODUCTION, SESSION_SECRET: 'development-only-session-secret-0123456789abcdef' })['SESSION_SECRET']).toMatch(/development/);
  });

  it('refuses a wildcard or malformed front origin', () => {
    expect(issuesOf({ FRONT_URL: '*' })['FRONT_URL']).toMatch(/\*/);
    expect(issuesOf({ FRONT_URL: 'not a url' })['FRONT_URL']).toMatch(/absolute URL/);
    expect(issuesOf({ FRONT_URL: 'http://localhost:4200/app' })['FRONT_URL']).toMatch(/origin/);
    expect(loadConfig({ FRONT_URL: 'http://localhost:4200, http://localhost:4300/' }).frontOrigins).toEqual(['http://localhost:4200', 'http://localhost:4300']);
  });

  it('requires the redirect URI under BACK_URL and the post-logout URI on a front', () => {
    expect(issuesOf({ OIDC_REDIRECT_URI: 'http://localhost:9999/api/callback' })['OIDC_REDIRECT_URI']).toMatch(/BACK_URL/);
    expect(issuesOf({ OIDC_POST_LOGOUT_REDIRECT_URI: 'http://localhost:9999/' })['OIDC_POST_LOGOUT_REDIRECT_URI']).toMatch(/FRONT_URL/);
  });

  it('names bad numbers, enums and algorithms', () => {
    const issues = issuesOf({ PORT: 'eighty', COOKIE_SAMESITE: 'sometimes', OIDC_TOKEN_ALGS: 'RS256,HS256', SESSION_IDLE_TTL: '5', COOKIE_NAME: 'a b' });
    expect(Object.keys(issues).sort()).toEqual(['COOKIE_NAME', 'COOKIE_SAMESITE', 'OIDC_TOKEN_ALGS', 'PORT', 'SESSION_IDLE_TTL']);
    expect(issues['OIDC_TOKEN_ALGS']).toMatch(/asymmetric/);
    expect(issuesOf({ OIDC_TOKEN_ALGS: 'none' })['OIDC_TOKEN_ALGS']).toMatch(/asymmetric/);
  });

  it('reports every problem at once in one message', () => {
    try {
      loadConfig({ SESSION_SECRET: 'short', FRONT_URL: '*', PORT: '-1' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toMatch(/SESSION_SECRET[\s\S]*FRONT_URL|FRONT_URL[\s\S]*SESSION_SECRET/);
      expect((error as Error).message).toContain('PORT');
    }
  });

  it('computes SameSite=None for cross-site fronts, with a loud warning, and only over https', () => {
    const config = loadConfig({ ...PRODUCTION, FRONT_URL: 'https://app.other.com' });
    expect(config.cookie).toMatchObject({ topology: 'cross-site', sameSite: 'none', secure: true });
    expect(staticFindings(config).find((f) => f.check === 'topology')).toMatchObject({ severity: 'warn', fix: expect.stringMatching(/third-party/) });
    expect(Object.keys(issuesOf({ FRONT_URL: 'http://app.example.test', BACK_URL: 'http://api.other.test' }))).toEqual(['BACK_URL']);
  });

  it('lets SameSite be overridden', () => {
    expect(loadConfig({ ...PRODUCTION, COOKIE_SAMESITE: 'strict' }).cookie.sameSite).toBe('strict');
  });
});

describe('directory and access-token settings (LDAP_*, OIDC_ACCESS_TOKEN_VERIFY)', () => {
  const LDAP: Env = {
    LDAP_URL: 'ldaps://ldap.corp.example:636',
    LDAP_BIND_DN: 'cn=bff,ou=services,dc=corp,dc=example',
    LDAP_BIND_PASSWORD: 'service-account-password',
    LDAP_USER_BASE: 'ou=people,dc=corp,dc=example',
    LDAP_GROUP_BASE: 'ou=groups,dc=corp,dc=example',
  };

  it('has no directory and verifies JWT access tokens unless told otherwise', () => {
    const config = loadConfig({});
    expect(config.ldap).toBeUndefined();
    expect(config.oidc).toMatchObject({ accessTokenVerify: 'jwt', introspectionCacheTtlSeconds: 30 });
  });

  it('reads a complete directory configuration, with defaults for the filter, cache and timeout', () => {
    expect(loadConfig({ ...PRODUCTION, ...LDAP }).ldap).toEqual({
      url: 'ldaps://ldap.corp.example:636',
      startTls: false,
      bindDn: LDAP.LDAP_BIND_DN,
      bindPassword: LDAP.LDAP_BIND_PASSWORD,
      userBase: LDAP.LDAP_USER_BASE,
      userFilter: '(uid={username})',
      groupBase: LDAP.LDAP_GROUP_BASE,
      cacheTtlSeconds: 300,
      timeoutMs: 3000,
    });
  });

  it('names what a directory configuration lacks or gets wrong', () => {
    const { LDAP_USER_BASE: _base, ...withoutUserBase } = LDAP;
    expect(Object.keys(issuesOf(withoutUserBase))).toEqual(['LDAP_USER_BASE']);
    expect(issuesOf(withoutUserBase)['LDAP_USER_BASE']).toMatch(/required with LDAP_URL/);
    expect(issuesOf({ ...LDAP, LDAP_GROUP_BASE: 'groups' })['LDAP_GROUP_BASE']).toMatch(/distinguished name/);
    expect(issuesOf({ ...LDAP, LDAP_BIND_PASSWORD: '' })['LDAP_BIND_PASSWORD']).toMatch(/required/);
    expect(issuesOf({ ...LDAP, LDAP_USER_FILTER: '(uid=alice)' })['LDAP_USER_FILTER']).toMatch(/\{username\}/);
    expect(issuesOf({ ...LDAP, LDAP_URL: 'https://ldap.corp.example' })['LDAP_URL']).toMatch(/ldap:\/\/ or ldaps:\/\//);
    expect(issuesOf({ ...LDAP, LDAP_STARTTLS: 'true' })['LDAP_STARTTLS']).toMatch(/ldaps:\/\//);
    expect(Object.keys(issuesOf({ ...LDAP, LDAP_CACHE_TTL: '-1', LDAP_TIMEOUT_MS: 'soon' })).sort()).toEqual(['LDAP_CACHE_TTL', 'LDAP_TIMEOUT_MS']);
    const { LDAP_URL: _url, ...withoutUrl } = LDAP;
    expect(issuesOf(withoutUrl)['LDAP_URL']).toMatch(/required when LDAP_BIND_DN/);
  });

  it('refuses plain ldap:// outside localhost in production, unless StartTLS is on; the bind password is never in a message', () => {
    const plain = { ...PRODUCTION, ...LDAP, LDAP_URL: 'ldap://ldap.corp.example' };
    expect(issuesOf(plain)['LDAP_URL']).toMatch(/ldaps:\/\/ or LDAP_STARTTLS=true/);
    expect(loadConfig({ ...plain, LDAP_STARTTLS: 'true' }).ldap?.startTls).toBe(true);
    expect(loadConfig({ ...PRODUCTION, ...LDAP, LDAP_URL: 'ldap://127.0.0.1:3389' }).ldap?.url).toBe('ldap://127.0.0.1:3389');
    expect(loadConfig({ ...LDAP, LDAP_URL: 'ldap://ldap.corp.example' }).ldap?.startTls).toBe(false);
    try {
      loadConfig({ ...plain, LDAP_GROUP_BASE: 'nope' });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain(LDAP.LDAP_BIND_PASSWORD);
    }
  });

  it('reads the access-token verification mode and the introspection cache TTL', () => {
    expect(loadConfig({ OIDC_ACCESS_TOKEN_VERIFY: 'introspection', OIDC_INTROSPECTION_CACHE_TTL: '5' }).oidc).toMatchObject({
      accessTokenVerify: 'introspection',
      introspectionCacheTtlSeconds: 5,
    });
    expect(issuesOf({ OIDC_ACCESS_TOKEN_VERIFY: 'opaque' })['OIDC_ACCESS_TOKEN_VERIFY']).toMatch(/jwt.*introspection/);
    expect(Object.keys(issuesOf({ OIDC_INTROSPECTION_CACHE_TTL: 'long' }))).toEqual(['OIDC_INTROSPECTION_CACHE_TTL']);
  });
});

describe('TRUST_PROXY (issue 16: a client must not choose the address the API sees)', () => {
  /** Express's own compiled `trust proxy`, so that what the configuration accepts is what Express trusts. */
  const expressTrusts = (value: TrustProxy, address: string, hop = 0): boolean => {
    const app = express().set('trust proxy', value);
    return (app.get('trust proxy fn') as (address: string, hop: number) => boolean)(address, hop);
  };

  it('is off unless set, and 0 or false turn it off', () => {
    for (const raw of [undefined, '', 'false', 'FALSE', '0']) expect(loadConfig({ TRUST_PROXY: raw }).trustProxy).toBe(false);
  });

  it('takes a hop count from 1 to 10, in production too', () => {
    expect(loadConfig({ ...PRODUCTION, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...PRODUCTION, TRUST_PROXY: '10' }).trustProxy).toBe(10);
    expect(expressTrusts(2, '203.0.113.7', 1)).toBe(true);
    expect(expressTrusts(2, '203.0.113.7', 2)).toBe(false);
    for (const raw of ['11', '1000']) expect(Object.keys(issuesOf({ TRUST_PROXY: raw }))).toEqual(['TRUST_PROXY']);
  });

  it('takes addresses, CIDR ranges and the named sets, normalised for Express, which compiles them', () => {
    const cases: Array<[string, string, string, string]> = [
      // raw, Express value, an address it trusts, one it does not
      ['loopback', 'loopback', '127.0.0.1', '10.0.0.1'],
      ['Loopback, uniquelocal', 'loopback,uniquelocal', '192.168.1.1', '203.0.113.7'],
      ['linklocal', 'linklocal', '169.254.1.1', '10.0.0.1'],
      ['10.0.0.0/8', '10.0.0.0/8', '10.200.0.1', '11.0.0.1'],
      ['203.0.113.7', '203.0.113.7', '203.0.113.7', '203.0.113.8'],
      ['10.1.0.0/16,fd00::/8', '10.1.0.0/16,fd00::/8', 'fd12::1', 'fe80::1'],
      ['2001:db8::/32', '2001:db8::/32', '2001:db8:1::1', '2001:db9::1'],
      ['::ffff:10.0.0.0/104', '::ffff:10.0.0.0/104', '10.3.2.1', '11.0.0.1'],
      ['fc00::/7', 'fc00::/7', 'fd00::1', '2001:db8::1'],
    ];
    for (const [raw, value, trusted, untrusted] of cases) {
      const config = loadConfig({ ...PRODUCTION, TRUST_PROXY: raw });
      expect(config.trustProxy).toBe(value);
      expect(expressTrusts(config.trustProxy, trusted)).toBe(true);
      expect(expressTrusts(config.trustProxy, untrusted)).toBe(false);
      expect(staticFindings(config).filter((f) => f.check === 'trust-proxy')).toEqual([]);
    }
  });

  it.each([
    'yes',
    '1.5',
    '-1',
    'localhost',
    '10.0.0.0/33',
    '10.0.0.0/0',
    '10.0.0.0/255.0.0.0',
    '10.0.0',
    '010.0.0.1',
    '::1/129',
    'fe80::1%eth0',
    'loopback,proxy.internal',
    ',',
  ])('refuses %j, naming TRUST_PROXY', (raw) => {
    expect(Object.keys(issuesOf({ TRUST_PROXY: raw }))).toEqual(['TRUST_PROXY']);
    expect(Object.keys(issuesOf({ ...PRODUCTION, TRUST_PROXY: raw }))).toEqual(['TRUST_PROXY']);
  });

  it.each(['true', 'TRUE', '0.0.0.0/1', '10.0.0.0/7', '::/1', '2000::/3', '::/64', '::ffff:0:0/96', '::ffff:0.0.0.0/100', 'loopback,128.0.0.0/1'])(
    'refuses %j in production, which trusts every hop or client addresses, and names the fix',
    (raw) => {
      const issues = issuesOf({ ...PRODUCTION, TRUST_PROXY: raw });
      expect(Object.keys(issues)).toEqual(['TRUST_PROXY']);
      expect(issues['TRUST_PROXY']).toContain(TRUST_PROXY_FIX);
    },
  );

  it('accepts trust-all in development, where the doctor and the start-up log warn about it (doctor.test.ts)', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'loopback,0.0.0.0/1' }).trustProxy).toBe('loopback,0.0.0.0/1');
  });
});
