import { InjectionToken, inject } from '@angular/core';
import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE, type MeOutput } from '@oidc-bff/protocol';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, type TRPCClient, type TRPCLink, type TRPCRequestOptions } from '@trpc/client';
import type { AnyTRPCRouter } from '@trpc/server';

/**
 * A router the BFF's Angular side can work with: one that holds the BFF's own `me` query
 * (the server's `bffRouter`, merged with the app's routers) and sends plain JSON (no
 * transformer, as the BFF's `initTRPC`). Checked at compile time by `provideBff`'s type
 * parameter; nothing else of the app's router is assumed.
 *
 * @example
 * export const appRouter = mergeRouters(bffRouter, router({ chat: chatRouter }));
 * provideBff<typeof appRouter>(...)
 */
export type BffCompatibleRouter = AnyTRPCRouter & {
  readonly _def: {
    readonly _config: { readonly $types: { readonly transformer: false } };
    readonly record: { readonly me: { readonly _def: { readonly type: 'query'; readonly $types: { readonly output: MeOutput } } } };
  };
};

/**
 * What the machinery itself calls on the tRPC client: the BFF's `me`. `Auth` is typed to
 * this, not to the app's router; a fake of it is all a spec needs to give `Auth` a session.
 */
export interface BffClient {
  readonly me: { query(input?: undefined, options?: TRPCRequestOptions): Promise<MeOutput> };
}

/**
 * The application's tRPC client, installed by `provideBff`. Typed to the machinery's view
 * ({@link BffClient}); the app reads it typed to its own router with {@link injectTrpc}.
 */
export const BFF_TRPC_CLIENT = new InjectionToken<BffClient>('BFF_TRPC_CLIENT');

/**
 * The application's tRPC client, typed to the app's router (in an injection context). The
 * type argument is the app's word: it must be the router given to `provideBff`.
 *
 * @example
 * private readonly trpc = injectTrpc<AppRouter>();
 * await this.trpc.chat.send.mutate({ text });
 */
export function injectTrpc<TRouter extends BffCompatibleRouter>(): TRPCClient<TRouter> {
  // The one place the machinery's view becomes the app's: both are the client provideBff<TRouter> built.
  return inject(BFF_TRPC_CLIENT) as unknown as TRPCClient<TRouter>;
}

export interface TrpcClientOptions<TRouter extends AnyTRPCRouter> {
  /** The API's base URL, e.g. `https://api.example.com`. */
  readonly apiUrl: string;
  /**
   * Links placed before the transport, in order: they see every call and its outcome
   * (e.g. `autoLoginLink`, which starts sign-in when a call fails with UNAUTHORIZED).
   */
  readonly links?: readonly TRPCLink<TRouter>[];
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
export function createTrpcClient<TRouter extends AnyTRPCRouter>(options: TrpcClientOptions<TRouter>): TRPCClient<TRouter> {
  const url = `${options.apiUrl}${API_PATHS.trpc}`;
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  // Built for any router: the transport reads nothing of the procedures (and the BFF uses no transformer).
  const transport: TRPCLink<AnyTRPCRouter> = splitLink({
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
  });
  return createTRPCClient<TRouter>({ links: [...(options.links ?? []), transport] });
}
