import { describe, expect, it } from 'vitest';
import { ResponseBodyError } from '../oidc/flows.js';
import { classifyGrantError } from './callback.js';

// The token endpoint's refusal as openid-client reports it, built from a real Fetch Response.
function refusal(status: number, error: string): ResponseBodyError {
  const response = new Response(JSON.stringify({ error }), { status, headers: { 'content-type': 'application/json' } });
  return new ResponseBodyError('server responded with an error in the response body', { cause: { error }, response });
}

describe('classifying a refused code exchange', () => {
  it('takes the standard 400 invalid_grant and a provider’s 403 invalid_code as a rejected code', () => {
    expect(classifyGrantError(refusal(400, 'invalid_grant'))).toBe('code_rejected');
    expect(classifyGrantError(refusal(403, 'invalid_code'))).toBe('code_rejected');
  });

  it('keeps other token-endpoint errors as IdP errors', () => {
    expect(classifyGrantError(refusal(401, 'invalid_client'))).toBe('idp_error');
    expect(classifyGrantError(refusal(500, 'server_error'))).toBe('idp_error');
  });
});
