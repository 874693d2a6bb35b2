import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { CHAT_MESSAGE_MAX_LENGTH, type ChatMessage } from '@bff/shared';
import { apiErrorKind, apiErrorMessage, type ApiErrorKind } from '../core/api-error';
import { Auth } from '../core/auth';
import { formatMessageTime } from '../core/date-format';
import { TRPC_CLIENT } from '../core/trpc-client';

const HISTORY_LIMIT = 100;
/** A page left open does not grow without end. */
const MAX_SHOWN = 500;

type LoadState = { readonly status: 'loading' } | { readonly status: 'ready' } | { readonly status: 'error'; readonly kind: ApiErrorKind };

/** The live stream: opening (or reopening after a drop), open, or down until "Refresh". */
type LiveState = 'connecting' | 'live' | 'disconnected';

/**
 * The team chat: recent history, new messages as they are posted (`chat.onMessage`, a
 * server-sent event stream), and a send box. The list stays scrolled to the newest
 * message by CSS alone (a `column-reverse` scroller).
 *
 * The stream is not reopened in a loop: the browser reconnects after a network drop by
 * itself, and each (re)connection reads the history again so that nothing posted in the
 * meantime is missed. A refused stream stays down until "Refresh". When the API ends the
 * stream, the session has ended: the session is checked once, and the signed-out state is
 * shown (see `Auth.recheck`). A stream refused as unauthenticated leads to sign-in like any
 * other call (the client's `autoLoginLink`).
 */
@Component({
  selector: 'app-chat-page',
  templateUrl: './chat-page.html',
  styleUrl: './chat-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChatPage {
  private readonly trpc = inject(TRPC_CLIENT);
  private readonly auth = inject(Auth);

  protected readonly maxLength = CHAT_MESSAGE_MAX_LENGTH;
  protected readonly messages = signal<readonly ChatMessage[]>([]);
  protected readonly load = signal<LoadState>({ status: 'loading' });
  protected readonly live = signal<LiveState>('connecting');
  protected readonly draft = signal('');
  protected readonly sending = signal(false);
  protected readonly sendError = signal<string | null>(null);
  protected readonly mySub = computed(() => this.auth.user()?.sub);
  protected readonly remaining = computed(() => CHAT_MESSAGE_MAX_LENGTH - this.draft().length);
  protected readonly canSend = computed(() => !this.sending() && this.draft().trim().length > 0 && this.remaining() >= 0);
  protected readonly errorMessage = apiErrorMessage;
  protected readonly time = formatMessageTime;

  private stopLive: (() => void) | undefined;

  constructor() {
    this.connect();
    void this.refresh();
    inject(DestroyRef).onDestroy(() => this.stopLive?.());
  }

  /** "Refresh" (and "Try again"): reads the history again, and reopens the live stream if it is down. */
  protected async refresh(): Promise<void> {
    if (this.live() === 'disconnected') this.connect();
    if (this.messages().length === 0) this.load.set({ status: 'loading' });
    try {
      await this.readHistory();
    } catch (error) {
      this.load.set({ status: 'error', kind: apiErrorKind(error) });
    }
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
      const kind = apiErrorKind(error);
      this.sendError.set(
        kind === 'invalid'
          ? `The message was not accepted: it must have between 1 and ${CHAT_MESSAGE_MAX_LENGTH} characters.`
          : `The message was not sent. ${apiErrorMessage(kind)}`,
      );
    } finally {
      this.sending.set(false);
      input.focus();
    }
  }

  private connect(): void {
    this.stopLive?.();
    this.live.set('connecting');
    // Callbacks of a subscription this page has stopped (on destroy, or when replaced) are ignored.
    let open = true;
    const subscription = this.trpc.chat.onMessage.subscribe(undefined, {
      onStarted: () => {
        if (!open) return;
        this.live.set('live');
        // Best effort: if this fails the API is likely down, and the stream will say so.
        this.readHistory().catch(() => undefined);
      },
      onConnectionStateChange: (state) => {
        if (open && state.state === 'connecting') this.live.set('connecting');
      },
      onData: (message) => {
        if (open) this.merge([message.data]);
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
    });
    this.stopLive = () => {
      open = false;
      subscription.unsubscribe();
    };
  }

  private async readHistory(): Promise<void> {
    this.merge(await this.trpc.chat.history.query({ limit: HISTORY_LIMIT }));
    this.load.set({ status: 'ready' });
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
