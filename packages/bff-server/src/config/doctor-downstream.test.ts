import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_REPORTS } from '@bff/dev-api';
import { startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { diagnose, type Finding } from './doctor.js';
import { registrationBlock } from './doctor-registration.js';
import { loadConfig, type Env } from './env.js';

const downstream = (findings: Finding[]) => findings.filter((f) => f.check === 'downstream');

describe('doctor: downstream APIs against the dev IdP and the dev reports API', () => {
  let stack: Stack<Api>;
  let plain: Stack<Api>;
  let env: Env;
  beforeAll(async () => {
    // `plain` registers no downstream API at its IdP: its client may not exchange.
    [stack, plain] = await Promise.all([startStack(server, { reports: 'exchange' }), startStack(server)]);
    const apis = { reports: { baseUrl: stack.reports?.url, token: 'exchange', audience: DEV_REPORTS.audience, scopes: [DEV_REPORTS.scope] } };
    env = { OIDC_ISSUER: stack.idpUrl, BACK_URL: stack.apiUrl, FRONT_URL: 'http://localhost:4299', DOWNSTREAM_APIS: JSON.stringify(apis) };
  });
  afterAll(() => Promise.all([stack?.close(), plain?.close()]));

  it('says the API answers and refuses a call without a token, and that the client may exchange for its audience', async () => {
    const findings = downstream(await diagnose(env));
    expect(findings).toEqual([
      expect.objectContaining({ severity: 'ok', message: expect.stringContaining('refuses a call without a token (HTTP 401)') }),
      expect.objectContaining({ severity: 'ok', message: expect.stringMatching(/may exchange users' tokens for "reports" \(urn:bff:reports\)/) }),
    ]);
  });

  it('names an API it cannot reach, with the setting to check', async () => {
    const findings = downstream(await diagnose({ ...env, DOWNSTREAM_APIS: JSON.stringify({ reports: { baseUrl: 'http://localhost:9', token: 'session' } }) }));
    expect(findings[0]).toMatchObject({
      severity: 'error',
      message: expect.stringContaining('Cannot reach "reports"'),
      fix: expect.stringContaining('baseUrl'),
    });
  });

  it('says what to register when the IdP does not let this client exchange', async () => {
    const findings = downstream(await diagnose({ ...env, OIDC_ISSUER: plain.idpUrl }));
    expect(findings[1]).toMatchObject({
      severity: expect.stringMatching(/error|warn/),
      fix: expect.stringContaining('urn:ietf:params:oauth:grant-type:token-exchange'),
    });
  });

  it('lists each downstream API in what to register at the IdP', () => {
    const block = registrationBlock(loadConfig(env), undefined);
    expect(block).toContain('Downstream API "reports"');
    expect(block).toContain('token exchange allowed for this client to audience urn:bff:reports with scope reports:read');
    expect(block).toContain('urn:ietf:params:oauth:grant-type:token-exchange');
  });
});
