import { provideLocationMocks } from '@angular/common/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { routes } from '../app.routes';
import { Auth } from '@oidc-bff/angular';
import {
  FakeWindowLocation,
  TESTING_FRONT_ORIGIN as FRONT_ORIGIN,
  failure,
  fakeEventSources,
  fakeFetch,
  loginUrlFor,
  ok,
  proceduresPerRequest,
  provideBffTesting,
  type Answer,
} from '@oidc-bff/angular/testing';
import { message } from '../../testing/fake-api';
import { ALICE } from '../../testing/users';

const HISTORY = [message('1893488400000-0', { sub: 'bob', name: 'Bob Builder' }, 'Hi Alice')];

describe('Opening /chat with the real client and routes', () => {
  let fetch: ReturnType<typeof fakeFetch>;
  let streams: ReturnType<typeof fakeEventSources>;
  let location: FakeWindowLocation;

  function setUp(answer: Answer): void {
    sessionStorage.clear();
    streams = fakeEventSources();
    fetch = fakeFetch(answer);
    TestBed.configureTestingModule({
      providers: [provideRouter(routes), provideLocationMocks(), provideBffTesting({ fetch, EventSource: streams.EventSource })],
    });
    location = TestBed.inject(FakeWindowLocation);
    location.href = `${FRONT_ORIGIN}/chat`;
  }

  it('asks me and chat.history in one request on a first visit, and chat.history only once', async () => {
    setUp(ok({ me: ALICE, 'chat.history': HISTORY }));
    const harness = await RouterTestingHarness.create();

    // As at start-up: the app initializer asks me, and the first navigation starts in the same tick.
    void TestBed.inject(Auth).load();
    await harness.navigateByUrl('/chat');
    await vi.waitFor(() => expect(streams.opened).toHaveLength(1));
    await harness.fixture.whenStable();

    expect(proceduresPerRequest(fetch)).toEqual([['me', 'chat.history']]);
    expect((harness.routeNativeElement as HTMLElement).querySelectorAll('[data-testid=chat-message]')).toHaveLength(1);
  });

  it('asks chat.history once when coming from another page, while the page loads', async () => {
    setUp(ok({ me: ALICE, 'chat.history': HISTORY }));
    const harness = await RouterTestingHarness.create();
    await TestBed.inject(Auth).load();

    await harness.navigateByUrl('/chat');
    await vi.waitFor(() => expect(streams.opened).toHaveLength(1));

    expect(proceduresPerRequest(fetch)).toEqual([['me'], ['chat.history']]);
  });

  it('signs in once, coming back to /chat, when a first visit finds no session', async () => {
    setUp(failure('UNAUTHORIZED', 'no_session'));
    const harness = await RouterTestingHarness.create();

    void TestBed.inject(Auth).load();
    await harness.navigateByUrl('/chat').catch(() => undefined);
    await vi.waitFor(() => expect(location.assigned).toHaveLength(1));

    expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/chat`)]);
    expect(proceduresPerRequest(fetch)).toEqual([['me', 'chat.history']]);
    expect(streams.opened).toEqual([]);
  });
});
