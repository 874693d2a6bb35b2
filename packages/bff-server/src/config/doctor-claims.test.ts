import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONT, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { diagnose, type Finding } from './doctor.js';
import { claimSourceFindings } from './doctor-claims.js';
import { loadConfig, type Env } from './env.js';

const claims = (findings: Finding[]) => findings.filter((finding) => finding.check === 'claims');
const about = (findings: Finding[], claim: string) => claims(findings).find((finding) => finding.message.startsWith(`${claim}:`));

describe('doctor: where name, email and groups come from', () => {
  let stack: Stack<Api>;
  let env: Env;
  beforeAll(async () => {
    stack = await startStack(server, { devIdp: { claims: 'userinfo', groups: 'joined' } });
    env = { OIDC_ISSUER: stack.idpUrl, BACK_URL: stack.apiUrl, FRONT_URL: FRONT };
  });
  afterAll(() => stack?.close());

  it('against the dev IdP: the ID token, then userinfo (which it has), and groups from the first source, one string one group', async () => {
    const findings = await diagnose(env);
    expect(about(findings, 'name')).toMatchObject({ severity: 'ok', message: expect.stringContaining('OIDC_USERINFO=auto') });
    expect(about(findings, 'email')?.message).toContain('from the ID token');
    expect(about(findings, 'groups')?.message).toMatch(
      /first of the access token, the ID token and userinfo .*"groups".*one string is one group.*GROUPS_SEPARATOR=,/,
    );
  });

  it('names the separator and the single source when set', async () => {
    const findings = await diagnose({ ...env, GROUPS_SEPARATOR: ',', GROUPS_SOURCE: 'id_token' });
    expect(about(findings, 'groups')?.message).toMatch(
      /the id token's "groups" claim only \(GROUPS_SOURCE=id_token\); a claim that is one string is split at ","/,
    );
  });

  it('OIDC_USERINFO=never: the ID token only, with its fallbacks', async () => {
    const findings = await diagnose({ ...env, OIDC_USERINFO: 'never' });
    expect(about(findings, 'name')).toMatchObject({ severity: 'info', message: expect.stringContaining('named by their sub') });
  });

  it('refuses what cannot work: userinfo always or groups at userinfo without a userinfo endpoint; a claim not asked for', () => {
    const config = (extra: Env) => loadConfig({ ...env, ...extra });
    const noUserinfo = { issuer: stack.idpUrl, claims_supported: ['sub', 'name'] };
    expect(claims(claimSourceFindings(config({ OIDC_USERINFO: 'always' }), noUserinfo)).filter((f) => f.severity === 'error')).toHaveLength(1);
    expect(claims(claimSourceFindings(config({ GROUPS_SOURCE: 'userinfo' }), noUserinfo)).filter((f) => f.severity === 'error')).toHaveLength(1);
    const withoutEmail = claimSourceFindings(config({ OIDC_SCOPES: 'openid profile' }), noUserinfo);
    expect(about(withoutEmail, 'email')).toMatchObject({ fix: 'Add email to OIDC_SCOPES.' });
    expect(about(withoutEmail, 'name')?.message).toContain('no userinfo endpoint');
    expect(about(withoutEmail, 'groups')?.message).toContain('does not list "groups" in claims_supported');
  });
});
