import { InjectionToken, inject, makeEnvironmentProviders, type EnvironmentProviders } from '@angular/core';
import { createTRPCClient, httpBatchLink, type TRPCClient } from '@trpc/client';
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
}

/**
 * Builds the client: calls made in the same tick go out as one HTTP request, with the
 * session cookie (`credentials: 'include'`) and the anti-forgery header the API requires.
 */
export function createTrpcClient(options: TrpcClientOptions): TrpcClient {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  return createTRPCClient<AppRouter>({
    links: [
      autoLoginLink(options.onUnauthorized),
      httpBatchLink({
        url: `${options.apiUrl}/api/trpc`,
        headers: { 'x-csrf': '1' },
        // Long batches of queries are split rather than sent as URLs proxies may refuse.
        maxURLLength: 2000,
        fetch: (input, init) => fetchImpl(input, { ...(init as RequestInit), credentials: 'include' }),
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
