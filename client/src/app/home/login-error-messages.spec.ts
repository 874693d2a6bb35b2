import { LOGIN_ERROR_CODES, type LoginErrorCode } from '@oidc-bff/protocol';
import { LOGIN_ERROR_EXPLANATIONS, explainLoginError } from './login-error-messages';

describe('explainLoginError', () => {
  it('has a distinct explanation for every login error code', () => {
    const explanations = LOGIN_ERROR_CODES.map((code) => explainLoginError(code));
    expect(Object.keys(LOGIN_ERROR_EXPLANATIONS).sort()).toEqual([...LOGIN_ERROR_CODES].sort());
    expect(new Set(explanations.map((e) => e?.happened)).size).toBe(LOGIN_ERROR_CODES.length);
    expect(new Set(explanations.map((e) => e?.operatorCheck)).size).toBe(LOGIN_ERROR_CODES.length);
  });

  it('names what to check for the configuration and outage codes', () => {
    const checks = (code: LoginErrorCode) => LOGIN_ERROR_EXPLANATIONS[code].operatorCheck;
    expect(checks('access_token_invalid')).toMatch(/OIDC_AUDIENCE.*aud.*npm run doctor/);
    expect(checks('state_mismatch')).toMatch(/cookie.*tabs.*longer/);
    expect(checks('idp_unavailable')).toContain('OIDC_ISSUER');
    expect(checks('service_unavailable')).toMatch(/Redis.*REDIS_URL.*npm run doctor/);
  });

  it('has a generic explanation for an unknown code and none without a code', () => {
    expect(explainLoginError('made_up')?.happened).toEqual(expect.any(String));
    expect(explainLoginError('toString')).not.toBe(explainLoginError('access_denied'));
    expect(explainLoginError('toString')).toEqual(explainLoginError('made_up'));
    expect(explainLoginError(null)).toBeNull();
  });
});
