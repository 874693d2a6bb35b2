import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONT, startStack, type Stack } from '@bff/test-kit';
import * as server from '../testing/test-app.js';
import type { Bff as Api } from '../bff.js';
import { diagnose, type Finding } from './doctor.js';
import { stepUpFindings } from './doctor-step-up.js';
import { loadConfig, type Env } from './env.js';

const stepUp = (findings: Finding[]) => findings.filter((finding) => finding.check === 'step-up');

describe('doctor: step-up', () => {
  let stack: Stack<Api>;
  let env: Env;
  beforeAll(async () => {
    stack = await startStack(server);
    env = { OIDC_ISSUER: stack.idpUrl, BACK_URL: stack.apiUrl, FRONT_URL: FRONT };
  });
  afterAll(() => stack?.close());

  it('against the dev IdP: the default order is what it advertises', async () => {
    const findings = stepUp(await diagnose(env));
    expect(findings).toEqual([{ severity: 'ok', check: 'step-up', message: expect.stringContaining('urn:bff:loa:pwd < urn:bff:loa:mfa') }]);
  });

  it('warns about an acr the IdP does not advertise, naming the ones it does', async () => {
    const findings = stepUp(await diagnose({ ...env, OIDC_ACR_ORDER: 'urn:bff:loa:pwd urn:bank:hardware-key' }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warn', message: expect.stringContaining('urn:bank:hardware-key') });
    expect(findings[0]?.fix).toContain('urn:bff:loa:pwd urn:bff:loa:mfa');
  });

  it('says what it cannot tell when the IdP advertises no acr values, and which claims it lacks', () => {
    const config = loadConfig(env);
    const findings = stepUpFindings(config, { issuer: stack.idpUrl, claims_supported: ['sub', 'acr'] });
    expect(findings.map((finding) => finding.severity)).toEqual(['info', 'info']);
    expect(findings[1]?.message).toContain('auth_time');
  });
});
