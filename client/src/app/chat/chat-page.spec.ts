import { provideLocationMocks } from '@angular/common/testing';
import { Component } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import {
  FakeWindowLocation,
  TESTING_FRONT_ORIGIN as FRONT_ORIGIN,
  errorEnvelope,
  failure,
  fakeEventSources,
  fakeFetch,
  loginUrlFor,
  networkError,
  ok,
  proceduresPerRequest,
  provideBffTesting,
  trpcError,
  type Answer,
  type FakeEventSource,
} from '@oidc-bff/angular/testing';
import { createFakeTrpc, message, type FakeTrpc } from '../../testing/fake-api';
import { ALICE } from '../../testing/users';
import { settle } from '../../testing/settle';
import { Auth, DEFAULT_RETRY_AFTER_SECONDS, ServiceStatus } from '@oidc-bff/angular';
import { rateLimitMessage } from '../messages/rate-limit-message';
import { ChatPage } from './chat-page';

@Component({ template: '' })
class Blank {}

const FROM_ALICE = message('m1', { sub: 'alice', name: 'Alice Analyst' }, 'Morning all');
const FROM_BOB = message('m2', { sub: 'bob', name: 'Bob Builder' }, 'Hi Alice');

describe('ChatPage', () => {
  let trpc: FakeTrpc;

  async function render(): Promise<{ fixture: ComponentFixture<ChatPage>; el: HTMLElement }> {
    await TestBed.inject(Auth).load();
    const fixture = TestBed.createComponent(ChatPage);
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  function type(el: HTMLElement, text: string): HTMLTextAreaElement {
    const input = el.querySelector('textarea') as HTMLTextAreaElement;
    input.value = text;
    input.dispatchEvent(new Event('input'));
    return input;
  }

  beforeEach(() => {
    trpc = createFakeTrpc();
    trpc.me.query.mockResolvedValue(ALICE);
    TestBed.configureTestingModule({ providers: [provideRouter([{ path: '**', component: Blank }]), provideBffTesting({ client: trpc })] });
  });

  function liveState(el: HTMLElement): string | null | undefined {
    return el.querySelector('[data-testid=chat-live]')?.getAttribute('data-state');
  }

  function texts(el: HTMLElement): string[] {
    return [...el.querySelectorAll('[data-testid=chat-message] .text')].map((item) => item.textContent ?? '');
  }

  it('shows a loading state until the history arrives', async () => {
    let answer!: (value: never[]) => void;
    trpc.chat.history.query.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const { fixture, el } = await render();

    expect(el.querySelector('[data-testid=chat-loading]')).not.toBeNull();

    answer([]);
    await settle(fixture);
    expect(el.querySelector('[data-testid=chat-loading]')).toBeNull();
    expect(el.querySelector('[data-testid=chat-empty]')).not.toBeNull();
  });

  it('shows the history with author names and times, marking the user’s own messages', async () => {
    trpc.chat.history.query.mockResolvedValue([FROM_ALICE, FROM_BOB]);
    const { el } = await render();

    const items = [...el.querySelectorAll('[data-testid=chat-message]')];
    expect(items).toHaveLength(2);
    expect(items[0]?.textContent).toContain('Alice Analyst');
    expect(items[0]?.textContent).toContain('Morning all');
    expect(items[1]?.textContent).toContain('Bob Builder');
    expect(items.map((item) => item.getAttribute('data-own'))).toEqual(['true', 'false']);
    expect(items[0]?.querySelector('time')?.getAttribute('datetime')).toBe(FROM_ALICE.sentAt);
    expect(el.querySelector('[role=log]')).not.toBeNull();
  });

  it('sends the trimmed draft with chat.send, appends the answer and clears the box', async () => {
    trpc.chat.history.query.mockResolvedValue([FROM_BOB]);
    const sent = message('m3', { sub: 'alice', name: 'Alice Analyst' }, 'On my way');
    trpc.chat.send.mutate.mockResolvedValue(sent);
    const { fixture, el } = await render();

    const input = type(el, '  On my way  ');
    await fixture.whenStable();
    (el.querySelector('[data-testid=chat-send]') as HTMLButtonElement).click();
    await settle(fixture);

    expect(trpc.chat.send.mutate).toHaveBeenCalledWith({ text: 'On my way' });
    const items = [...el.querySelectorAll('[data-testid=chat-message]')];
    expect(items).toHaveLength(2);
    expect(items[1]?.textContent).toContain('On my way');
    expect(items[1]?.getAttribute('data-own')).toBe('true');
    expect(input.value).toBe('');
  });

  it('deletes all the user’s own messages with chat.deleteMine, keeping the others’', async () => {
    trpc.chat.history.query.mockResolvedValue([FROM_ALICE, FROM_BOB]);
    trpc.chat.deleteMine.mutate.mockResolvedValue({ deleted: 1 });
    const { fixture, el } = await render();

    (el.querySelector('[data-testid=chat-delete-mine]') as HTMLButtonElement).click();
    await settle(fixture);

    expect(trpc.chat.deleteMine.mutate).toHaveBeenCalledTimes(1);
    expect(texts(el)).toEqual(['Hi Alice']);
    expect(el.querySelector('[data-testid=chat-delete-notice]')?.textContent).toContain('1 message deleted');
  });

  it('says nothing when deleting needs a stronger sign-in (the client is signing in again), and explains other failures', async () => {
    trpc.chat.history.query.mockResolvedValue([FROM_ALICE]);
    trpc.chat.deleteMine.mutate.mockRejectedValueOnce(trpcError('UNAUTHORIZED', 'insufficient_user_authentication'));
    const { fixture, el } = await render();
    const button = el.querySelector('[data-testid=chat-delete-mine]') as HTMLButtonElement;

    button.click();
    await settle(fixture);
    expect(el.querySelector('[data-testid=chat-delete-notice]')).toBeNull();
    expect(texts(el)).toEqual(['Morning all']);

    trpc.chat.deleteMine.mutate.mockRejectedValueOnce(trpcError('SERVICE_UNAVAILABLE', 'session_store_unavailable'));
    button.click();
    await settle(fixture);
    expect(el.querySelector('[data-testid=chat-delete-notice]')?.textContent).toContain('not deleted');
  });

  it('sends on Enter but not on Shift+Enter', async () => {
    trpc.chat.history.query.mockResolvedValue([]);
    trpc.chat.send.mutate.mockResolvedValue(message('m4', { sub: 'alice', name: 'Alice Analyst' }, 'hi'));
    const { fixture, el } = await render();
    const input = type(el, 'hi');
    await fixture.whenStable();

    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true }));
    expect(trpc.chat.send.mutate).not.toHaveBeenCalled();
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(trpc.chat.send.mutate).toHaveBeenCalledTimes(1);
  });

  it('does not send a blank message', async () => {
    trpc.chat.history.query.mockResolvedValue([]);
    const { fixture, el } = await render();
    type(el, '   ');
    await fixture.whenStable();

    const button = el.querySelector('[data-testid=chat-send]') as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    el.querySelector('form')?.dispatchEvent(new Event('submit'));
    expect(trpc.chat.send.mutate).not.toHaveBeenCalled();
  });

  it('shows an error with a retry when the history cannot be loaded', async () => {
    trpc.chat.history.query.mockRejectedValueOnce(networkError()).mockResolvedValueOnce([FROM_BOB]);
    const { fixture, el } = await render();

    const error = el.querySelector('[data-testid=chat-error]');
    expect(error?.getAttribute('role')).toBe('alert');

    (error?.querySelector('button') as HTMLButtonElement).click();
    await settle(fixture);
    expect(el.querySelectorAll('[data-testid=chat-message]')).toHaveLength(1);
  });

  it('says inline that sending was rate limited, with a default wait when the API does not say', async () => {
    trpc.chat.history.query.mockResolvedValue([]);
    trpc.chat.send.mutate.mockRejectedValue(trpcError('TOO_MANY_REQUESTS', 'rate_limited'));
    const { fixture, el } = await render();
    type(el, 'hello');
    await fixture.whenStable();

    (el.querySelector('[data-testid=chat-send]') as HTMLButtonElement).click();
    await settle(fixture);

    expect(el.querySelector('[data-testid=chat-send-error]')?.textContent).toContain(rateLimitMessage(DEFAULT_RETRY_AFTER_SECONDS));
  });

  it('keeps the draft and says so when sending fails', async () => {
    trpc.chat.history.query.mockResolvedValue([]);
    trpc.chat.send.mutate.mockRejectedValue(trpcError('BAD_REQUEST'));
    const { fixture, el } = await render();
    const input = type(el, 'hello');
    await fixture.whenStable();

    (el.querySelector('[data-testid=chat-send]') as HTMLButtonElement).click();
    await settle(fixture);

    expect(el.querySelector('[data-testid=chat-send-error]')).not.toBeNull();
    expect(input.value).toBe('hello');
    expect(el.querySelectorAll('[data-testid=chat-message]')).toHaveLength(0);
  });

  describe('live updates', () => {
    const FROM_CAROL = message('m5', { sub: 'carol', name: 'Carol Chen' }, 'Just arrived');

    it('subscribes to chat.onMessage and appends each new message as it arrives', async () => {
      trpc.chat.history.query.mockResolvedValue([FROM_ALICE, FROM_BOB]);
      const { fixture, el } = await render();
      expect(trpc.chat.onMessage.subscribe).toHaveBeenCalledTimes(1);

      trpc.chat.onMessage.start();
      trpc.chat.onMessage.emit(FROM_CAROL);
      await settle(fixture);

      expect(texts(el)).toEqual(['Morning all', 'Hi Alice', 'Just arrived']);
      expect(el.querySelectorAll('[data-testid=chat-message]')[2]?.getAttribute('data-own')).toBe('false');
    });

    it('shows a message sent here once, whether the stream or the answer to chat.send arrives first', async () => {
      trpc.chat.history.query.mockResolvedValue([]);
      const first = message('m6', { sub: 'alice', name: 'Alice Analyst' }, 'first');
      const second = message('m7', { sub: 'alice', name: 'Alice Analyst' }, 'second');
      let answer!: (value: typeof first) => void;
      trpc.chat.send.mutate.mockReturnValueOnce(new Promise((resolve) => (answer = resolve))).mockResolvedValueOnce(second);
      const { fixture, el } = await render();
      trpc.chat.onMessage.start();
      const send = el.querySelector('[data-testid=chat-send]') as HTMLButtonElement;

      type(el, 'first');
      await fixture.whenStable();
      send.click();
      trpc.chat.onMessage.emit(first);
      answer(first);
      await settle(fixture);

      type(el, 'second');
      await fixture.whenStable();
      send.click();
      await settle(fixture);
      trpc.chat.onMessage.emit(second);
      await settle(fixture);

      expect(texts(el)).toEqual(['first', 'second']);
    });

    it('shows, politely announced, whether the page is connecting, live, reconnecting or down', async () => {
      trpc.chat.history.query.mockResolvedValue([]);
      const { fixture, el } = await render();
      const indicator = el.querySelector('[data-testid=chat-live]');
      expect(indicator?.getAttribute('aria-live')).toBe('polite');
      expect(liveState(el)).toBe('connecting');

      trpc.chat.onMessage.start();
      await settle(fixture);
      expect(liveState(el)).toBe('live');

      trpc.chat.onMessage.drop();
      await settle(fixture);
      expect(liveState(el)).toBe('connecting');

      trpc.chat.onMessage.start();
      await settle(fixture);
      expect(liveState(el)).toBe('live');

      trpc.chat.onMessage.fail(networkError());
      await settle(fixture);
      expect(liveState(el)).toBe('disconnected');
    });

    it('asks chat.history once on load, however often the stream connects, drops and reconnects', async () => {
      trpc.chat.history.query.mockResolvedValue([FROM_ALICE]);
      const { fixture } = await render();

      trpc.chat.onMessage.start();
      trpc.chat.onMessage.drop();
      trpc.chat.onMessage.start();
      await settle(fixture);

      expect(trpc.chat.history.query).toHaveBeenCalledTimes(1);
      expect(trpc.chat.onMessage.subscribe).toHaveBeenCalledTimes(1);
    });

    it('opens the stream once the history is in, resuming after its newest message', async () => {
      let answer!: (value: (typeof FROM_ALICE)[]) => void;
      trpc.chat.history.query.mockReturnValue(new Promise((resolve) => (answer = resolve)));
      const { fixture } = await render();
      expect(trpc.chat.onMessage.subscribe).not.toHaveBeenCalled();

      answer([FROM_ALICE, FROM_BOB]);
      await settle(fixture);

      expect(trpc.chat.onMessage.subscribe).toHaveBeenCalledExactlyOnceWith({ lastEventId: FROM_BOB.id }, expect.anything());
    });

    it('opens the stream from now on when the history is empty', async () => {
      trpc.chat.history.query.mockResolvedValue([]);
      await render();
      expect(trpc.chat.onMessage.subscribe).toHaveBeenCalledExactlyOnceWith({ lastEventId: null }, expect.anything());
    });

    it('shows each message once where the history and the stream overlap', async () => {
      trpc.chat.history.query.mockResolvedValue([FROM_ALICE, FROM_BOB]);
      const { fixture, el } = await render();

      trpc.chat.onMessage.start();
      trpc.chat.onMessage.emit(FROM_BOB);
      trpc.chat.onMessage.emit(FROM_CAROL);
      trpc.chat.onMessage.emit(FROM_CAROL);
      await settle(fixture);

      expect(texts(el)).toEqual(['Morning all', 'Hi Alice', 'Just arrived']);
    });

    it('reopens a refused stream after the newest message shown, including those that came live', async () => {
      trpc.chat.history.query.mockResolvedValue([FROM_ALICE]);
      const { fixture, el } = await render();
      trpc.chat.onMessage.start();
      trpc.chat.onMessage.emit(FROM_CAROL);
      trpc.chat.onMessage.fail(networkError());
      await settle(fixture);

      (el.querySelector('.page-header button') as HTMLButtonElement).click();
      await settle(fixture);

      expect(trpc.chat.onMessage.subscribe).toHaveBeenLastCalledWith({ lastEventId: FROM_CAROL.id }, expect.anything());
    });

    it('unsubscribes when the page is destroyed', async () => {
      trpc.chat.history.query.mockResolvedValue([]);
      const { fixture } = await render();
      trpc.chat.onMessage.start();
      expect(trpc.chat.onMessage.unsubscribe).not.toHaveBeenCalled();

      fixture.destroy();

      expect(trpc.chat.onMessage.unsubscribe).toHaveBeenCalledTimes(1);
    });

    it('stays down after the stream is refused, until Refresh opens it again', async () => {
      trpc.chat.history.query.mockResolvedValue([]);
      const { fixture, el } = await render();

      trpc.chat.onMessage.fail(trpcError('UNAUTHORIZED', 'session_expired'));
      await settle(fixture);
      expect(liveState(el)).toBe('disconnected');
      expect(trpc.chat.onMessage.subscribe).toHaveBeenCalledTimes(1);

      (el.querySelector('.page-header button') as HTMLButtonElement).click();
      await settle(fixture);
      expect(trpc.chat.onMessage.subscribe).toHaveBeenCalledTimes(2);
      expect(liveState(el)).toBe('connecting');
    });

    it('checks the session once when the API ends the stream, and shows the signed-out home page', async () => {
      trpc.chat.history.query.mockResolvedValue([FROM_BOB]);
      const router = TestBed.inject(Router);
      await router.navigateByUrl('/chat');
      const { fixture, el } = await render();
      trpc.chat.onMessage.start();
      trpc.me.query.mockRejectedValue(trpcError('UNAUTHORIZED', 'no_session'));

      trpc.chat.onMessage.end();
      await settle(fixture);

      expect(liveState(el)).toBe('disconnected');
      expect(TestBed.inject(Auth).status()).toBe('signed-out');
      await vi.waitFor(() => expect(router.url).toBe('/'));
      expect(trpc.me.query).toHaveBeenCalledTimes(2);
      expect(trpc.chat.onMessage.subscribe).toHaveBeenCalledTimes(1);
    });

    it('stays on the page, not live, when the stream ended but the session is still valid', async () => {
      trpc.chat.history.query.mockResolvedValue([FROM_BOB]);
      const router = TestBed.inject(Router);
      await router.navigateByUrl('/chat');
      const { fixture, el } = await render();
      trpc.chat.onMessage.start();

      trpc.chat.onMessage.end();
      await settle(fixture);

      expect(liveState(el)).toBe('disconnected');
      expect(router.url).toBe('/chat');
      expect(trpc.chat.onMessage.subscribe).toHaveBeenCalledTimes(1);
    });

    it('reloads the history and reopens the stream by itself once an outage is over', async () => {
      trpc.chat.history.query.mockRejectedValueOnce(trpcError('SERVICE_UNAVAILABLE', 'session_store_unavailable')).mockResolvedValue([FROM_BOB]);
      const { fixture, el } = await render();
      trpc.chat.onMessage.fail(trpcError('SERVICE_UNAVAILABLE', 'session_store_unavailable'));
      await settle(fixture);
      expect(el.querySelector('[data-testid=chat-error]')).not.toBeNull();
      const status = TestBed.inject(ServiceStatus);

      status.reportUnavailable();
      status.reportAnswered();
      await settle(fixture);

      expect(texts(el)).toEqual(['Hi Alice']);
      expect(trpc.chat.onMessage.subscribe).toHaveBeenCalledTimes(2);
      expect(liveState(el)).toBe('connecting');
    });

    it('ignores the stream once the page is destroyed', async () => {
      trpc.chat.history.query.mockResolvedValue([]);
      const { fixture } = await render();
      trpc.chat.onMessage.start();
      fixture.destroy();

      trpc.chat.onMessage.end();
      await settle(fixture);

      expect(trpc.me.query).toHaveBeenCalledTimes(1);
    });
  });
});

