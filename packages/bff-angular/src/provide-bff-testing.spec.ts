import { provideLocationMocks } from '@angular/common/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { failure, fakeFetch, loginUrlFor, meFor, networkError, proceduresPerRequest } from './api/fake-bff-api.js';
import { FakeBffClient } from './api/fake-bff-client.js';
import { injectTrpc } from './api/trpc-client.js';
import { Auth } from './auth/auth.js';
import { FakeWindowLocation, TESTING_FRONT_ORIGIN } from './auth/fake-window-location.js';
import { provideBffTesting } from './provide-bff-testing.js';
import type { ExampleRouter } from './spec/example-router.js';

const ADA = meFor({ sub: 'ada', name: 'Ada', email: null, groups: [], roles: ['admin'] });

describe('provideBffTesting', () => {
  beforeEach(() => sessionStorage.clear());

  describe('with its FakeBffClient', () => {
    beforeEach(() => TestBed.configureTestingModule({ providers: [provideRouter([]), provideBffTesting()] }));

    it('starts signed out, and is signed in, out or unavailable as the spec says', async () => {
      const bff = TestBed.inject(FakeBffClient);
      const auth = TestBed.inject(Auth);

      await expect(auth.load()).resolves.toBe('signed-out');
      bff.signIn(ADA);
      await expect(auth.refresh()).resolves.toBe('signed-in');
      expect(auth.hasRole('admin')).toBe(true);
      bff.fail(networkError());
      await expect(auth.refresh()).resolves.toBe('unavailable');
      bff.signOut('session_expired');
      await expect(auth.refresh()).resolves.toBe('signed-out');
      expect(auth.signedOutReason()).toBe('session_expired');

      expect(bff.meCalls).toHaveLength(4);
      expect(bff.meCalls[0]).toEqual([undefined, { context: { autoLogin: false } }]);
    });
  });

  it('gives the real client and links over a fake API when given a fetch', async () => {
    const fetch = fakeFetch(failure('UNAUTHORIZED', 'no_session'));
    TestBed.configureTestingModule({ providers: [provideRouter([]), provideLocationMocks(), provideBffTesting({ fetch })] });
    const location = TestBed.inject(FakeWindowLocation);

    await TestBed.runInInjectionContext(() => injectTrpc<ExampleRouter>())
      .analytics.query()
      .catch(() => undefined);

    expect(proceduresPerRequest(fetch)).toEqual([['analytics']]);
    expect(location.assigned).toEqual([loginUrlFor(`${TESTING_FRONT_ORIGIN}/`)]);
  });

  it('takes a fake client or a fetch, not both', () => {
    expect(() => provideBffTesting({ client: new FakeBffClient(), fetch: fakeFetch(failure('UNAUTHORIZED')) })).toThrow();
  });
});
