import { provideLocationMocks } from '@angular/common/testing';
import { Component } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import {
  FakeWindowLocation,
  TESTING_FRONT_ORIGIN as FRONT_ORIGIN,
  fakeEventSources,
  fakeFetch,
  ok,
  proceduresPerRequest,
  provideBffTesting,
  type FakeEventSource,
} from '@oidc-bff/angular/testing';
import { message } from '../../testing/fake-api';
import { ALICE } from '../../testing/users';
import { settle } from '../../testing/settle';
import { Auth, ServiceStatus } from '@oidc-bff/angular';
import { ChatPage } from './chat-page';

@Component({ template: '' })
class Blank {}

const FROM_ALICE = message('1-0', { sub: 'alice', name: 'Alice Analyst' }, 'Morning all');
const FROM_BOB = message('2-0', { sub: 'bob', name: 'Bob Builder' }, 'Hi Alice');
const FROM_CAROL = message('3-0', { sub: 'carol', name: 'Carol' }, 'Just arrived');

/** What the API sends when the session already holds as many live streams as it may (S26). */
const TOO_MANY_STREAMS = JSON.stringify({
  message: 'Too many live streams are open for this session.',
  code: -32029,
  data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, path: 'chat.onMessage', reason: 'too_many_streams', retryAfterSeconds: 30 },
});

/** The chat page with the real client and links, over a fake API (fetch) and fake event streams: the bounds the API puts on live streams. */
describe('ChatPage and the bounds of live streams', () => {
  let streams: ReturnType<typeof fakeEventSources>;
  let fetch: ReturnType<typeof fakeFetch>;

  async function render(): Promise<{ fixture: ComponentFixture<ChatPage>; el: HTMLElement }> {
    sessionStorage.clear();
    streams = fakeEventSources();
    fetch = fakeFetch(ok({ me: ALICE, 'chat.history': [FROM_ALICE] }));
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: '**', component: Blank }]), provideLocationMocks(), provideBffTesting({ fetch, EventSource: streams.EventSource })],
    });
    TestBed.inject(FakeWindowLocation).href = `${FRONT_ORIGIN}/chat`;
    await TestBed.inject(Auth).load();
    const fixture = TestBed.createComponent(ChatPage);
    await vi.waitFor(() => expect(streams.opened).toHaveLength(1));
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  const liveState = (el: HTMLElement) => el.querySelector('[data-testid=chat-live]')?.getAttribute('data-state');
  const texts = (el: HTMLElement) => [...el.querySelectorAll('[data-testid=chat-message] .text')].map((item) => item.textContent);
  const historyReads = () => proceduresPerRequest(fetch).filter((procedures) => procedures.includes('chat.history')).length;
  const lastEventIdOf = (stream: FakeEventSource | undefined) =>
    (JSON.parse(new URL(stream?.url ?? '').searchParams.get('input') ?? '{}') as { lastEventId?: string }).lastEventId;

  afterEach(() => vi.useRealTimers());

  it('waits out the Retry-After of a stream refused beyond the session’s cap, then opens it once, after the newest message shown', async () => {
    const { el } = await render();
    vi.useFakeTimers();
    // With fake timers, Angular's scheduler runs when time advances: a few milliseconds render what happened.
    const tick = () => vi.advanceTimersByTimeAsync(20);
    const refused = streams.opened[0];
    refused?.emit('connected', '{}');
    refused?.emit('serialized-error', TOO_MANY_STREAMS);
    await tick();

    expect(refused?.closed).toBe(true);
    expect(liveState(el)).toBe('disconnected');
    expect(TestBed.inject(ServiceStatus).problem()).toEqual({ kind: 'rate-limited', retryAfterSeconds: 30 });

    await vi.advanceTimersByTimeAsync(29_000);
    expect(streams.opened).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1_000);
    await tick();
    expect(TestBed.inject(ServiceStatus).problem()).toBeNull();
    expect(streams.opened).toHaveLength(2);
    expect(lastEventIdOf(streams.opened[1])).toBe(FROM_ALICE.id);
    expect(historyReads()).toBe(2);

    // Refused again: again not before the time the API said.
    streams.opened[1]?.emit('serialized-error', TOO_MANY_STREAMS);
    await tick();
    await vi.advanceTimersByTimeAsync(29_000);
    expect(streams.opened).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1_000);
    await tick();
    expect(streams.opened).toHaveLength(3);
  });

  it('takes a stream the API ends at its maximum lifetime (no final event) for a drop: reconnecting, then live again, nobody signed out', async () => {
    const { fixture, el } = await render();
    const stream = streams.opened[0];
    stream?.emit('connected', '{}');
    stream?.emit('message', JSON.stringify(FROM_BOB), FROM_BOB.id);
    await settle(fixture);
    expect(liveState(el)).toBe('live');
    const meCalls = proceduresPerRequest(fetch).filter((procedures) => procedures.includes('me')).length;

    // The response ended without `return`: the browser reconnects the same EventSource with Last-Event-ID.
    stream?.fail();
    await settle(fixture);
    expect(liveState(el)).toBe('connecting');
    expect(stream?.closed).toBe(false);

    stream?.emit('connected', '{}');
    stream?.emit('message', JSON.stringify(FROM_CAROL), FROM_CAROL.id);
    await settle(fixture);
    expect(liveState(el)).toBe('live');
    expect(texts(el)).toEqual(['Morning all', 'Hi Alice', 'Just arrived']);
    expect(streams.opened).toHaveLength(1);
    expect(proceduresPerRequest(fetch).filter((procedures) => procedures.includes('me')).length).toBe(meCalls);
    expect(TestBed.inject(Auth).status()).toBe('signed-in');
  });
});
