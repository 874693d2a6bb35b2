import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, startStack, type Slapd, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import type { Env } from './env.js';
import { diagnose, formatFindings, type Finding } from './doctor.js';

const find = (findings: Finding[], check: string) => findings.filter((f) => f.check === check);

describe('doctor: the LDAP directory and the role map, against a real slapd', () => {
  let ldap: Slapd;
  let stack: Stack<Api>;
  let env: Env;
  beforeAll(async () => {
    [ldap, stack] = await Promise.all([startSlapd(), startStack(server)]);
    env = {
      OIDC_ISSUER: stack.idpUrl,
      BACK_URL: stack.apiUrl,
      FRONT_URL: 'http://localhost:4299',
      LDAP_URL: ldap.url,
      LDAP_BIND_DN: ldap.bindDn,
      LDAP_BIND_PASSWORD: ldap.bindPassword,
      LDAP_USER_BASE: `ou=people,${ldap.baseDn}`,
      LDAP_GROUP_BASE: `ou=groups,${ldap.baseDn}`,
    };
  });
  afterAll(async () => {
    await stack?.close();
    await ldap?.stop();
  });

  it('binds and searches, and names the roles no group of the directory grants, never the bind password', async () => {
    const findings = await diagnose({
      ...env,
      ROLE_MAP: JSON.stringify({ analyst: ['CN=Analysts, OU=Groups, DC=corp, DC=example'], auditor: ['cn=auditors,ou=groups,dc=corp,dc=example', 'auditors'] }),
    });
    expect(find(findings, 'directory')).toEqual([expect.objectContaining({ severity: 'ok' })]);
    expect(find(findings, 'role-map')).toEqual([
      expect.objectContaining({ severity: 'warn', message: expect.stringContaining('"auditor"'), fix: expect.stringContaining('ROLE_MAP=') }),
    ]);
    expect(formatFindings(findings)).not.toContain(ldap.bindPassword);
  });

  it('flags the default map (a group name) as granting nothing from the directory, which names groups by DN', async () => {
    const roleMap = find(await diagnose(env), 'role-map');
    expect(roleMap).toEqual([expect.objectContaining({ severity: 'warn', message: expect.stringContaining('"analyst"') })]);
  });

  it('reports a refused bind as an error without printing the password', async () => {
    const findings = await diagnose({ ...env, LDAP_BIND_PASSWORD: 'wrong-password-for-the-doctor' });
    expect(find(findings, 'directory')).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining('connect and bind'), fix: expect.stringContaining('LDAP_BIND_PASSWORD') }),
    ]);
    expect(find(findings, 'role-map')).toEqual([]);
    expect(formatFindings(findings)).not.toContain('wrong-password-for-the-doctor');
  });
});

describe('doctor: token introspection', () => {
  let opaque: Stack<Api>;
  let jwt: Stack<Api>;
  beforeAll(async () => {
    [opaque, jwt] = await Promise.all([startStack(server, { devIdp: { accessTokenFormat: 'opaque' } }), startStack(server)]);
  });
  afterAll(async () => {
    await Promise.all([opaque?.close(), jwt?.close()]);
  });
  const envFor = (stack: Stack<Api>): Env => ({
    OIDC_ISSUER: stack.idpUrl,
    BACK_URL: stack.apiUrl,
    FRONT_URL: 'http://localhost:4299',
    OIDC_ACCESS_TOKEN_VERIFY: 'introspection',
  });

  it('confirms that our client may call the introspection endpoint', async () => {
    const findings = await diagnose(envFor(opaque));
    expect(find(findings, 'introspection')).toEqual([expect.objectContaining({ severity: 'ok', message: expect.stringContaining('/token/introspection') })]);
  });

  it('reports a client the endpoint refuses (401), and an IdP without the endpoint', async () => {
    const refused = find(await diagnose({ ...envFor(opaque), OIDC_CLIENT_SECRET: 'not-the-registered-secret' }), 'introspection');
    expect(refused).toEqual([
      expect.objectContaining({ severity: 'error', message: expect.stringContaining('401'), fix: expect.stringContaining('OIDC_CLIENT_SECRET') }),
    ]);
    const missing = find(await diagnose(envFor(jwt)), 'introspection');
    expect(missing).toEqual([
      expect.objectContaining({
        severity: 'error',
        message: expect.stringContaining('introspection_endpoint'),
        fix: expect.stringContaining('OIDC_ACCESS_TOKEN_VERIFY=jwt'),
      }),
    ]);
  });

  it('checks nothing about introspection in jwt mode', async () => {
    const { OIDC_ACCESS_TOKEN_VERIFY: _mode, ...env } = envFor(jwt);
    expect(find(await diagnose(env), 'introspection')).toEqual([]);
  });
});
