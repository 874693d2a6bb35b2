import { Injectable, inject } from '@angular/core';
import type { CanActivateFn } from '@angular/router';
import type { AppRouter } from '@bff/server/router';
import type { ChatMessage } from '@bff/shared';
import { injectTrpc, type AutoLoginContext } from '@oidc-bff/angular';

/** How many of the most recent messages the page shows on opening. */
const HISTORY_LIMIT = 100;

/**
 * Reads the chat history. The page's first read can be started early, by
 * {@link startChatHistory} beside the route's session check: on a first visit to `/chat`
 * it then leaves in the same tick as `me`, and both go out as one batched request
 * instead of one after the other.
 */
@Injectable({ providedIn: 'root' })
export class ChatHistory {
  private readonly trpc = injectTrpc<AppRouter>();
  private started: Promise<ChatMessage[]> | undefined;

  /** Starts the read the opening page will take. */
  start(): void {
    // The route's session check decides about sign-in, so this read leaves it alone.
    const started = this.trpc.chat.history.query({ limit: HISTORY_LIMIT }, { context: { autoLogin: false } satisfies AutoLoginContext });
    // Taken by the page, or dropped with a cancelled navigation: a failure here is the page's to report.
    started.catch(() => undefined);
    this.started = started;
  }

  /** The read started for this page, if any (once), else a new one. */
  takeStarted(): Promise<ChatMessage[]> {
    const started = this.started;
    this.started = undefined;
    return started ?? this.read();
  }

  /** A new read (e.g. "Refresh"). */
  read(): Promise<ChatMessage[]> {
    return this.trpc.chat.history.query({ limit: HISTORY_LIMIT });
  }
}

/**
 * Not an access check (it always lets through): runs beside `sessionGuard`, which Angular
 * starts in the same tick, to start the page's history read while the session is checked.
 */
export const startChatHistory: CanActivateFn = () => {
  inject(ChatHistory).start();
  return true;
};
