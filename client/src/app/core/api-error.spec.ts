import { networkError, trpcError } from '../../testing/fakes';
import { apiErrorKind } from './api-error';

describe('apiErrorKind', () => {
  it('classifies the API’s answers', () => {
    expect(apiErrorKind(trpcError('UNAUTHORIZED', 'no_session'))).toBe('unauthorized');
    expect(apiErrorKind(trpcError('FORBIDDEN', 'forbidden'))).toBe('forbidden');
    expect(apiErrorKind(trpcError('BAD_REQUEST'))).toBe('invalid');
    expect(apiErrorKind(trpcError('SERVICE_UNAVAILABLE'))).toBe('unavailable');
    expect(apiErrorKind(trpcError('INTERNAL_SERVER_ERROR'))).toBe('failed');
  });

  it('does not mistake an anti-forgery refusal for a missing group', () => {
    expect(apiErrorKind(trpcError('FORBIDDEN', 'csrf'))).toBe('failed');
    expect(apiErrorKind(trpcError('FORBIDDEN', 'origin_denied'))).toBe('failed');
  });

  it('treats a request that never reached the API as unavailable, and anything else as failed', () => {
    expect(apiErrorKind(networkError())).toBe('unavailable');
    expect(apiErrorKind(new Error('boom'))).toBe('failed');
  });
});
