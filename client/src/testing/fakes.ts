import type { Provider } from '@angular/core';
import type { AppRouter } from '@bff/server/router';
import { API_PATHS, type AnalyticsOutput, type AuthFailureReason, type ChatMessage, type DeviceSession, type MeOutput } from '@bff/shared';
import { TRPCClientError } from '@trpc/client';
import { vi, type Mock } from 'vitest';
import { APP_CONFIG } from '../app/core/config/app-config';
import { SESSION_CHANNEL, type SessionChannel, type SessionMessage } from '../app/core/auth/session-channel';
import { appTrpcLinks } from '../app/app.config';
import { TRPC_CLIENT, createTrpcClient, type TrpcClient } from '../app/core/api/trpc-client';
import { WindowLocation } from '../app/core/auth/window-location';

export const API_URL = 'https://api.example.test';
export const FRONT_ORIGIN = 'https://app.example.test';

/** Records top-level navigations instead of leaving the test page. */
export class FakeWindowLocation {
  href = `${FRONT_ORIGIN}/`;
  readonly assigned: string[] = [];

  assign(url: string): void {
    this.assigned.push(url);
  }
}

/** The sign-in URL the app should navigate to for `returnTo`. */
export function loginUrlFor(returnTo: string): string {
  return `${API_URL}${API_PATHS.login}?returnTo=${encodeURIComponent(returnTo)}`;
}

export function meFor(user: MeOutput['user']): MeOutput {
  return {
    user,
    session: { expiresAt: '2030-01-01T10:30:00.000Z', accessTokenExpiresAt: '2030-01-01T10:05:00.000Z' },
    logoutUrl: `${API_URL}${API_PATHS.logout}?sid=sid-of-${user.sub}`,
  };
}

export const ALICE = meFor({ sub: 'alice', name: 'Alice Analyst', email: 'alice@example.test', groups: ['analysts'], roles: ['analyst'] });
export const BOB = meFor({ sub: 'bob', name: 'Bob Builder', email: null, groups: [], roles: [] });

type ErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'BAD_REQUEST' | 'NOT_FOUND' | 'TOO_MANY_REQUESTS' | 'INTERNAL_SERVER_ERROR' | 'SERVICE_UNAVAILABLE';
const HTTP_STATUS: Record<ErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/** The error body the API sends for `code`, as one item of a (batch) response. */
export function errorEnvelope(code: ErrorCode, path: string, reason?: AuthFailureReason) {
  return {
    error: {
      message: code,
      code: -32000,
      data: { code, httpStatus: HTTP_STATUS[code], path, ...(reason ? { reason } : {}) },
    },
  };
}

/** An API answer to one procedure: `code` with `reason`, as the fake API (`fakeFetch`) sends it. */
export function failure(code: ErrorCode, reason?: AuthFailureReason, headers?: Record<string, string>): Answer {
  return (path) => ({ status: HTTP_STATUS[code], body: errorEnvelope(code, path, reason), ...(headers ? { headers } : {}) });
}

/**
 * What the typed client rejects with when the API answers `code`; `headers` are those of
 * the HTTP answer (e.g. `Retry-After`), which the client can read from the error.
 */
export function trpcError(code: ErrorCode, reason?: AuthFailureReason, headers?: Record<string, string>): TRPCClientError<AppRouter> {
  const response = new Response(null, { status: HTTP_STATUS[code], ...(headers ? { headers } : {}) });
  return TRPCClientError.from<AppRouter>(errorEnvelope(code, 'test', reason), { meta: { response } });
}