/** The page with the real client and links, over a fake API (fetch) and fake event streams. */
describe('ChatPage with the real client', () => {
  let location: FakeWindowLocation;
  let streams: ReturnType<typeof fakeEventSources>;

  async function render(answer: Answer): Promise<{ fixture: ComponentFixture<ChatPage>; el: HTMLElement; fetch: ReturnType<typeof fakeFetch> }> {
    sessionStorage.clear();
    streams = fakeEventSources();
    const fetch = fakeFetch(answer);
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: '**', component: Blank }]), provideLocationMocks(), provideBffTesting({ fetch, EventSource: streams.EventSource })],
    });
    location = TestBed.inject(FakeWindowLocation);
    location.href = `${FRONT_ORIGIN}/chat`;
    await TestBed.inject(Auth).load();
    const fixture = TestBed.createComponent(ChatPage);
    await vi.waitFor(() => expect(streams.opened).toHaveLength(1));
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement, fetch };
  }

  /** The input the stream was opened with (tRPC puts it in the URL). */
  function streamInput(stream: FakeEventSource | undefined): unknown {
    const input = new URL(stream?.url ?? '').searchParams.get('input');
    return input === null ? undefined : JSON.parse(input);
  }

  it('hands a stream refused as UNAUTHORIZED to the login flow, which signs in again and comes back', async () => {
    const { fixture, el } = await render(ok({ me: ALICE, 'chat.history': [] }));

    streams.opened[0]?.emit('serialized-error', JSON.stringify(errorEnvelope('UNAUTHORIZED', 'chat.onMessage', 'session_expired').error));
    await settle(fixture);

    // An expired session: a silent sign-in first (prompt=none), which falls back to the IdP's page if it must.
    expect(location.assigned).toEqual([`${loginUrlFor(`${FRONT_ORIGIN}/chat`)}&prompt=none`]);
    expect(streams.opened[0]?.closed).toBe(true);
    expect(el.querySelector('[data-testid=chat-live]')?.getAttribute('data-state')).toBe('disconnected');
  });

  it('opens the stream after the newest message of the history, and shows its tracked events once each', async () => {
    const { fixture, el } = await render(ok({ me: ALICE, 'chat.history': [FROM_ALICE, FROM_BOB] }));
    const stream = streams.opened[0];
    expect(streamInput(stream)).toEqual({ lastEventId: FROM_BOB.id });

    const fromCarol = message('m9', { sub: 'carol', name: 'Carol Chen' }, 'Just arrived');
    stream?.emit('connected', '{}');
    stream?.emit('message', JSON.stringify(FROM_BOB), FROM_BOB.id);
    stream?.emit('message', JSON.stringify(fromCarol), fromCarol.id);
    stream?.emit('message', JSON.stringify(fromCarol), fromCarol.id);
    await settle(fixture);

    expect([...el.querySelectorAll('[data-testid=chat-message] .text')].map((item) => item.textContent)).toEqual(['Morning all', 'Hi Alice', 'Just arrived']);
    expect(el.querySelector('[data-testid=chat-live]')?.getAttribute('data-state')).toBe('live');
  });

  it('lets the link reconnect a silent stream, resuming after the last event received, without reading the history again', async () => {
    const { fetch } = await render(ok({ me: ALICE, 'chat.history': [FROM_ALICE] }));
    vi.useFakeTimers();
    try {
      const first = streams.opened[0];
      first?.emit('connected', JSON.stringify({ reconnectAfterInactivityMs: 1000 }));
      first?.emit('message', JSON.stringify(FROM_BOB), FROM_BOB.id);

      await vi.advanceTimersByTimeAsync(1500);

      expect(streams.opened).toHaveLength(2);
      expect(first?.closed).toBe(true);
      expect(streamInput(streams.opened[1])).toEqual({ lastEventId: FROM_BOB.id });
      expect(proceduresPerRequest(fetch).filter((procedures) => procedures.includes('chat.history'))).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says inline when sending is rate limited, and when to try again (Retry-After)', async () => {
    const { fixture, el } = await render((path) =>
      path === 'chat.send' ? failure('TOO_MANY_REQUESTS', 'rate_limited', { 'retry-after': '30' })(path) : ok({ me: ALICE, 'chat.history': [] })(path),
    );
    const input = el.querySelector('textarea') as HTMLTextAreaElement;
    input.value = 'hello';
    input.dispatchEvent(new Event('input'));
    await fixture.whenStable();

    (el.querySelector('[data-testid=chat-send]') as HTMLButtonElement).click();
    await settle(fixture);

    expect(el.querySelector('[data-testid=chat-send-error]')?.textContent).toContain(rateLimitMessage(30));
    expect(input.value).toBe('hello');
    expect(location.assigned).toEqual([]);
  });
});
