import { provideLocationMocks } from '@angular/common/testing';
import { Component, inject } from '@angular/core';
import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { Router, provideRouter } from '@angular/router';
import {
  ALICE,
  API_URL,
  FRONT_ORIGIN,
  FakeWindowLocation,
  createFakeTrpc,
  errorEnvelope,
  fakeEventSources,
  fakeFetch,
  loginUrlFor,
  message,
  networkError,
  provideFakes,
  settle,
  trpcError,
  type FakeTrpc,
} from '../../testing/fakes';
import { Auth } from '../core/auth';
import { LoginFlow } from '../core/login-flow';
import { TRPC_CLIENT, createTrpcClient } from '../core/trpc-client';
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
    TestBed.configureTestingModule({ providers: [provideRouter([{ path: '**', component: Blank }]), ...provideFakes(trpc, new FakeWindowLocation())] });
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

    it('reads the history again on each (re)connection, so that nothing posted meanwhile is missed', async () => {
      trpc.chat.history.query.mockResolvedValueOnce([FROM_ALICE]).mockResolvedValue([FROM_ALICE, FROM_BOB]);
      const { fixture, el } = await render();
      expect(texts(el)).toEqual(['Morning all']);

      trpc.chat.onMessage.start();
      await settle(fixture);

      expect(texts(el)).toEqual(['Morning all', 'Hi Alice']);
      expect(trpc.chat.history.query).toHaveBeenCalledTimes(2);
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

/** The page with the real client and login flow, over a fake API (fetch) and fake event streams. */
describe('ChatPage with the real client', () => {
  it('hands a stream refused as UNAUTHORIZED to the login flow, which signs in again and comes back', async () => {
    sessionStorage.clear();
    const location = new FakeWindowLocation();
    location.href = `${FRONT_ORIGIN}/chat`;
    const streams = fakeEventSources();
    const fetch = fakeFetch((path) => ({ status: 200, body: { result: { data: path === 'me' ? ALICE : [] } } }));
    TestBed.configureTestingModule({
      providers: [
        provideRouter([{ path: '**', component: Blank }]),
        provideLocationMocks(),
        ...provideFakes(createFakeTrpc(), location),
        {
          provide: TRPC_CLIENT,
          useFactory: () => {
            const flow = inject(LoginFlow);
            return createTrpcClient({ apiUrl: API_URL, fetch, EventSource: streams.EventSource, onUnauthorized: (r, o) => flow.onUnauthorized(r, o) });
          },
        },
      ],
    });
    await TestBed.inject(Auth).load();
    const fixture = TestBed.createComponent(ChatPage);
    await vi.waitFor(() => expect(streams.opened).toHaveLength(1));

    streams.opened[0]?.emit('serialized-error', JSON.stringify(errorEnvelope('UNAUTHORIZED', 'chat.onMessage', 'session_expired').error));
    await settle(fixture);

    expect(location.assigned).toEqual([loginUrlFor(`${FRONT_ORIGIN}/chat`)]);
    expect(streams.opened[0]?.closed).toBe(true);
    expect((fixture.nativeElement as HTMLElement).querySelector('[data-testid=chat-live]')?.getAttribute('data-state')).toBe('disconnected');
  });
});
