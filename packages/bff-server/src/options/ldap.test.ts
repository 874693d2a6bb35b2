import { describe, expect, it } from 'vitest';
import { ConfigError } from './issues.js';
import { resolveOptions } from './resolve.js';
import type { LdapOptions } from './ldap.js';

const PRODUCTION = {
  production: true,
  backUrl: 'https://api.example.com',
  frontOrigins: ['https://app.example.com'],
  oidc: { issuer: 'https://login.example.com', clientId: 'bff', clientSecret: 'a-real-secret', audience: 'api://bff' },
  session: { secrets: 'q3T9v8mZk1xYw2LpB7nR4sC6dF0gH5jK' },
  trustProxy: 1,
} as const;

const BASE = {
  bindDn: 'cn=bff,ou=services,dc=corp,dc=example',
  bindPassword: 'secret',
  userBase: 'ou=people,dc=corp,dc=example',
  groupBase: 'ou=groups,dc=corp,dc=example',
  timeoutMs: 1000,
  cacheTtlSeconds: 60,
} as const;

/** The paths of the options the ldap section refuses; none when it accepts them. */
function refused(ldap: LdapOptions, production = false): string[] {
  try {
    resolveOptions(production ? { ...PRODUCTION, ldap } : { ldap });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => issue.path);
  }
}

describe('the ldap options: the only place the directory settings are checked (LdapDirectory trusts them)', () => {
  it('refuses clear-text LDAP to another host in production (S23)', () => {
    expect(refused({ ...BASE, url: 'ldap://ldap.corp.example:389' }, true)).toEqual(['ldap.url']);
    expect(refused({ ...BASE, url: 'ldap://10.0.0.5' }, true)).toEqual(['ldap.url']);
  });

  it('allows TLS, loopback, and clear text outside production', () => {
    expect(refused({ ...BASE, url: 'ldaps://ldap.corp.example' }, true)).toEqual([]);
    expect(refused({ ...BASE, url: 'ldap://ldap.corp.example', startTls: true }, true)).toEqual([]);
    expect(refused({ ...BASE, url: 'ldap://127.0.0.1:1389' }, true)).toEqual([]);
    expect(refused({ ...BASE, url: 'ldap://localhost:1389' }, true)).toEqual([]);
    expect(refused({ ...BASE, url: 'ldap://[::1]:1389' }, true)).toEqual([]);
    expect(refused({ ...BASE, url: 'ldap://ldap.corp.example' })).toEqual([]);
  });

  it.each<[string, Partial<LdapOptions>, string]>([
    ['a non-LDAP URL', { url: 'http://ldap.corp.example' }, 'ldap.url'],
    ['StartTLS on ldaps', { url: 'ldaps://ldap.corp.example', startTls: true }, 'ldap.startTls'],
    ['a filter without {username}', { userFilter: '(uid=alice)' }, 'ldap.userFilter'],
    ['an unbalanced filter', { userFilter: '(uid={username}' }, 'ldap.userFilter'],
    ['a base that is not a DN', { userBase: 'people' }, 'ldap.userBase'],
    ['no timeout', { timeoutMs: 0 }, 'ldap.timeoutMs'],
    ['a negative cache TTL', { cacheTtlSeconds: -1 }, 'ldap.cacheTtlSeconds'],
    ['an empty bind password (an anonymous bind)', { bindPassword: '' }, 'ldap.bindPassword'],
  ])('refuses %s', (_case, overrides, path) => {
    expect(refused({ ...BASE, url: 'ldap://127.0.0.1:1389', ...overrides })).toEqual([path]);
  });

  it('resolves to the directory settings LdapDirectory takes, with the default filter', () => {
    expect(resolveOptions({ ldap: { ...BASE, url: 'ldaps://ldap.corp.example' } }).ldap).toEqual({
      ...BASE,
      url: 'ldaps://ldap.corp.example',
      startTls: false,
      userFilter: '(uid={username})',
    });
    expect(resolveOptions({ ldap: {} }).ldap).toBeUndefined();
  });
});
