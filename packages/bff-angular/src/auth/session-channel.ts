import { DestroyRef, InjectionToken, inject } from '@angular/core';

/** What one tab of the application tells the others about the session. */
export interface SessionMessage {
  readonly type: 'signed-out';
}

/** The `BroadcastChannel` name shared by the application's tabs. */
export const SESSION_CHANNEL_NAME = 'bff-session';

/** Messages between the application's tabs (same origin, same browser profile). */
export interface SessionChannel {
  /** Tells the other tabs; this tab does not receive its own messages. */
  post(message: SessionMessage): void;
  /** Calls `listener` for each message from another tab; returns a function that stops listening. */
  listen(listener: (message: SessionMessage) => void): () => void;
}

/** The part of `BroadcastChannel` {@link broadcastSessionChannel} uses. */
export type BroadcastChannelLike = Pick<BroadcastChannel, 'postMessage' | 'addEventListener' | 'removeEventListener'>;

/**
 * A {@link SessionChannel} over a `BroadcastChannel`. Anything received that is not a
 * {@link SessionMessage} is ignored, and a failure to post is not the caller's problem:
 * the other tabs then find out on their next call.
 */
export function broadcastSessionChannel(channel: BroadcastChannelLike): SessionChannel {
  return {
    post: (message) => {
      try {
        channel.postMessage(message);
      } catch {
        // A closed channel: nobody is listening any more.
      }
    },
    listen: (listener) => {
      const onMessage = (event: MessageEvent<unknown>) => {
        if (isSessionMessage(event.data)) listener({ type: event.data.type });
      };
      channel.addEventListener('message', onMessage);
      return () => channel.removeEventListener('message', onMessage);
    },
  };
}

function isSessionMessage(value: unknown): value is SessionMessage {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)['type'] === 'signed-out';
}

/**
 * The channel between this application's tabs, or null where the browser has no
 * `BroadcastChannel` (tabs then only find out about a sign-out on their next call).
 * Closed with the application.
 */
export const SESSION_CHANNEL = new InjectionToken<SessionChannel | null>('SESSION_CHANNEL', {
  providedIn: 'root',
  factory: () => {
    if (typeof BroadcastChannel !== 'function') return null;
    let channel: BroadcastChannel;
    try {
      channel = new BroadcastChannel(SESSION_CHANNEL_NAME);
    } catch {
      return null;
    }
    inject(DestroyRef).onDestroy(() => channel.close());
    return broadcastSessionChannel(channel);
  },
});
