import { provideLocationMocks } from '@angular/common/testing';
import { ApplicationInitStatus, Component, type EnvironmentProviders } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import type { TRPCLink } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';
import { failure, fakeFetch, meFor, ok, proceduresPerRequest, type Answer, type FakeFetch } from './api/fake-bff-api.js';
import { injectTrpc } from './api/trpc-client.js';
import { Auth } from './auth/auth.js';
import { roleGuard, sessionGuard } from './auth/auth-guard.js';
import { FakeSessionChannel } from './auth/fake-session-channel.js';
import { FakeWindowLocation, TESTING_FRONT_ORIGIN } from './auth/fake-window-location.js';
import { LOGIN_ATTEMPT_KEY } from './auth/login-flow.js';
import { SESSION_CHANNEL } from './auth/session-channel.js';
import { WindowLocation } from './auth/window-location.js';
import type { BffRoutes } from './bff-routes.js';
import { BffConfigError } from './config/bff-config.js';
import { provideBff, withTrpcLinks, type BffApi, type BffFeature } from './provide-bff.js';
import type { ExampleRouter } from './spec/example-router.js';

@Component({ template: 'page' })
class Page {}

const ROUTES: BffRoutes = { home: '/start', forbidden: '/errors/forbidden', sessionProblem: '/errors/session' };
const ALICE = meFor({ sub: 'alice', name: 'Alice Analyst', email: null, groups: [], roles: ['analyst'] });

