import { TestBed } from '@angular/core/testing';
import { TRPCClientError } from '@trpc/client';
import { provideBffTesting } from '../provide-bff-testing.js';
import type { ExampleRouter } from '../spec/example-router.js';
import { DEFAULT_RETRY_AFTER_SECONDS } from './api-error.js';
import { TESTING_API_URL as API_URL, failure, fakeFetch, meFor, ok, type Answer } from './fake-bff-api.js';
import { ServiceStatus, retryDelayMs, serviceStatusLink } from './service-status.js';
import { createTrpcClient } from './trpc-client.js';

const ALICE = meFor({ sub: 'alice', name: 'Alice Analyst', email: 'alice@example.test', groups: ['analysts'], roles: ['analyst'] });

describe('retryDelayMs', () => {
  it('waits 1 s, 2 s, 4 s… and never more than 15 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });
});

describe('ServiceStatus', () => {
  let status: ServiceStatus;
  let retries: number;
  let recoveries: number;

  beforeEach(() => {
    vi.useFakeTimers();
    TestBed.configureTestingModule({ providers: [provideBffTesting()] });
    status = TestBed.inject(ServiceStatus);
    retries = 0;
    recoveries = 0;
    status.onRetry(() => retries++);
    status.onRecovered(() => recoveries++);
  });

  afterEach(() => vi.useRealTimers());

  it('asks for retries with a growing delay while the API stays unavailable, however many calls fail', () => {
    status.reportUnavailable();
    status.reportUnavailable();
    expect(status.problem()).toEqual({ kind: 'unavailable' });

    vi.advanceTimersByTime(999);
    expect(retries).toBe(0);
    vi.advanceTimersByTime(1);
    expect(retries).toBe(1);

    // The retry failed as well.
    status.reportUnavailable();
    vi.advanceTimersByTime(1999);
    expect(retries).toBe(1);
    vi.advanceTimersByTime(1);
    expect(retries).toBe(2);
    expect(recoveries).toBe(0);
  });

  it('is back, once, when a call is answered; the next outage starts again at 1 s', () => {
    status.reportUnavailable();
    vi.advanceTimersByTime(1000);
    status.reportUnavailable();

    status.reportAnswered();
    status.reportAnswered();

    expect(status.problem()).toBeNull();
    expect(recoveries).toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(retries).toBe(1);

    status.reportUnavailable();
    vi.advanceTimersByTime(1000);
    expect(retries).toBe(2);
  });

  it('shows a rate limit for as long as the API said, then asks for a retry', () => {
    status.reportRateLimited(30);
    expect(status.problem()).toEqual({ kind: 'rate-limited', retryAfterSeconds: 30 });

    status.reportAnswered();
    vi.advanceTimersByTime(29_999);
    expect(status.problem()).toEqual({ kind: 'rate-limited', retryAfterSeconds: 30 });
    vi.advanceTimersByTime(1);

    expect(status.problem()).toBeNull();
    expect(retries).toBe(1);
  });

  it('is back when a rate limit ends, so that pages ask again what it refused, not sooner', () => {
    status.reportRateLimited(30);
    vi.advanceTimersByTime(29_999);
    expect(recoveries).toBe(0);
    vi.advanceTimersByTime(1);
    expect(recoveries).toBe(1);
    expect(status.problem()).toBeNull();
  });

  it('stops calling a listener once told to', () => {
    const listener = vi.fn();
    const stop = status.onRetry(listener);
    stop();

    status.reportUnavailable();
    vi.advanceTimersByTime(1000);

    expect(listener).not.toHaveBeenCalled();
    expect(retries).toBe(1);
  });

  it('cancels its timers with the application', () => {
    status.reportUnavailable();
    TestBed.resetTestingModule();
    vi.advanceTimersByTime(60_000);
    expect(retries).toBe(0);
  });
});

describe('serviceStatusLink', () => {
  beforeEach(() => TestBed.configureTestingModule({ providers: [provideBffTesting()] }));

  function call(answer: Answer): { status: ServiceStatus; result: Promise<unknown> } {
    const status = TestBed.inject(ServiceStatus);
    const trpc = createTrpcClient<ExampleRouter>({ apiUrl: API_URL, fetch: fakeFetch(answer), links: [serviceStatusLink(status)] });
    return { status, result: trpc.me.query().catch((error: unknown) => error) };
  }

  it.each(['idp_unavailable', 'session_store_unavailable', 'directory_unavailable'] as const)(
    'reports the API unavailable on SERVICE_UNAVAILABLE (%s), and still rejects the call',
    async (reason) => {
      const { status, result } = call(failure('SERVICE_UNAVAILABLE', reason));
      expect(await result).toBeInstanceOf(TRPCClientError);
      expect(status.problem()).toEqual({ kind: 'unavailable' });
    },
  );

  it('reports the API unavailable when the request never reaches it', async () => {
    const status = TestBed.inject(ServiceStatus);
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const trpc = createTrpcClient<ExampleRouter>({ apiUrl: API_URL, fetch, links: [serviceStatusLink(status)] });
    await trpc.me.query().catch(() => undefined);
    expect(status.problem()).toEqual({ kind: 'unavailable' });
  });

  it('reports a rate limit for the seconds of Retry-After, or a default', async () => {
    const limited = call(failure('TOO_MANY_REQUESTS', 'rate_limited', { 'retry-after': '42' }));
    await limited.result;
    expect(limited.status.problem()).toEqual({ kind: 'rate-limited', retryAfterSeconds: 42 });

    TestBed.resetTestingModule();
    TestBed.configureTestingModule({ providers: [provideBffTesting()] });
    const unsaid = call(failure('TOO_MANY_REQUESTS', 'rate_limited'));
    await unsaid.result;
    expect(unsaid.status.problem()).toEqual({ kind: 'rate-limited', retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS });
  });

  it.each([
    ['a result', ok({ me: ALICE })],
    ['an error the API formatted', failure('UNAUTHORIZED', 'no_session')],
  ])('ends an outage when the API answers with %s', async (_case, answer) => {
    const { status, result } = call(answer);
    status.reportUnavailable();
    await result;
    expect(status.problem()).toBeNull();
  });
});
