import { provideLocationMocks } from '@angular/common/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { FakeWindowLocation, TESTING_FRONT_ORIGIN as FRONT_ORIGIN } from '../auth/fake-window-location.js';
import { provideBffTesting } from '../provide-bff-testing.js';
import { loginUrlFor } from './fake-bff-api.js';
import { injectRemoteApi, RemoteApiError } from './remote-api.js';

describe('injectRemoteApi', () => {
  afterEach(() => vi.unstubAllGlobals());

  it("answers a downstream API's step-up challenge by signing in again with its acr_values and max_age", async () => {
    sessionStorage.clear();
    TestBed.configureTestingModule({ providers: [provideRouter([]), provideLocationMocks(), provideBffTesting()] });
    const location = TestBed.inject(FakeWindowLocation);
    location.href = `${FRONT_ORIGIN}/reports`;
    const body = {
      error: 'insufficient_user_authentication',
      message: 'A stronger sign-in is required.',
      api: 'reports',
      acr_values: 'urn:bff:loa:mfa',
      max_age: 60,
    };
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify(body), { status: 401, headers: { 'content-type': 'application/json' } })),
    );
    const reports = TestBed.runInInjectionContext(() => injectRemoteApi('reports'));

    const error = await reports.get('/exports').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RemoteApiError);
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401, reason: 'insufficient_user_authentication', api: 'reports' });
    expect(location.assigned).toEqual([`${loginUrlFor(`${FRONT_ORIGIN}/reports`)}&acr_values=urn%3Abff%3Aloa%3Amfa&max_age=60`]);
  });
});
