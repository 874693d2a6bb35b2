import { inject, makeEnvironmentProviders, type EnvironmentProviders, type Provider } from '@angular/core';
import { TESTING_API_URL } from './api/fake-bff-api.js';
import { FakeBffClient } from './api/fake-bff-client.js';
import { BFF_TRPC_CLIENT, createTrpcClient, type BffClient } from './api/trpc-client.js';
import { FakeSessionChannel } from './auth/fake-session-channel.js';
import { FakeWindowLocation } from './auth/fake-window-location.js';
import { SESSION_CHANNEL } from './auth/session-channel.js';
import { WindowLocation } from './auth/window-location.js';
import type { BffRoutes } from './bff-routes.js';
import { BFF_CONFIG } from './config/bff-config.js';
import { bffLinks, bffServiceProviders } from './provide-bff.js';

/** The routes specs run with unless they give their app's: the usual paths of those pages. */
export const TESTING_ROUTES: BffRoutes = { home: '/', forbidden: '/forbidden', sessionProblem: '/session-problem' };

export interface BffTestingOptions {
  /**
   * The tRPC client the code under test gets: a fake of the procedures it calls (`me`
   * included), e.g. an object of mocks. Default: a {@link FakeBffClient}.
   */
  readonly client?: BffClient;
  /**
   * Instead of `client`: the real client, with `provideBff`'s links, over this `fetch` (a
   * fake API, see `fakeFetch`) and `EventSource` (see `fakeEventSources`).
   */
  readonly fetch?: typeof fetch;
  readonly EventSource?: typeof EventSource;
  /** Default {@link TESTING_API_URL}. */
  readonly apiUrl?: string;
  /** Default {@link TESTING_ROUTES}. */
  readonly routes?: BffRoutes;
}

/**
 * What `provideBff` provides, for specs (as `provideHttpClientTesting` for `HttpClient`):
 * the real `Auth`, `LoginFlow`, `ServiceStatus` and guards, with fakes at the edges that
 * `TestBed.inject` hands to the spec: `FakeWindowLocation` (navigations out of the app),
 * `FakeSessionChannel` (the other tabs), and `FakeBffClient` (the `me` the API answers)
 * unless the spec gives its own `client` or a `fetch` for the real one. No initializer runs:
 * a spec calls `Auth.load()` when it wants the session.
 *
 * @example
 * TestBed.configureTestingModule({ providers: [provideRouter([]), provideBffTesting()] });
 * TestBed.inject(FakeBffClient).signIn(meFor(user));
 * await TestBed.inject(Auth).load();
 */
export function provideBffTesting(options: BffTestingOptions = {}): EnvironmentProviders {
  if (options.client && options.fetch) throw new Error('provideBffTesting takes a client (a fake) or a fetch (the real client over a fake API), not both.');
  return makeEnvironmentProviders([
    bffServiceProviders(options.routes ?? TESTING_ROUTES),
    { provide: BFF_CONFIG, useValue: { apiUrl: options.apiUrl ?? TESTING_API_URL } },
    { provide: FakeWindowLocation, useFactory: () => new FakeWindowLocation() },
    { provide: WindowLocation, useExisting: FakeWindowLocation },
    { provide: FakeSessionChannel, useFactory: () => new FakeSessionChannel() },
    { provide: SESSION_CHANNEL, useExisting: FakeSessionChannel },
    clientProviders(options),
  ]);
}

function clientProviders({ client, fetch, EventSource }: BffTestingOptions): Provider[] {
  if (client) return [{ provide: BFF_TRPC_CLIENT, useValue: client }];
  if (fetch) {
    return [
      {
        provide: BFF_TRPC_CLIENT,
        useFactory: () => createTrpcClient({ apiUrl: inject(BFF_CONFIG).apiUrl, fetch, links: bffLinks(), ...(EventSource ? { EventSource } : {}) }),
      },
    ];
  }
  return [
    { provide: FakeBffClient, useFactory: () => new FakeBffClient() },
    { provide: BFF_TRPC_CLIENT, useExisting: FakeBffClient },
  ];
}
