import { describe, expect, it } from 'vitest';
import { loadConfig, type Env } from '../config/env.js';
import { ConfigError, type ConfigIssue } from './issues.js';

function issuesOf(env: Env): ConfigIssue[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return [...(error as ConfigError).issues];
  }
  throw new Error('expected a ConfigError');
}

const apis = (value: unknown): Env => ({ DOWNSTREAM_APIS: JSON.stringify(value) });

describe('DOWNSTREAM_APIS', () => {
  it('is read into named APIs with their defaults', () => {
    const config = loadConfig(apis({ reports: { baseUrl: 'http://localhost:4100/v1', token: 'exchange', audience: 'urn:reports', scopes: ['reports:read'] } }));
    expect(config.downstream).toEqual([
      {
        name: 'reports',
        baseUrl: new URL('http://localhost:4100/v1'),
        token: 'exchange',
        audience: 'urn:reports',
        resource: undefined,
        scopes: ['reports:read'],
        timeoutMs: 10_000,
        maxBodyBytes: 1024 * 1024,
      },
    ]);
    expect(config.oidc.resources).toEqual([]);
  });

  it('asks for a `resource` API at sign-in: its resource beside the audience, its scopes with the scopes', () => {
    const config = loadConfig(
      apis({ ledger: { baseUrl: 'http://localhost:4101', token: 'resource', resource: 'https://ledger.example.test', scopes: ['ledger:read'] } }),
    );
    expect(config.oidc.resources).toEqual([config.oidc.audience, 'https://ledger.example.test']);
    expect(config.oidc.scope.split(' ')).toContain('ledger:read');
  });

  it('names the variable and the shape when it is not JSON', () => {
    const [issue] = issuesOf({ DOWNSTREAM_APIS: '{reports:' });
    expect(issue).toMatchObject({ variable: 'DOWNSTREAM_APIS', message: expect.stringContaining('"baseUrl"') });
  });

  it.each([
    ['an API name that is no path segment', { 'Reports/x': { baseUrl: 'http://localhost:4100', token: 'session' } }, 'downstream.Reports/x'],
    ['exchange without an audience', { reports: { baseUrl: 'http://localhost:4100', token: 'exchange' } }, 'downstream.reports.audience'],
    ['resource without a resource', { reports: { baseUrl: 'http://localhost:4100', token: 'resource' } }, 'downstream.reports.resource'],
    ['session with scopes of its own', { reports: { baseUrl: 'http://localhost:4100', token: 'session', scopes: ['x'] } }, 'downstream.reports.token'],
    ['session for another audience', { reports: { baseUrl: 'http://localhost:4100', token: 'session', audience: 'urn:other' } }, 'downstream.reports.audience'],
    ['an unknown token mode', { reports: { baseUrl: 'http://localhost:4100', token: 'magic' } }, 'downstream.reports.token'],
    ['a base URL with a query', { reports: { baseUrl: 'http://localhost:4100/?x=1', token: 'session' } }, 'downstream.reports.baseUrl'],
    ['plain http to a real host', { reports: { baseUrl: 'http://reports.internal', token: 'session' } }, 'downstream.reports.baseUrl'],
    [
      'a resource that is not an absolute URI',
      { reports: { baseUrl: 'http://localhost:4100', token: 'resource', resource: 'reports' } },
      'downstream.reports.resource',
    ],
    ['a timeout out of bounds', { reports: { baseUrl: 'http://localhost:4100', token: 'session', timeoutMs: 5 } }, 'downstream.reports.timeoutMs'],
    ['an unknown setting', { reports: { baseUrl: 'http://localhost:4100', token: 'session', follow: true } }, 'downstream.reports.follow'],
  ])('refuses %s, naming the variable and the setting', (_what, value, path) => {
    const issues = issuesOf(apis(value));
    expect(issues).toContainEqual(expect.objectContaining({ variable: 'DOWNSTREAM_APIS', path }));
  });
});
