import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import type { AppRouter } from '@bff/server/router';
import { CHAT_MESSAGE_MAX_LENGTH, type ChatMessage } from '@bff/shared';
import { Auth, ServiceStatus, apiErrorKind, injectTrpc } from '@oidc-bff/angular';
import { formatMessageTime } from '../format/date-format';
import { apiErrorMessage } from '../messages/api-error-message';
import { ChatHistory } from './chat-history';

/** A page left open does not grow without end. */
const MAX_SHOWN = 500;

type LoadState = { readonly status: 'loading' } | { readonly status: 'ready' } | { readonly status: 'error'; readonly message: string };

/** The live stream: opening (or reopening after a drop), open, or down until "Refresh". */
type LiveState = 'connecting' | 'live' | 'disconnected';

/**
 * The team chat: recent history, new messages as they are posted (`chat.onMessage`, a
 * server-sent event stream), and a send box. The list stays scrolled to the newest
 * message by CSS alone (a `column-reverse` scroller).
 *
 * The history is read once (see {@link ChatHistory}), then the stream opens after the
 * newest message shown. Its events are tracked (their id is the message id): after a
 * drop, tRPC's link reconnects with the last id it received and the API sends what was
 * missed, so the history is not read again. Messages are merged by id, so an overlap
 * between the history, the stream and the answers to `chat.send` shows each once.
 *
 * A refused stream stays down until "Refresh". When the API ends the stream, the session
 * has ended: the session is checked once, and the signed-out state is shown (see
 * `Auth.recheck`). A stream refused as unauthenticated leads to sign-in like any other
 * call (`autoLoginLink`). After an outage the page reloads what failed by itself.
 */