/** What the client rejects with when the request never reaches the API. */
export function networkError(): TRPCClientError<AppRouter> {
  return TRPCClientError.from<AppRouter>(new TypeError('Failed to fetch'));
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
    this.callbacks.onConnectionStateChange?.({ type: 'state', state: 'connecting', error: networkError() });
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

/** How the fake API answers one procedure of a request; `headers` go on the HTTP answer. */
export type Answer = (path: string) => { status: number; body: unknown; headers?: Record<string, string> };

/** The fake API's answer with `data` for `path` (e.g. `ok({ me: ALICE, 'chat.history': [] })`). */
export function ok(data: Record<string, unknown>): Answer {
  return (path) => ({ status: 200, body: { result: { data: data[path] } } });
}

/** A fetch that answers every procedure of a (batch) request with `answer`. */
export function fakeFetch(answer: Answer) {
  return vi.fn(async (input: RequestInfo | URL, _init?: RequestInit) => {
    const url = new URL(String(input));
    const paths = url.pathname.replace(`${API_PATHS.trpc}/`, '').split(',');
    const answers = paths.map(answer);
    const status = answers.every((a) => a.status === answers[0]?.status) ? (answers[0]?.status ?? 200) : 207;
    const headers = new Headers({ 'content-type': 'application/json', ...answers[0]?.headers });
    return new Response(JSON.stringify(answers.map((a) => a.body)), { status, headers });
  });
}

/** The procedures of each request `fetch` was called with, e.g. `[['me', 'chat.history']]`. */
export function proceduresPerRequest(fetch: ReturnType<typeof fakeFetch>): string[][] {
  return fetch.mock.calls.map(([input]) => new URL(String(input)).pathname.replace(`${API_PATHS.trpc}/`, '').split(','));
}

/** The real client with the application's links, over a fake API (`fetch`) and fake event streams. */
export function provideRealTrpcClient(fetch: typeof globalThis.fetch, EventSource?: typeof globalThis.EventSource): Provider {
  return {
    provide: TRPC_CLIENT,
    useFactory: () => createTrpcClient({ apiUrl: API_URL, fetch, links: appTrpcLinks(), ...(EventSource ? { EventSource } : {}) }),
  };
}

/** A stand-in for the browser's `EventSource`, driven by the test, which plays the API's (and the browser's) side. */
export class FakeEventSource {
  /** CONNECTING (0), OPEN (1) or CLOSED (2), as in `EventSource`. */
  readyState = 0;
  private readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();

  constructor(
    readonly url: string,
    readonly init?: EventSourceInit,
  ) {}

  get closed(): boolean {
    return this.readyState === 2;
  }

  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.readyState = 2;
  }

  /**
   * An event from the API, e.g. `emit('message', JSON.stringify(value), value.id)` for a
   * tracked event (`id:` on the wire); none arrive once closed.
   */
  emit(type: string, data = '', lastEventId = ''): void {
    if (this.closed) return;
    this.readyState = 1;
    this.dispatch(type, data, lastEventId);
  }

  /** The connection dropped and the browser is reconnecting, or (`refused`) it gave up. */
  fail(refused = false): void {
    this.readyState = refused ? 2 : 0;
    this.dispatch('error', '');
  }

  private dispatch(type: string, data: string, lastEventId = ''): void {
    for (const listener of this.listeners.get(type) ?? []) listener(new MessageEvent(type, { data, lastEventId }));
  }
}

/** An `EventSource` constructor for the client, and the streams opened with it, oldest first. */
export function fakeEventSources(): { readonly EventSource: typeof EventSource; readonly opened: FakeEventSource[] } {
  const opened: FakeEventSource[] = [];
  return {
    opened,
    EventSource: class extends FakeEventSource {
      constructor(url: string, init?: EventSourceInit) {
        super(url, init);
        opened.push(this);
      }
    } as unknown as typeof EventSource,
  };
}

/** The procedures the pages use, as mocks; unstubbed calls fail loudly (subscriptions never start unless told). */
export interface FakeTrpc {
  readonly me: { readonly query: Mock<(input?: undefined, options?: unknown) => Promise<MeOutput>> };
  readonly chat: {
    readonly history: { readonly query: Mock<(input?: { limit?: number }, options?: unknown) => Promise<ChatMessage[]>> };
    readonly send: { readonly mutate: Mock<(input: { text: string }) => Promise<ChatMessage>> };
    readonly onMessage: FakeSubscription<ChatMessage>;
  };
  readonly analytics: { readonly query: Mock<() => Promise<AnalyticsOutput>> };
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
      onMessage: new FakeSubscription<ChatMessage>(),
    },
    analytics: { query: vi.fn(unexpected('analytics')) },
    sessions: {
      list: { query: vi.fn(unexpected('sessions.list')) },
      revoke: { mutate: vi.fn(unexpected('sessions.revoke')) },
      revokeOthers: { mutate: vi.fn(unexpected('sessions.revokeOthers')) },
    },
  };
}

/** Records what this tab posts to the other tabs, and delivers messages from them on demand. */
export class FakeSessionChannel implements SessionChannel {
  readonly posted: SessionMessage[] = [];
  private readonly listeners = new Set<(message: SessionMessage) => void>();

  post(message: SessionMessage): void {
    this.posted.push(message);
  }

  listen(listener: (message: SessionMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Delivers `message` as if another tab had posted it. */
  receive(message: SessionMessage): void {
    for (const listener of this.listeners) listener(message);
  }
}

/**
 * Config, a fake tRPC client, a fake window location and a fake channel between tabs, in
 * place of the real ones. (A real `BroadcastChannel` would carry messages between test
 * files running in parallel.)
 */
export function provideFakes(trpc: FakeTrpc, location: FakeWindowLocation, channel: FakeSessionChannel = new FakeSessionChannel()): Provider[] {
  return [
    { provide: APP_CONFIG, useValue: { apiUrl: API_URL } },
    // The fake implements only what the pages call; the cast is confined to tests.
    { provide: TRPC_CLIENT, useValue: trpc as unknown as TrpcClient },
    { provide: WindowLocation, useValue: location },
    { provide: SESSION_CHANNEL, useValue: channel },
  ];
}

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

/** Resolves after pending promise callbacks (fake API answers) have run. */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Lets fake API answers arrive, then waits for the component to render them. */
export async function settle(fixture: { whenStable(): Promise<unknown> }): Promise<void> {
  await flushPromises();
  await fixture.whenStable();
}
