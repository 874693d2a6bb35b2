import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideLocationMocks } from '@angular/common/testing';
import { Router, provideRouter } from '@angular/router';
import type { AuthFailureReason } from '@oidc-bff/protocol';
import { TRPCClientError, type TRPCClient } from '@trpc/client';
import type { Mock } from 'vitest';
import { TESTING_API_URL as API_URL, errorEnvelope, failure, fakeFetch, loginUrlFor, type Answer, type FakeFetch } from '../api/fake-bff-api.js';
import { createTrpcClient } from '../api/trpc-client.js';
import { provideBffTesting } from '../provide-bff-testing.js';
import type { ExampleRouter } from '../spec/example-router.js';
import { autoLoginLink } from './auto-login-link.js';
import { FakeWindowLocation, TESTING_FRONT_ORIGIN as FRONT_ORIGIN } from './fake-window-location.js';
import { LOGIN_ATTEMPT_KEY, LoginFlow, STEP_UP_ATTEMPT_KEY } from './login-flow.js';

@Component({ template: '' })
class Blank {}

const unauthorized =
  (reason: AuthFailureReason): Answer =>
  (path) => ({ status: 401, body: errorEnvelope('UNAUTHORIZED', path, reason) });

describe('autoLoginLink', () => {
  let location: FakeWindowLocation;
  let router: Router;

  function client(answer: Answer): { trpc: TRPCClient<ExampleRouter>; fetch: Mock<FakeFetch> } {
    const fetch = vi.fn(fakeFetch(answer));
    const flow = TestBed.inject(LoginFlow);
    return { trpc: createTrpcClient<ExampleRouter>({ apiUrl: API_URL, fetch, links: [autoLoginLink(flow)] }), fetch };
  }

  beforeEach(() => {
    sessionStorage.clear();
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: '**', component: Blank }]), provideLocationMocks(), provideBffTesting()],
    });
    location = TestBed.inject(FakeWindowLocation);
    location.href = `${FRONT_ORIGIN}/chat?room=general`;
    router = TestBed.inject(Router);
  });

  it('sends the browser to sign-in once, with the current page as returnTo, when concurrent calls fail UNAUTHORIZED', async () => {
    const { trpc, fetch } = client(unauthorized('session_expired'));

    const results = await Promise.allSettled([trpc.me.query(), trpc.chat.history.query({ limit: 5 }), trpc.analytics.query()]);

    expect(fetch).toHaveBeenCalledTimes(1);
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    // An expired session is renewed silently first (prompt=none): the IdP may still know the user.
    expect(location.assigned).toEqual([`${loginUrlFor(`${FRONT_ORIGIN}/chat?room=general`)}&prompt=none`]);
    expect(Number(sessionStorage.getItem(LOGIN_ATTEMPT_KEY))).toBeGreaterThan(0);
  });

  it('navigates only once, and never to the session problem, for failures arriving after sign-in has started', async () => {
    const navigate = vi.spyOn(router, 'navigateByUrl');
    const { trpc, fetch } = client(unauthorized('no_session'));

    await trpc.me.query().catch(() => undefined);
    await trpc.chat.history.query().catch(() => undefined);

    expect(fetch).toHaveBeenCalledTimes(2);
    expect(location.assigned).toHaveLength(1);
    expect(navigate).not.toHaveBeenCalled();
  });

  it('still rejects the call, with the code and reason from the API', async () => {
    const { trpc } = client(unauthorized('no_session'));

    const error: unknown = await trpc.me.query().catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<never>).data).toMatchObject({ code: 'UNAUTHORIZED', reason: 'no_session' });
  });

  it.each<AuthFailureReason>(['no_session', 'invalid_session'])(
    'shows the session problem instead of signing in again when %s follows a sign-in moments ago',
    async (reason) => {
      sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now() - 5_000));
      const navigate = vi.spyOn(router, 'navigateByUrl');
      const { trpc } = client(unauthorized(reason));

      await Promise.allSettled([trpc.me.query(), trpc.chat.history.query()]);

      expect(location.assigned).toEqual([]);
      expect(navigate).toHaveBeenCalledTimes(1);
      const target = router.serializeUrl(navigate.mock.calls[0]?.[0] as never);
      expect(target.startsWith('/session-problem?')).toBe(true);
      expect(new URLSearchParams(target.split('?')[1]).get('reason')).toBe(reason);
    },
  );

  it('signs in again when the last attempt is older than the loop window', async () => {
    sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now() - 10 * 60_000));
    const { trpc } = client(unauthorized('no_session'));

    await trpc.me.query().catch(() => undefined);

    expect(location.assigned).toHaveLength(1);
  });

  it.each([
    ['FORBIDDEN', (path: string) => ({ status: 403, body: errorEnvelope('FORBIDDEN', path, 'forbidden') })],
    ['BAD_REQUEST', (path: string) => ({ status: 400, body: errorEnvelope('BAD_REQUEST', path) })],
    ['INTERNAL_SERVER_ERROR', (path: string) => ({ status: 500, body: errorEnvelope('INTERNAL_SERVER_ERROR', path) })],
    ['TOO_MANY_REQUESTS', failure('TOO_MANY_REQUESTS', 'rate_limited', { 'retry-after': '5' })],
    ['SERVICE_UNAVAILABLE (identity provider down)', failure('SERVICE_UNAVAILABLE', 'idp_unavailable')],
    ['SERVICE_UNAVAILABLE (session store down)', failure('SERVICE_UNAVAILABLE', 'session_store_unavailable')],
    ['SERVICE_UNAVAILABLE (directory down)', failure('SERVICE_UNAVAILABLE', 'directory_unavailable')],
  ])('does nothing for %s', async (_code, answer: Answer) => {
    const navigate = vi.spyOn(router, 'navigateByUrl');
    const { trpc } = client(answer);

    await expect(trpc.analytics.query()).rejects.toBeInstanceOf(TRPCClientError);

    expect(location.assigned).toEqual([]);
    expect(navigate).not.toHaveBeenCalled();
  });

  it('does nothing when the API cannot be reached', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    const flow = TestBed.inject(LoginFlow);
    const trpc = createTrpcClient<ExampleRouter>({ apiUrl: API_URL, fetch, links: [autoLoginLink(flow)] });

    await expect(trpc.me.query()).rejects.toBeInstanceOf(TRPCClientError);

    expect(location.assigned).toEqual([]);
  });

  it('leaves calls marked autoLogin: false to their caller', async () => {
    const { trpc } = client(unauthorized('no_session'));

    await trpc.me.query(undefined, { context: { autoLogin: false } }).catch(() => undefined);

    expect(location.assigned).toEqual([]);
  });

  describe('step-up (insufficient_user_authentication)', () => {
    const stepUp: Answer = (path) => {
      const envelope = errorEnvelope('UNAUTHORIZED', path, 'insufficient_user_authentication');
      return { status: 401, body: { error: { ...envelope.error, data: { ...envelope.error.data, acr_values: 'urn:bff:loa:mfa', max_age: 300 } } } };
    };

    it('signs in again with acr_values and max_age, back to this page', async () => {
      const { trpc } = client(stepUp);
      await trpc.chat.history.query().catch(() => undefined);
      const target = new URL(location.assigned[0] ?? '');
      expect(target.href.startsWith(loginUrlFor(`${FRONT_ORIGIN}/chat?room=general`))).toBe(true);
      expect(target.searchParams.get('acr_values')).toBe('urn:bff:loa:mfa');
      expect(target.searchParams.get('max_age')).toBe('300');
    });

    it('shows the session problem instead of a second step-up for the same requirement in a short while (no loop)', async () => {
      sessionStorage.setItem(STEP_UP_ATTEMPT_KEY, `${Date.now() - 1000}&acr_values=urn%3Abff%3Aloa%3Amfa&max_age=300`);
      const navigate = vi.spyOn(router, 'navigateByUrl');
      const { trpc } = client(stepUp);
      await trpc.chat.history.query().catch(() => undefined);
      await trpc.chat.history.query().catch(() => undefined);
      expect(location.assigned).toEqual([]);
      expect(navigate).toHaveBeenCalledTimes(1);
      expect(String(navigate.mock.calls[0]?.[0])).toContain('reason=insufficient_user_authentication');
    });

    it('steps up again for another requirement, or for the same one after a while', async () => {
      sessionStorage.setItem(STEP_UP_ATTEMPT_KEY, `${Date.now() - 1000}&max_age=300`);
      const { trpc } = client(stepUp);
      await trpc.chat.history.query().catch(() => undefined);
      expect(location.assigned).toHaveLength(1);
    });
  });
});
