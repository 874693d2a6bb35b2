import type { LoginErrorCode } from '@oidc-bff/protocol';

/** One finished procedure call, as {@link BffHooks.onCall} sees it. */
export interface CallEvent {
  /** The procedure's path, e.g. `chat.send`: from the router, never from the request. */
  readonly path: string;
  readonly type: 'query' | 'mutation' | 'subscription';
  readonly durationMs: number;
  readonly ok: boolean;
}

/** One finished sign-in, as {@link BffHooks.onLogin} sees it. */
export interface LoginEvent {
  readonly outcome: 'success' | LoginErrorCode;
}

/**
 * What an app may observe of the BFF. Hooks are called synchronously on the request's
 * path and must not throw or block: record and return.
 */
export interface BffHooks {
  onCall?(event: CallEvent): void;
  onLogin?(event: LoginEvent): void;
}

/**
 * The app's own services (its stores, its metrics), reached by its procedures as
 * `ctx.app`. An app declares their types once by augmenting this interface:
 *
 * @example
 * declare module '@oidc-bff/server' {
 *   interface AppServices { readonly chat: ChatStore }
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmented by the app (declaration merging)
export interface AppServices {}
