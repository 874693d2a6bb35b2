/**
 * `@oidc-bff/angular/testing`: `provideBffTesting()` and the fakes it puts at the machinery's
 * edges, each written beside what it fakes. Independent of the test runner (no `vi`, no
 * `jasmine`): wrap them in the runner's spies where a spec wants call assertions.
 */
export { provideBffTesting, TESTING_ROUTES, type BffTestingOptions } from './provide-bff-testing.js';
export { FakeBffClient } from './api/fake-bff-client.js';
export {
  TESTING_API_URL,
  errorEnvelope,
  failure,
  fakeFetch,
  loginUrlFor,
  meFor,
  networkError,
  ok,
  proceduresPerRequest,
  trpcError,
  type Answer,
  type BffErrorCode,
  type FakeFetch,
} from './api/fake-bff-api.js';
export { FakeEventSource, fakeEventSources } from './api/fake-event-source.js';
export { FakeSessionChannel } from './auth/fake-session-channel.js';
export { FakeWindowLocation, TESTING_FRONT_ORIGIN } from './auth/fake-window-location.js';
