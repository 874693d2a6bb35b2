import { provideLocationMocks } from '@angular/common/testing';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import type { AppRouter } from '@bff/server/router';
import { Auth, injectTrpc } from '@oidc-bff/angular';
import {
  FakeSessionChannel,
  FakeWindowLocation,
  TESTING_FRONT_ORIGIN as FRONT_ORIGIN,
  failure,
  fakeFetch,
  loginUrlFor,
  ok,
  proceduresPerRequest,
  provideBffTesting,
  trpcError,
  type Answer,
} from '@oidc-bff/angular/testing';
import { createFakeTrpc, type FakeTrpc } from '../testing/fake-api';
import { ALICE, BOB } from '../testing/users';
import { App } from './app';
import { rateLimitMessage } from './messages/rate-limit-message';

describe('App shell', () => {
  let trpc: FakeTrpc;
  let location: FakeWindowLocation;
  let channel: FakeSessionChannel;

  async function render(): Promise<{ fixture: ComponentFixture<App>; el: HTMLElement }> {
    await TestBed.inject(Auth).load();
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  beforeEach(() => {
    trpc = createFakeTrpc();
    TestBed.configureTestingModule({ providers: [provideRouter([]), provideBffTesting({ client: trpc })] });
    location = TestBed.inject(FakeWindowLocation);
    channel = TestBed.inject(FakeSessionChannel);
  });

  it('shows the user, the navigation and a sign-out button when signed in', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const { el } = await render();

    expect(el.querySelector('[data-testid=header-user]')?.textContent).toContain('Alice Analyst');
    expect([...el.querySelectorAll('nav a')].map((a) => a.textContent?.trim())).toEqual(['Home', 'Chat', 'Analytics', 'Reports', 'Profile']);
    (el.querySelector('[data-testid=header-sign-out]') as HTMLButtonElement).click();
    expect(location.assigned).toEqual([ALICE.logoutUrl]);
  });

  it('links Analytics only for users with the analyst role', async () => {
    trpc.me.query.mockResolvedValue(BOB);
    const { el } = await render();

    expect([...el.querySelectorAll('nav a')].map((a) => a.textContent?.trim())).toEqual(['Home', 'Chat', 'Reports', 'Profile']);
  });

  it('shows a sign-in button and no navigation when signed out', async () => {
    trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));
    const { el } = await render();

    expect(el.querySelector('nav')).toBeNull();
    (el.querySelector('[data-testid=header-sign-in]') as HTMLButtonElement).click();
    expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/`)]);
  });

  it('switches to the signed-out header when another tab signs out', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const { fixture, el } = await render();

    channel.receive({ type: 'signed-out' });
    await fixture.whenStable();

    expect(el.querySelector('[data-testid=header-user]')).toBeNull();
    expect(el.querySelector('nav')).toBeNull();
    expect(el.querySelector('[data-testid=header-sign-in]')).not.toBeNull();
    expect(location.assigned).toEqual([]);
  });

  it('tells the other tabs when signing out', async () => {
    trpc.me.query.mockResolvedValue(ALICE);
    const { el } = await render();

    (el.querySelector('[data-testid=header-sign-out]') as HTMLButtonElement).click();

    expect(channel.posted).toEqual([{ type: 'signed-out' }]);
  });
});

/** The shell with the real client and links, over a fake API that can go down and come back. */
describe('App shell when the API is unavailable or busy', () => {
  let location: FakeWindowLocation;
  let answer: Answer;
  let fetch: ReturnType<typeof fakeFetch>;

  async function render(): Promise<{ fixture: ComponentFixture<App>; el: HTMLElement }> {
    await TestBed.inject(Auth).load();
    const fixture = TestBed.createComponent(App);
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  /**
   * Lets `ms` of (fake) time pass, and a moment more for what became due at its end (the
   * client sends a batch on a zero timeout), then renders (whenStable would wait on the
   * fake clock).
   */
  async function wait(fixture: ComponentFixture<App>, ms: number): Promise<void> {
    await vi.advanceTimersByTimeAsync(ms + 5);
    fixture.detectChanges();
  }

  beforeEach(() => {
    sessionStorage.clear();
    answer = ok({ me: ALICE });
    fetch = fakeFetch((path) => answer(path));
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideLocationMocks(), provideBffTesting({ fetch })],
    });
    location = TestBed.inject(FakeWindowLocation);
  });

  function trpc() {
    return TestBed.runInInjectionContext(() => injectTrpc<AppRouter>());
  }

  afterEach(() => vi.useRealTimers());

  it('shows a banner on SERVICE_UNAVAILABLE, retries with backoff, and is signed in again by itself, without sign-in', async () => {
    const { fixture, el } = await render();
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigateByUrl');
    const auth = TestBed.inject(Auth);
    vi.useFakeTimers();
    const down = failure('SERVICE_UNAVAILABLE', 'session_store_unavailable');
    const askedAt: number[] = [];
    answer = (path) => {
      askedAt.push(Date.now());
      return down(path);
    };

    void trpc()
      .analytics.query()
      .catch(() => undefined);
    await wait(fixture, 0);

    expect(el.querySelector('[data-testid=service-unavailable]')?.textContent).toContain('retrying');
    expect(auth.status()).toBe('unavailable');
    expect(el.querySelector('nav')).not.toBeNull();
    expect(el.querySelector('[data-testid=header-user]')?.textContent).toContain('Alice Analyst');

    await wait(fixture, 1000 + 2000 + 4000 + 8000 + 15_000 + 15_000 + 500);
    expect(proceduresPerRequest(fetch).slice(1)).toEqual([['analytics'], ['me'], ['me'], ['me'], ['me'], ['me'], ['me']]);
    const waits = askedAt.slice(1).map((at, i) => at - (askedAt[i] ?? 0));
    // Each retry (of me, the session check) waits as long as it should, give or take the client's batching tick.
    expect(waits.map((ms) => Math.round(ms / 100) * 100)).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000]);
    expect(el.querySelector('[data-testid=service-unavailable]')).not.toBeNull();

    answer = ok({ me: ALICE });
    await wait(fixture, 15_000);

    expect(auth.status()).toBe('signed-in');
    expect(el.querySelector('[data-testid=service-unavailable]')).toBeNull();
    expect(el.querySelector('[data-testid=header-user]')?.textContent).toContain('Alice Analyst');
    expect(location.assigned).toEqual([]);
    expect(navigate).not.toHaveBeenCalled();
  });

  it('never sends the browser to sign in when the session check itself meets SERVICE_UNAVAILABLE', async () => {
    vi.useFakeTimers();
    answer = failure('SERVICE_UNAVAILABLE', 'idp_unavailable');
    const loading = TestBed.inject(Auth).load();
    await vi.advanceTimersByTimeAsync(5);
    await expect(loading).resolves.toBe('unavailable');
    const fixture = TestBed.createComponent(App);
    fixture.detectChanges();
    const el = fixture.nativeElement as HTMLElement;

    expect(TestBed.inject(Auth).status()).toBe('unavailable');
    expect(el.querySelector('[data-testid=service-unavailable]')).not.toBeNull();

    answer = ok({ me: ALICE });
    await wait(fixture, 1000);

    expect(TestBed.inject(Auth).status()).toBe('signed-in');
    expect(location.assigned).toEqual([]);
  });

  it('says when to try again after TOO_MANY_REQUESTS, then clears by itself', async () => {
    const { fixture, el } = await render();
    vi.useFakeTimers();
    answer = failure('TOO_MANY_REQUESTS', 'rate_limited', { 'retry-after': '20' });

    void trpc()
      .analytics.query()
      .catch(() => undefined);
    await wait(fixture, 0);
    expect(el.querySelector('[data-testid=rate-limited]')?.textContent).toContain(rateLimitMessage(20));

    answer = ok({ me: ALICE });
    await wait(fixture, 20_000);
    expect(el.querySelector('[data-testid=rate-limited]')).toBeNull();
    expect(TestBed.inject(Auth).status()).toBe('signed-in');
  });
});
