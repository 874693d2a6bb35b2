import type { AppRouter } from '@bff/server/router';
import type { AnalyticsOutput, ChatMessage, ReportsOverview } from '@bff/shared';
import type { DeviceSession, MeOutput } from '@oidc-bff/protocol';
import { networkError } from '@oidc-bff/angular/testing';
import type { TRPCClientError } from '@trpc/client';
import { vi, type Mock } from 'vitest';

/**
 * A fake of the app's tRPC client: the procedures the pages call, as mocks; unstubbed
 * calls fail loudly (subscriptions never start unless told). Given to
 * `provideBffTesting({ client })`, it is also what `Auth` asks for `me`.
 */
export interface FakeTrpc {
  readonly me: { readonly query: Mock<(input?: undefined, options?: unknown) => Promise<MeOutput>> };
  readonly chat: {
    readonly history: { readonly query: Mock<(input?: { limit?: number }, options?: unknown) => Promise<ChatMessage[]>> };
    readonly send: { readonly mutate: Mock<(input: { text: string }) => Promise<ChatMessage>> };
    readonly deleteMine: { readonly mutate: Mock<() => Promise<{ deleted: number }>> };
    readonly onMessage: FakeSubscription<ChatMessage>;
  };
  readonly analytics: { readonly query: Mock<() => Promise<AnalyticsOutput>> };
  readonly reports: { readonly overview: { readonly query: Mock<() => Promise<ReportsOverview>> } };
  readonly sessions: {
    readonly list: { readonly query: Mock<() => Promise<DeviceSession[]>> };
    readonly revoke: { readonly mutate: Mock<(input: { id: string }) => Promise<{ ended: number }>> };
    readonly revokeOthers: { readonly mutate: Mock<() => Promise<{ ended: number }>> };
  };
}

export function createFakeTrpc(): FakeTrpc {
  const unexpected = (path: string) => () => Promise.reject(new Error(`unexpected call to ${path}`));
  return {
    me: { query: vi.fn(unexpected('me')) },
    chat: {
      history: { query: vi.fn(unexpected('chat.history')) },
      send: { mutate: vi.fn(unexpected('chat.send')) },
      deleteMine: { mutate: vi.fn(unexpected('chat.deleteMine')) },
      onMessage: new FakeSubscription<ChatMessage>(),
    },
    analytics: { query: vi.fn(unexpected('analytics')) },
    reports: { overview: { query: vi.fn(unexpected('reports.overview')) } },
    sessions: {
      list: { query: vi.fn(unexpected('sessions.list')) },
      revoke: { mutate: vi.fn(unexpected('sessions.revoke')) },
      revokeOthers: { mutate: vi.fn(unexpected('sessions.revokeOthers')) },
    },
  };
}

/** The callbacks a page passes to a tRPC subscription (those of `TRPCSubscriptionObserver`). */
export interface SubscriptionCallbacks<T> {
  onStarted?: (opts: { context: undefined }) => void;
  onData?: (value: { id: string; data: T }) => void;
  onError?: (error: TRPCClientError<AppRouter>) => void;
  onStopped?: () => void;
  onComplete?: () => void;
  onConnectionStateChange?: (state: { type: 'state'; state: 'idle' | 'connecting' | 'pending'; error: TRPCClientError<AppRouter> | null }) => void;
}

/**
 * A subscription procedure: `subscribe` records the page's callbacks, and the other
 * methods play the API's side, in the order tRPC's link reports things.
 */
export class FakeSubscription<T> {
  /** The unsubscribe function of the latest subscription. */
  readonly unsubscribe = vi.fn<() => void>();
  readonly subscribe = vi.fn((_input: unknown, callbacks: SubscriptionCallbacks<T>) => {
    this.callbacks = callbacks;
    return { unsubscribe: this.unsubscribe };
  });
  private callbacks: SubscriptionCallbacks<T> = {};

  /** The stream is open (the API sent `connected`). */
  start(): void {
    this.callbacks.onStarted?.({ context: undefined });
    this.callbacks.onConnectionStateChange?.({ type: 'state', state: 'pending', error: null });
  }

  /** A tracked event (`tracked(id, value)` on the server), as the link delivers it. */
  emit(value: T & { readonly id: string }): void {
    this.callbacks.onData?.({ id: value.id, data: value });
  }

  /** The connection dropped; the browser is reconnecting. */
  drop(): void {
    this.callbacks.onConnectionStateChange?.({ type: 'state', state: 'connecting', error: networkError<AppRouter>() });
  }

  /** The subscription failed for good. */
  fail(error: TRPCClientError<AppRouter>): void {
    this.callbacks.onError?.(error);
  }

  /** The API ended the stream (`return`). */
  end(): void {
    this.callbacks.onStopped?.();
    this.callbacks.onComplete?.();
  }
}

/** A chat message as `chat.history` and `chat.onMessage` send it. */
export function message(id: string, author: { sub: string; name: string }, text: string): ChatMessage {
  return { id, text, author, sentAt: '2030-01-01T09:00:00.000Z' };
}

/** One of the user's sessions as `sessions.list` returns it; another device unless `current` says otherwise. */
export function deviceSession(id: string, overrides: Partial<Omit<DeviceSession, 'id'>> = {}): DeviceSession {
  return {
    id,
    createdAt: '2030-01-01T08:00:00.000Z',
    lastActiveAt: '2030-01-01T09:00:00.000Z',
    browser: 'Firefox',
    os: 'Linux',
    place: null,
    current: false,
    ...overrides,
  };
}
