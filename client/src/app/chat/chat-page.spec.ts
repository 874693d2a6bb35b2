import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { ALICE, FakeWindowLocation, createFakeTrpc, message, networkError, provideFakes, settle, trpcError, type FakeTrpc } from '../../testing/fakes';
import { Auth } from '../core/auth';
import { ChatPage } from './chat-page';

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
    TestBed.configureTestingModule({ providers: [provideRouter([]), ...provideFakes(trpc, new FakeWindowLocation())] });
  });

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
});
