import { trpcError } from '@oidc-bff/angular/testing';
import { apiErrorMessage } from './api-error-message';
import { rateLimitMessage } from './rate-limit-message';

describe('apiErrorMessage', () => {
  it('says when to try again after a rate limit', () => {
    expect(apiErrorMessage(trpcError('TOO_MANY_REQUESTS', 'rate_limited', { 'retry-after': '12' }))).toBe(rateLimitMessage(12));
    expect(rateLimitMessage(12)).toContain('12 s');
  });

  it('has a distinct sentence for each kind', () => {
    const errors = [
      trpcError('UNAUTHORIZED', 'no_session'),
      trpcError('FORBIDDEN', 'forbidden'),
      trpcError('NOT_FOUND'),
      trpcError('BAD_REQUEST'),
      trpcError('TOO_MANY_REQUESTS', 'rate_limited'),
      trpcError('SERVICE_UNAVAILABLE', 'idp_unavailable'),
      trpcError('INTERNAL_SERVER_ERROR'),
    ];
    expect(new Set(errors.map(apiErrorMessage)).size).toBe(errors.length);
  });
});
