import { InjectionToken, inject, makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient, type TRPCLink } from '@trpc/client';
import type { AppRouter } from '@bff/server/router';
import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE } from '@bff/shared';
import { APP_CONFIG } from '../config/app-config';

/** The typed API client: `trpc.chat.send.mutate({ text })`. */
export type TrpcClient = TRPCClient<AppRouter>;

export const TRPC_CLIENT = new InjectionToken<TrpcClient>('TRPC_CLIENT');

export interface TrpcClientOptions {
  /** The API's base URL, e.g. `https://api.example.com`. */
  readonly apiUrl: string;
  /**
   * Links placed before the transport, in order: they see every call and its outcome
   * (e.g. `autoLoginLink`, which starts sign-in when a call fails with UNAUTHORIZED).
   */
  readonly links?: readonly TRPCLink<AppRouter>[];
  /** For tests; defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** For tests; defaults to the global `EventSource`. */
  readonly EventSource?: typeof EventSource;
}

/**
 * Builds the client. Queries and mutations made in the same tick go out as one HTTP
 * request, with the session cookie (`credentials: 'include'`) and the anti-forgery header
 * the API requires. Subscriptions use server-sent events with the session cookie
 * (`withCredentials`); an `EventSource` cannot send headers, so the API checks their
 * `Origin` instead. Their events are tracked (each carries an id): after a drop the link
 * reconnects with the last id it received, and the API sends what was missed.
 */
export function createTrpcClient(options: TrpcClientOptions): TrpcClient {
  const url = `${options.apiUrl}${API_PATHS.trpc}`;
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  return createTRPCClient<AppRouter>({
    links: [
      ...(options.links ?? []),
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          eventSourceOptions: { withCredentials: true },
          ...(options.EventSource ? { EventSource: options.EventSource } : {}),
        }),
        false: httpBatchLink({
          url,
          headers: { [CSRF_HEADER]: CSRF_HEADER_VALUE },
          // Long batches of queries are split rather than sent as URLs proxies may refuse.
          maxURLLength: 2000,
          fetch: (input, init) => fetchImpl(input, { ...(init as RequestInit), credentials: 'include' }),
        }),
      }),
    ],
  });
}

/**
 * Provides {@link TRPC_CLIENT} for the API of {@link APP_CONFIG}. `links` runs in the
 * injection context and returns the links to place before the transport.
 *
 * @example
 * provideTrpcClient(() => [autoLoginLink(inject(LoginFlow))])
 */
export function provideTrpcClient(links: () => readonly TRPCLink<AppRouter>[] = () => []): EnvironmentProviders {
  return makeEnvironmentProviders([
    {
      provide: TRPC_CLIENT,
      useFactory: (): TrpcClient => createTrpcClient({ apiUrl: inject(APP_CONFIG).apiUrl, links: links() }),
    },
  ]);
}
