import { TRPCClientError } from '@trpc/client';
import type { ExampleRouter } from '../spec/example-router.js';
import { DEFAULT_RETRY_AFTER_SECONDS, apiErrorKind, retryAfterSeconds } from './api-error.js';
import { networkError, trpcError } from './fake-bff-api.js';

describe('apiErrorKind', () => {
  it('classifies the API’s answers', () => {
    expect(apiErrorKind(trpcError('UNAUTHORIZED', 'no_session'))).toBe('unauthorized');
    expect(apiErrorKind(trpcError('FORBIDDEN', 'forbidden'))).toBe('forbidden');
    expect(apiErrorKind(trpcError('NOT_FOUND'))).toBe('not-found');
    expect(apiErrorKind(trpcError('BAD_REQUEST'))).toBe('invalid');
    expect(apiErrorKind(trpcError('TOO_MANY_REQUESTS', 'rate_limited'))).toBe('rate-limited');
    expect(apiErrorKind(trpcError('SERVICE_UNAVAILABLE'))).toBe('unavailable');
    expect(apiErrorKind(trpcError('INTERNAL_SERVER_ERROR'))).toBe('failed');
  });

  it('treats every dependency outage as unavailable, never as signed out', () => {
    for (const reason of ['idp_unavailable', 'session_store_unavailable', 'directory_unavailable'] as const) {
      expect(apiErrorKind(trpcError('SERVICE_UNAVAILABLE', reason))).toBe('unavailable');
    }
  });

  it('does not mistake an anti-forgery refusal for a missing role', () => {
    expect(apiErrorKind(trpcError('FORBIDDEN', 'csrf'))).toBe('failed');
    expect(apiErrorKind(trpcError('FORBIDDEN', 'origin_denied'))).toBe('failed');
  });

  it('treats a request that never reached the API as unavailable, and anything else as failed', () => {
    expect(apiErrorKind(networkError())).toBe('unavailable');
    expect(apiErrorKind(new Error('boom'))).toBe('failed');
  });
});

describe('retryAfterSeconds', () => {
  const now = Date.parse('2030-01-01T09:00:00Z');

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterSeconds(trpcError('TOO_MANY_REQUESTS', 'rate_limited', { 'retry-after': '30' }), now)).toBe(30);
    expect(retryAfterSeconds(trpcError('TOO_MANY_REQUESTS', 'rate_limited', { 'retry-after': 'Tue, 01 Jan 2030 09:01:30 GMT' }), now)).toBe(90);
  });

  it('reads the retryAfterSeconds of a refused live stream, whose headers an EventSource does not show; a header comes first', () => {
    const refused = TRPCClientError.from<ExampleRouter>({
      error: {
        message: 'too many',
        code: -32029,
        data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, path: 'chat.onMessage', reason: 'too_many_streams', retryAfterSeconds: 30 },
      },
    });
    expect(retryAfterSeconds(refused, now)).toBe(30);
    const both = TRPCClientError.from<ExampleRouter>(
      { error: { message: 'too many', code: -32029, data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, path: 'chat.send', retryAfterSeconds: 30 } } },
      { meta: { response: new Response(null, { status: 429, headers: { 'retry-after': '12' } }) } },
    );
    expect(retryAfterSeconds(both, now)).toBe(12);
  });

  it('waits at least a second, and falls back to a default without a usable header', () => {
    expect(retryAfterSeconds(trpcError('TOO_MANY_REQUESTS', 'rate_limited', { 'retry-after': '0' }), now)).toBe(1);
    expect(retryAfterSeconds(trpcError('TOO_MANY_REQUESTS', 'rate_limited', { 'retry-after': 'soon' }), now)).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    expect(retryAfterSeconds(trpcError('TOO_MANY_REQUESTS', 'rate_limited'), now)).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    expect(retryAfterSeconds(networkError(), now)).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    expect(retryAfterSeconds(new Error('boom'), now)).toBe(DEFAULT_RETRY_AFTER_SECONDS);
  });
});
