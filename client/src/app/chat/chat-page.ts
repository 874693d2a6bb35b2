import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import type { CHAT_MESSAGE_MAX_LENGTH, ChatMessage } from '@bff/shared';
import { apiErrorKind, apiErrorMessage, type ApiErrorKind } from '../core/api-error';
import { Auth } from '../core/auth';
import { formatMessageTime } from '../core/date-format';
import { TRPC_CLIENT } from '../core/trpc-client';

/**
 * The API's limit. A literal rather than a runtime import, which would bring zod into
 * the bundle; the type keeps it equal to the shared constant.
 */
export const MAX_MESSAGE_LENGTH: typeof CHAT_MESSAGE_MAX_LENGTH = 2000;
const HISTORY_LIMIT = 100;

type LoadState = { readonly status: 'loading' } | { readonly status: 'ready' } | { readonly status: 'error'; readonly kind: ApiErrorKind };

/**
 * The team chat: recent history and a send box. The list stays scrolled to the newest
 * message by CSS alone (a `column-reverse` scroller). It does not poll: background calls
 * would keep the session alive past its idle timeout, so new messages arrive on
 * "Refresh" and after each send.
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

  protected readonly maxLength = MAX_MESSAGE_LENGTH;
  protected readonly messages = signal<readonly ChatMessage[]>([]);
  protected readonly load = signal<LoadState>({ status: 'loading' });
  protected readonly draft = signal('');
  protected readonly sending = signal(false);
  protected readonly sendError = signal<string | null>(null);
  protected readonly mySub = computed(() => this.auth.user()?.sub);
  protected readonly remaining = computed(() => MAX_MESSAGE_LENGTH - this.draft().length);
  protected readonly canSend = computed(() => !this.sending() && this.draft().trim().length > 0 && this.remaining() >= 0);
  protected readonly errorMessage = apiErrorMessage;
  protected readonly time = formatMessageTime;

  constructor() {
    void this.refresh();
  }

  protected async refresh(): Promise<void> {
    if (this.messages().length === 0) this.load.set({ status: 'loading' });
    try {
      this.messages.set(await this.trpc.chat.history.query({ limit: HISTORY_LIMIT }));
      this.load.set({ status: 'ready' });
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
      const message = await this.trpc.chat.send.mutate({ text });
      this.messages.update((messages) => [...messages.filter((m) => m.id !== message.id), message]);
      this.draft.set('');
      this.load.set({ status: 'ready' });
    } catch (error) {
      const kind = apiErrorKind(error);
      this.sendError.set(
        kind === 'invalid'
          ? `The message was not accepted: it must have between 1 and ${MAX_MESSAGE_LENGTH} characters.`
          : `The message was not sent. ${apiErrorMessage(kind)}`,
      );
    } finally {
      this.sending.set(false);
      input.focus();
    }
  }
}
