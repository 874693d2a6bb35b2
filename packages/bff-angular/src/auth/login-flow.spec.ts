import { provideLocationMocks } from '@angular/common/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { loginUrlFor } from '../api/fake-bff-api.js';
import { provideBffTesting } from '../provide-bff-testing.js';
import { FakeWindowLocation, TESTING_FRONT_ORIGIN as FRONT_ORIGIN } from './fake-window-location.js';
import { LOGIN_ATTEMPT_KEY, LOGIN_LOOP_WINDOW_MS, LoginFlow, SESSION_STORAGE } from './login-flow.js';

describe('LoginFlow', () => {
  let location: FakeWindowLocation;

  function setUp(storage?: Storage | null): LoginFlow {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideLocationMocks(),
        provideBffTesting(),
        ...(storage === undefined ? [] : [{ provide: SESSION_STORAGE, useValue: storage }]),
      ],
    });
    location = TestBed.inject(FakeWindowLocation);
    return TestBed.inject(LoginFlow);
  }

  beforeEach(() => sessionStorage.clear());

  it('records the time of each sign-in and treats a recent one as a return from sign-in', () => {
    const flow = setUp();
    expect(flow.returnedFromLogin()).toBe(false);

    flow.login();

    expect(flow.returnedFromLogin()).toBe(true);
    sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now() - LOGIN_LOOP_WINDOW_MS - 1));
    expect(flow.returnedFromLogin()).toBe(false);
  });

  it('starts only one automatic sign-in when several guards ask for one', () => {
    const flow = setUp();
    expect(flow.requireLogin('/chat', 'no_session')).toBe(false);
    expect(flow.requireLogin('/profile', 'no_session')).toBe(false);
    expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/chat`)]);
  });

  it('renews silently (prompt=none) a session that expired or failed to refresh, never one ended on purpose or a first sign-in', () => {
    const flow = setUp();
    flow.signInOrShowSessionProblem('session_expired', { autoLogin: true });
    expect(location.assigned).toEqual([`${loginUrlFor(location.href)}&prompt=none`]);
    for (const reason of ['invalid_session', 'no_session'] as const) {
      sessionStorage.clear();
      TestBed.resetTestingModule();
      const again = setUp();
      again.signInOrShowSessionProblem(reason, { autoLogin: true });
      expect(location.assigned).toEqual([loginUrlFor(location.href)]);
    }
    TestBed.resetTestingModule();
    sessionStorage.clear();
    expect(setUp().requireLogin('/chat', 'refresh_failed')).toBe(false);
    expect(location.assigned).toEqual([`${loginUrlFor(`${FRONT_ORIGIN}/chat`)}&prompt=none`]);
  });

  it('drops auth_error from returnTo, so a good sign-in does not come back to an old error', () => {
    const flow = setUp();
    flow.login(`${FRONT_ORIGIN}/?auth_error=state_mismatch&x=1`);
    expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/?x=1`)]);
  });

  it('assumes a loop when sessionStorage is refused, rather than risk signing in forever', () => {
    const flow = setUp(null);
    expect(flow.returnedFromLogin()).toBe(true);
    expect(flow.requireLogin('/chat', 'no_session')).not.toBe(false);
    expect(location.assigned).toEqual([]);
  });

  it('retries from the session-problem page: forgets the attempt and signs in back to the original page', () => {
    const flow = setUp();
    sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now()));

    flow.retry('/chat?room=1');

    expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/chat?room=1`)]);
  });

  it.each(['//evil.example/x', 'https://evil.example/', '/session-problem?reason=no_session'])(
    'sends a retry with the odd return path %s home instead',
    (path) => {
      setUp().retry(path);
      expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/`)]);
    },
  );
});