describe('provideBff', () => {
  let location: FakeWindowLocation;
  let channel: FakeSessionChannel;
  let api: FakeFetch;
  let configRequests: string[];

  /**
   * provideBff as an app gives it, with the browser's edges faked: the address bar, the other
   * tabs, and the network (`answer` plays the BFF; `config` the config.json beside index.html).
   */
  function setUp(bff: EnvironmentProviders, answer: Answer, config?: Response): void {
    api = fakeFetch(answer);
    configRequests = [];
    vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
      if (!String(input).endsWith('/config.json')) return api(input, init);
      configRequests.push(String(input));
      return config ?? new Response(null, { status: 404 });
    });
    TestBed.configureTestingModule({
      providers: [
        provideRouter([
          { path: 'chat', component: Page, canActivate: [sessionGuard] },
          { path: 'analytics', component: Page, canActivate: [roleGuard('analyst')] },
          { path: '**', component: Page },
        ]),
        provideLocationMocks(),
        bff,
        { provide: WindowLocation, useValue: location },
        { provide: SESSION_CHANNEL, useValue: channel },
      ],
    });
  }

  function started(): Promise<unknown> {
    return TestBed.inject(ApplicationInitStatus).donePromise;
  }

  function provide(where: BffApi, ...features: BffFeature[]): EnvironmentProviders {
    return provideBff<ExampleRouter>(where, { routes: ROUTES }, ...features);
  }

  beforeEach(() => {
    sessionStorage.clear();
    location = new FakeWindowLocation();
    channel = new FakeSessionChannel();
  });

  afterEach(() => vi.unstubAllGlobals());

  it('loads the session at start-up from the apiUrl, without holding the start up', async () => {
    setUp(provide({ apiUrl: 'https://api.example.test/' }), ok({ me: ALICE }));

    await started();
    const auth = TestBed.inject(Auth);
    expect(auth.status()).toBe('unknown');

    await vi.waitFor(() => expect(auth.status()).toBe('signed-in'));
    expect(proceduresPerRequest(api)).toEqual([['me']]);
    expect(api.requests[0]?.url.href.startsWith('https://api.example.test/api/trpc/me?')).toBe(true);
    expect(configRequests).toEqual([]);
  });

  it('gives the app its client typed to its router, with the same links', async () => {
    setUp(provide({ apiUrl: 'https://api.example.test' }), failure('UNAUTHORIZED', 'no_session'));
    await started();

    const trpc = TestBed.runInInjectionContext(() => injectTrpc<ExampleRouter>());
    await trpc.analytics.query().catch(() => undefined);

    // The start-up probe of me leaves sign-in alone; the app's call that finds no session leads to it.
    await vi.waitFor(() => expect(location.assigned).toHaveLength(1));
    expect(location.assigned[0]?.startsWith('https://api.example.test/api/login?returnTo=')).toBe(true);
  });

  it('forgets the last sign-in attempt when the page came back from one with ?auth_error=', async () => {
    sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now()));
    location.href = `${TESTING_FRONT_ORIGIN}/?auth_error=state_mismatch`;
    setUp(provide({ apiUrl: 'https://api.example.test' }), failure('UNAUTHORIZED', 'no_session'));

    await started();

    expect(sessionStorage.getItem(LOGIN_ATTEMPT_KEY)).toBeNull();
  });

  it('signs in interactively, back to the same page, when a silent sign-in came back with login_required', async () => {
    location.href = `${TESTING_FRONT_ORIGIN}/chat?room=1&auth_error=login_required`;
    setUp(provide({ apiUrl: 'https://api.example.test' }), failure('UNAUTHORIZED', 'no_session'));

    await started();

    expect(location.assigned).toEqual([`https://api.example.test/api/login?returnTo=${encodeURIComponent(`${TESTING_FRONT_ORIGIN}/chat?room=1`)}`]);
    expect(sessionStorage.getItem(LOGIN_ATTEMPT_KEY)).not.toBeNull();
  });

  it('keeps the last sign-in attempt otherwise, so that a loop is still caught', async () => {
    sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now()));
    setUp(provide({ apiUrl: 'https://api.example.test' }), failure('UNAUTHORIZED', 'no_session'));

    await started();
    await vi.waitFor(() => expect(TestBed.inject(Auth).status()).toBe('signed-out'));

    expect(sessionStorage.getItem(LOGIN_ATTEMPT_KEY)).not.toBeNull();
  });

  describe('with a configUrl', () => {
    it('reads config.json (relative to the base URI) before the session, and talks to its apiUrl', async () => {
      const config = Response.json({ apiUrl: 'https://bff.example.test/' });
      setUp(provide({ configUrl: 'config.json' }), ok({ me: ALICE }), config);

      await started();

      expect(configRequests).toEqual([new URL('config.json', document.baseURI).href]);
      await vi.waitFor(() => expect(TestBed.inject(Auth).status()).toBe('signed-in'));
      expect(api.requests[0]?.url.origin).toBe('https://bff.example.test');
    });

    it('does not start, with a BffConfigError saying why, when config.json is invalid', async () => {
      setUp(provide({ configUrl: 'config.json' }), ok({ me: ALICE }), Response.json({ apiUrl: 'ftp://bff.example.test' }));

      const error: unknown = await started().catch((e: unknown) => e);

      expect(error).toBeInstanceOf(BffConfigError);
      expect((error as BffConfigError).code).toBe('ERR_BFF_CONFIG');
      expect(api.requests).toEqual([]);
    });
  });

  it('refuses an apiUrl or a route it could not use, when the providers are made', () => {
    expect(() => provideBff({ apiUrl: '/api' }, { routes: ROUTES })).toThrow(BffConfigError);
    expect(() => provideBff({ apiUrl: 'https://api.example.test' }, { routes: { ...ROUTES, forbidden: 'forbidden' } })).toThrow(BffConfigError);
  });

  describe('routes', () => {
    async function navigate(url: string): Promise<string> {
      const harness = await RouterTestingHarness.create();
      await harness.navigateByUrl(url).catch(() => undefined);
      return TestBed.inject(Router).url;
    }

    it('sends a user without the role to the app’s forbidden page', async () => {
      setUp(provide({ apiUrl: 'https://api.example.test' }), ok({ me: meFor({ ...ALICE.user, roles: [] }) }));
      await started();
      expect(await navigate('/analytics')).toBe('/errors/forbidden?role=analyst');
    });

    it('shows the app’s session-problem page for a sign-in loop', async () => {
      sessionStorage.setItem(LOGIN_ATTEMPT_KEY, String(Date.now() - 3_000));
      setUp(provide({ apiUrl: 'https://api.example.test' }), failure('UNAUTHORIZED', 'no_session'));
      await started();

      const url = await navigate('/chat');

      expect(url.startsWith('/errors/session?')).toBe(true);
      expect(location.assigned).toEqual([]);
    });

    it('shows the app’s home page when another tab signs out', async () => {
      setUp(provide({ apiUrl: 'https://api.example.test' }), ok({ me: ALICE }));
      await started();
      await vi.waitFor(() => expect(TestBed.inject(Auth).status()).toBe('signed-in'));
      await navigate('/chat');

      channel.receive({ type: 'signed-out' });

      await vi.waitFor(() => expect(TestBed.inject(Router).url).toBe('/start'));
    });
  });

  describe('withTrpcLinks', () => {
    it('puts the app’s links on every call, after the BFF’s', async () => {
      const seen: string[] = [];
      const recordPath: TRPCLink<AnyTRPCRouter> =
        () =>
        ({ op, next }) => {
          seen.push(op.path);
          return next(op);
        };
      setUp(
        provide(
          { apiUrl: 'https://api.example.test' },
          withTrpcLinks(() => [recordPath]),
        ),
        failure('SERVICE_UNAVAILABLE', 'idp_unavailable'),
      );

      await started();
      await vi.waitFor(() => expect(TestBed.inject(Auth).status()).toBe('unavailable'));

      expect(seen).toEqual(['me']);
    });
  });
});
