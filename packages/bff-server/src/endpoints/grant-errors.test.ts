import { describe, expect, it } from 'vitest';
import { ResponseBodyError } from '../oidc/flows.js';
import * as oauth from 'oauth4webapi';
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

describe('a token response openid-client cannot use', () => {
  // Processed by oauth4webapi (openid-client's own core) from a real Fetch Response, as the callback's exchange would be.
  const processed = async (body: unknown): Promise<unknown> => {
    const as = { issuer: 'https://idp.example.test', token_endpoint: 'https://idp.example.test/token' };
    try {
      await oauth.processRefreshTokenResponse(
        as,
        { client_id: 'bff' },
        new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }),
      );
    } catch (error) {
      return error;
    }
    throw new Error('expected the response to be refused');
  };

  it('is an IdP error, not an invalid ID token: a made-up code once answered 200 without an access token', async () => {
    expect(classifyGrantError(await processed({ token_type: 'Bearer' }))).toBe('idp_error');
    expect(classifyGrantError(await processed({ access_token: 'x', token_type: 'Bearer', expires_in: 'soon' }))).toBe('idp_error');
  });
});
