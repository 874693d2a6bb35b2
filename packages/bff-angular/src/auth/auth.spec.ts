import { provideLocationMocks } from '@angular/common/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import type { MeOutput } from '@oidc-bff/protocol';
import type { Mock } from 'vitest';
import { loginUrlFor, meFor, networkError, trpcError } from '../api/fake-bff-api.js';
import { ServiceStatus } from '../api/service-status.js';
import { provideBffTesting } from '../provide-bff-testing.js';
import { Auth } from './auth.js';
import { FakeSessionChannel } from './fake-session-channel.js';
import { FakeWindowLocation, TESTING_FRONT_ORIGIN as FRONT_ORIGIN } from './fake-window-location.js';
import { LOGIN_ATTEMPT_KEY } from './login-flow.js';

const ALICE = meFor({ sub: 'alice', name: 'Alice Analyst', email: 'alice@example.test', groups: ['analysts'], roles: ['analyst'] });

@Component({ template: '' })
class Blank {}

describe('Auth', () => {
  let trpc: { readonly me: { readonly query: Mock<(input?: undefined, options?: unknown) => Promise<MeOutput>> } };
  let location: FakeWindowLocation;
  let channel: FakeSessionChannel;

  beforeEach(() => {
    sessionStorage.clear();
    trpc = { me: { query: vi.fn(() => Promise.reject(new Error('unexpected call to me'))) } };
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: '**', component: Blank }]), provideLocationMocks(), provideBffTesting({ client: trpc })],
    });
    location = TestBed.inject(FakeWindowLocation);
    channel = TestBed.inject(FakeSessionChannel);
  });

  it('starts unknown and becomes signed-in with the user and session from me', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const auth = TestBed.inject(Auth);
    expect(auth.status()).toBe('unknown');
    expect(auth.user()).toBeNull();

    await expect(auth.load()).resolves.toBe('signed-in');

    expect(auth.status()).toBe('signed-in');
    expect(auth.user()).toEqual(ALICE.user);
    expect(auth.me()?.session.expiresAt).toBe(ALICE.session.expiresAt);
    expect(auth.hasRole('analyst')).toBe(true);
    expect(auth.hasRole('analysts')).toBe(false);
    expect(auth.hasRole('admin')).toBe(false);
  });

  it('probes me without automatic sign-in, so that a signed-out visitor can see the landing page', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    await TestBed.inject(Auth).load();
    expect(trpc.me.query).toHaveBeenCalledWith(undefined, { context: { autoLogin: false } });
  });

  it('forgets the sign-in attempt once me succeeds', async () => {
    sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now()));
    trpc.me.query.mockResolvedValue(ALICE);
    await TestBed.inject(Auth).load();
    expect(sessionStorage.getItem(LOGIN_ATTEMPT_KEY)).toBeNull();
  });

  it('becomes signed-out, keeping the reason, when me answers UNAUTHORIZED', async () => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'session_expired'));
    const auth = TestBed.inject(Auth);

    await expect(auth.load()).resolves.toBe('signed-out');

    expect(auth.user()).toBeNull();
    expect(auth.signedOutReason()).toBe('session_expired');
  });

  it('becomes unavailable when the API cannot be reached, and recovers on refresh', async () => {
    trpc.me.query.mockRejectedValueOnce(networkError()).mockResolvedValueOnce(ALICE);
    const auth = TestBed.inject(Auth);

    await expect(auth.load()).resolves.toBe('unavailable');
    await expect(auth.refresh()).resolves.toBe('signed-in');
  });

  it('is unavailable, never signed out, when me answers SERVICE_UNAVAILABLE or TOO_MANY_REQUESTS', async () => {
    trpc.me.query
      .mockRejectedValueOnce(trpcError('SERVICE_UNAVAILABLE', 'idp_unavailable'))
      .mockRejectedValueOnce(trpcError('TOO_MANY_REQUESTS', 'rate_limited'));
    const auth = TestBed.inject(Auth);

    await expect(auth.load()).resolves.toBe('unavailable');
    await expect(auth.refresh()).resolves.toBe('unavailable');

    expect(auth.signedOutReason()).toBeUndefined();
    expect(location.assigned).toEqual([]);
  });

  describe('while the API is unavailable', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('is unavailable but keeps the user, asks me again at each retry, and is signed in again when the API answers', async () => {
      trpc.me.query.mockResolvedValueOnce(ALICE).mockRejectedValueOnce(trpcError('SERVICE_UNAVAILABLE', 'session_store_unavailable')).mockResolvedValue(ALICE);
      const auth = TestBed.inject(Auth);
      const status = TestBed.inject(ServiceStatus);
      const router = TestBed.inject(Router);
      await auth.load();
      const navigate = vi.spyOn(router, 'navigateByUrl');

      status.reportUnavailable();
      expect(auth.status()).toBe('unavailable');
      expect(auth.user()).toEqual(ALICE.user);

      await vi.advanceTimersByTimeAsync(1000);
      expect(trpc.me.query).toHaveBeenCalledTimes(2);
      expect(trpc.me.query).toHaveBeenLastCalledWith(undefined, { context: { autoLogin: false } });
      expect(auth.user()).toEqual(ALICE.user);

      // The retry failed too (the link reports it), so the next one comes 2 s later.
      status.reportUnavailable();
      await vi.advanceTimersByTimeAsync(2000);
      expect(trpc.me.query).toHaveBeenCalledTimes(3);
      status.reportAnswered();

      expect(auth.status()).toBe('signed-in');
      expect(navigate).not.toHaveBeenCalled();
      expect(location.assigned).toEqual([]);
    });

    it('asks me again when a rate limit ends only if the status was in doubt', async () => {
      trpc.me.query.mockRejectedValueOnce(trpcError('TOO_MANY_REQUESTS', 'rate_limited')).mockResolvedValue(ALICE);
      const auth = TestBed.inject(Auth);
      const status = TestBed.inject(ServiceStatus);
      await auth.load();
      status.reportRateLimited(5);

      await vi.advanceTimersByTimeAsync(5000);
      expect(auth.status()).toBe('signed-in');

      status.reportRateLimited(5);
      await vi.advanceTimersByTimeAsync(5000);
      expect(trpc.me.query).toHaveBeenCalledTimes(2);
    });
  });

  it('shares one request between concurrent loads', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const auth = TestBed.inject(Auth);

    await Promise.all([auth.load(), auth.load(), auth.load()]);
    await auth.load();

    expect(trpc.me.query).toHaveBeenCalledTimes(1);
  });

  it('logs out by navigating to the logout URL from me', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const auth = TestBed.inject(Auth);
    await auth.load();

    auth.logout();

    expect(location.assigned).toEqual([ALICE.logoutUrl]);
  });

  it('tells the other tabs, then leaves for the logout URL', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const auth = TestBed.inject(Auth);
    await auth.load();
    const postedBeforeLeaving = vi.spyOn(location, 'assign').mockImplementation(() => expect(channel.posted).toEqual([{ type: 'signed-out' }]));

    auth.logout();

    expect(postedBeforeLeaving).toHaveBeenCalledExactlyOnceWith(ALICE.logoutUrl);
  });

  it('tells nobody anything when asked to log out without a session', async () => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));
    const auth = TestBed.inject(Auth);
    await auth.load();

    auth.logout();

    expect(channel.posted).toEqual([]);
    expect(location.assigned).toEqual([]);
  });

  it('becomes signed-out and shows the home page when another tab signs out, without asking the API', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const auth = TestBed.inject(Auth);
    const router = TestBed.inject(Router);
    await auth.load();
    await router.navigateByUrl('/chat');

    channel.receive({ type: 'signed-out' });

    expect(auth.status()).toBe('signed-out');
    expect(auth.user()).toBeNull();
    await vi.waitFor(() => expect(router.url).toBe('/'));
    expect(trpc.me.query).toHaveBeenCalledTimes(1);
    expect(location.assigned).toEqual([]);
  });

  it('stops listening to the other tabs when the application is destroyed', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const auth = TestBed.inject(Auth);
    await auth.load();

    TestBed.resetTestingModule();
    channel.receive({ type: 'signed-out' });

    expect(auth.status()).toBe('signed-in');
  });

  describe('recheck', () => {
    it('shows the signed-out home page, without signing in, when the session has ended', async () => {
      trpc.me.query.mockResolvedValueOnce(ALICE).mockRejectedValueOnce(trpcError('UNAUTHORIZED', 'no_session'));
      const auth = TestBed.inject(Auth);
      const router = TestBed.inject(Router);
      await auth.load();
      await router.navigateByUrl('/chat');

      const checking = auth.recheck();
      expect(auth.status()).toBe('signed-in');
      await expect(checking).resolves.toBe('signed-out');

      expect(auth.signedOutReason()).toBe('no_session');
      await vi.waitFor(() => expect(router.url).toBe('/'));
      expect(trpc.me.query).toHaveBeenLastCalledWith(undefined, { context: { autoLogin: false } });
      expect(location.assigned).toEqual([]);
    });

    it('stays on the page when the session is still valid', async () => {
      trpc.me.query.mockResolvedValue(ALICE);
      const auth = TestBed.inject(Auth);
      const router = TestBed.inject(Router);
      await auth.load();
      await router.navigateByUrl('/chat');

      await expect(auth.recheck()).resolves.toBe('signed-in');

      expect(router.url).toBe('/chat');
      expect(trpc.me.query).toHaveBeenCalledTimes(2);
    });
  });

  it('logs in by navigating to the API, coming back to the current page by default', () => {
    location.href = `${FRONT_ORIGIN}/profile`;
    const auth = TestBed.inject(Auth);

    auth.login();
    auth.login(`${FRONT_ORIGIN}/chat`);

    expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/profile`), loginUrlFor(`${FRONT_ORIGIN}/chat`)]);
  });
});
