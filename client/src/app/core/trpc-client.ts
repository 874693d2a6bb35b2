import { InjectionToken, inject, makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '@bff/server/router';
import { APP_CONFIG } from './app-config';
import { autoLoginLink, type UnauthorizedHandler } from './auto-login-link';
import { LoginFlow } from './login-flow';

/** The typed API client: `trpc.chat.send.mutate({ text })`. */
export type TrpcClient = TRPCClient<AppRouter>;

export const TRPC_CLIENT = new InjectionToken<TrpcClient>('TRPC_CLIENT');

export interface TrpcClientOptions {
  /** The API's base URL, e.g. `https://api.example.com`. */
  readonly apiUrl: string;
  readonly onUnauthorized: UnauthorizedHandler;
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
 * `Origin` instead.
 * Every kind of call goes through {@link autoLoginLink}.
 */
export function createTrpcClient(options: TrpcClientOptions): TrpcClient {
  const url = `${options.apiUrl}/api/trpc`;
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  return createTRPCClient<AppRouter>({
    links: [
      autoLoginLink(options.onUnauthorized),
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url,
          eventSourceOptions: { withCredentials: true },
          ...(options.EventSource ? { EventSource: options.EventSource } : {}),
        }),
        false: httpBatchLink({
          url,
          headers: { 'x-csrf': '1' },
          // Long batches of queries are split rather than sent as URLs proxies may refuse.
          maxURLLength: 2000,
          fetch: (input, init) => fetchImpl(input, { ...(init as RequestInit), credentials: 'include' }),
        }),
      }),
    ],
  });
}

/**
 * Provides {@link TRPC_CLIENT} for the API of {@link APP_CONFIG}, wired to {@link LoginFlow}
 * so that any call refused as unauthenticated leads to sign-in.
 */
export function provideTrpcClient(): EnvironmentProviders {
  return makeEnvironmentProviders([
    {
      provide: TRPC_CLIENT,
      useFactory: (): TrpcClient => {
        const flow = inject(LoginFlow);
        return createTrpcClient({
          apiUrl: inject(APP_CONFIG).apiUrl,
          onUnauthorized: (reason, options) => flow.onUnauthorized(reason, options),
        });
      },
    },
  ]);
}