@Component({
  selector: 'app-chat-page',
  templateUrl: './chat-page.html',
  styleUrl: './chat-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChatPage {
  private readonly trpc = injectTrpc<AppRouter>();
  private readonly auth = inject(Auth);
  private readonly history = inject(ChatHistory);

  protected readonly maxLength = CHAT_MESSAGE_MAX_LENGTH;
  protected readonly messages = signal<readonly ChatMessage[]>([]);
  protected readonly load = signal<LoadState>({ status: 'loading' });
  protected readonly live = signal<LiveState>('connecting');
  protected readonly draft = signal('');
  protected readonly sending = signal(false);
  protected readonly sendError = signal<string | null>(null);
  protected readonly deleting = signal(false);
  protected readonly deleteNotice = signal<string | null>(null);
  protected readonly mySub = computed(() => this.auth.user()?.sub);
  protected readonly remaining = computed(() => CHAT_MESSAGE_MAX_LENGTH - this.draft().length);
  protected readonly canSend = computed(() => !this.sending() && this.draft().trim().length > 0 && this.remaining() >= 0);
  protected readonly time = formatMessageTime;

  private stopLive: (() => void) | undefined;
  private destroyed = false;

  constructor() {
    const destroyRef = inject(DestroyRef);
    destroyRef.onDestroy(() => {
      this.destroyed = true;
      this.stopLive?.();
    });
    destroyRef.onDestroy(inject(ServiceStatus).onRecovered(() => this.reloadWhatFailed()));
    void this.open();
  }

  /** "Refresh" (and "Try again"): reads the history again, and reopens the live stream if it is down. */
  protected async refresh(): Promise<void> {
    await this.showHistory(this.history.read());
    if (this.live() === 'disconnected') this.connect();
  }

  protected onInput(event: Event): void {
    this.draft.set((event.target as HTMLTextAreaElement).value);
  }

  /** Enter sends; Shift+Enter (or an IME composition) keeps typing. */
  protected onKeydown(event: KeyboardEvent, input: HTMLTextAreaElement): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    void this.send(input);
  }

  /** Sends the draft; `input` gets the focus back afterwards. */
  protected async send(input: HTMLTextAreaElement, event?: Event): Promise<void> {
    event?.preventDefault();
    const text = this.draft().trim();
    if (!this.canSend()) return;
    this.sending.set(true);
    this.sendError.set(null);
    try {
      this.merge([await this.trpc.chat.send.mutate({ text })]);
      this.draft.set('');
      this.load.set({ status: 'ready' });
    } catch (error) {
      this.sendError.set(
        apiErrorKind(error) === 'invalid'
          ? `The message was not accepted: it must have between 1 and ${CHAT_MESSAGE_MAX_LENGTH} characters.`
          : `The message was not sent. ${apiErrorMessage(error)}`,
      );
    } finally {
      this.sending.set(false);
      input.focus();
    }
  }

  /**
   * "Delete all my messages" (`chat.deleteMine`). It needs a second factor: a password-only
   * session is refused, and the BFF's client sends the browser to sign in with the one-time
   * code and back to this page, where the user presses the button again.
   */
  protected async deleteMine(): Promise<void> {
    this.deleting.set(true);
    this.deleteNotice.set(null);
    try {
      const { deleted } = await this.trpc.chat.deleteMine.mutate();
      const me = this.mySub();
      this.messages.update((current) => current.filter((m) => m.author.sub !== me));
      this.deleteNotice.set(deleted === 1 ? '1 message deleted.' : `${deleted} messages deleted.`);
    } catch (error) {
      // Unauthorized: the browser is already on its way to sign in (more strongly); nothing to say here.
      if (apiErrorKind(error) !== 'unauthorized') this.deleteNotice.set(`Your messages were not deleted. ${apiErrorMessage(error)}`);
    } finally {
      this.deleting.set(false);
    }
  }

  /** Opening: the history (one request, perhaps started by the route), then the stream from where it ends. */
  private async open(): Promise<void> {
    await this.showHistory(this.history.takeStarted());
    if (!this.destroyed) this.connect();
  }

  private async showHistory(read: Promise<readonly ChatMessage[]>): Promise<void> {
    if (this.messages().length === 0) this.load.set({ status: 'loading' });
    try {
      this.merge(await read);
      this.load.set({ status: 'ready' });
    } catch (error) {
      this.load.set({ status: 'error', message: apiErrorMessage(error) });
    }
  }

  /** After an outage, what failed during it is loaded again without waiting for "Try again". */
  private reloadWhatFailed(): void {
    if (this.load().status === 'error' || this.live() === 'disconnected') void this.refresh();
  }

  private connect(): void {
    this.stopLive?.();
    this.live.set('connecting');
    // Callbacks of a subscription this page has stopped (on destroy, or when replaced) are ignored.
    let open = true;
    // Resuming after the newest message shown covers what was posted since the history was read.
    const subscription = this.trpc.chat.onMessage.subscribe(
      { lastEventId: this.messages().at(-1)?.id ?? null },
      {
        onStarted: () => {
          if (open) this.live.set('live');
        },
        onConnectionStateChange: (state) => {
          if (open && state.state === 'connecting') this.live.set('connecting');
        },
        onData: (event) => {
          if (open) this.merge([event.data]);
        },
        onError: () => {
          if (!open) return;
          open = false;
          this.live.set('disconnected');
        },
        onComplete: () => {
          if (!open) return;
          open = false;
          this.live.set('disconnected');
          void this.auth.recheck();
        },
      },
    );
    this.stopLive = () => {
      open = false;
      subscription.unsubscribe();
    };
  }

  /**
   * Adds messages to the list: once per id (a message sent here also arrives on the
   * stream, and the history overlaps what is shown), oldest first, the newest kept.
   */
  private merge(incoming: readonly ChatMessage[]): void {
    this.messages.update((current) => {
      const byId = new Map(current.map((message) => [message.id, message]));
      for (const message of incoming) byId.set(message.id, message);
      // ISO 8601 times in UTC compare as strings; the sort is stable for equal times.
      return [...byId.values()].sort((a, b) => (a.sentAt < b.sentAt ? -1 : a.sentAt > b.sentAt ? 1 : 0)).slice(-MAX_SHOWN);
    });
  }
}
