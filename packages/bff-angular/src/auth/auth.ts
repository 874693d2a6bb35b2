import { DestroyRef, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { AuthFailureReason, MeOutput, User } from '@oidc-bff/protocol';
import { apiErrorKind, bffErrorData } from '../api/api-error.js';
import { ServiceStatus } from '../api/service-status.js';
import { BFF_TRPC_CLIENT } from '../api/trpc-client.js';
import { BFF_ROUTES } from '../bff-routes.js';
import type { AutoLoginContext } from './auto-login-link.js';
import { LoginFlow } from './login-flow.js';
import { SESSION_CHANNEL } from './session-channel.js';
import { WindowLocation } from './window-location.js';

/**
 * - `unknown`: `me` has not answered yet;
 * - `signed-in` / `signed-out`: it has;
 * - `unavailable`: the API cannot tell right now (unreachable, or something it depends on
 *   is down, see `ServiceStatus`). Not a sign-out: it becomes `signed-in` again by itself.
 */
export type AuthStatus = 'unknown' | 'signed-in' | 'signed-out' | 'unavailable';

type SessionState =
  | { readonly status: 'unknown' }
  | { readonly status: 'signed-in'; readonly me: MeOutput }
  | { readonly status: 'signed-out'; readonly reason: AuthFailureReason | undefined }
  | { readonly status: 'unavailable' };

/**
 * The session as the API sees it, loaded from `me`. The application's tabs share one
 * session (one cookie): when one signs out, it tells the others through
 * {@link SESSION_CHANNEL}, and they show the signed-out home page (`routes.home`).
 *
 * While the API is unavailable the status is `unavailable`, whatever it was; the user
 * last seen is kept, and `me` is asked again each time {@link ServiceStatus} says to
 * retry, so the status returns to `signed-in` when the API answers, with no sign-in.
 *
 * Typed to the BFF's `me` only, whatever the app's router. Provided by `provideBff`.
 *
 * @example
 * protected readonly auth = inject(Auth);
 * // template: @if (auth.user(); as user) { {{ user.name }} <button (click)="auth.logout()">Sign out</button> }
 */
export class Auth {
  private readonly trpc = inject(BFF_TRPC_CLIENT);
  private readonly routes = inject(BFF_ROUTES);
  private readonly flow = inject(LoginFlow);
  private readonly location = inject(WindowLocation);
  private readonly router = inject(Router);
  private readonly channel = inject(SESSION_CHANNEL);
  private readonly service = inject(ServiceStatus);
  private readonly state = signal<SessionState>({ status: 'unknown' });
  private pending: Promise<AuthStatus> | undefined;

  readonly status = computed<AuthStatus>(() => (this.service.problem()?.kind === 'unavailable' ? 'unavailable' : this.state().status));
  /** Everything `me` returned (session expiry, logout URL), or null when not signed in; kept while the API is unavailable. */
  readonly me = computed(() => {
    const state = this.state();
    return state.status === 'signed-in' ? state.me : null;
  });
  readonly user = computed<User | null>(() => this.me()?.user ?? null);
  /** Why the API considers the user signed out, when it said. */
  readonly signedOutReason = computed(() => {
    const state = this.state();
    return state.status === 'signed-out' ? state.reason : undefined;
  });

  constructor() {
    const destroyRef = inject(DestroyRef);
    const stopListening = this.channel?.listen((message) => {
      if (message.type === 'signed-out') this.showSignedOutFromAnotherTab();
    });
    if (stopListening) destroyRef.onDestroy(stopListening);
    destroyRef.onDestroy(this.service.onRetry(() => this.recheckWhileUnavailable()));
  }

  /** Resolves once the status is known; loads it the first time. Concurrent callers share one request. */
  load(): Promise<AuthStatus> {
    if (this.state().status !== 'unknown') return Promise.resolve(this.status());
    return (this.pending ??= this.fetchSession());
  }

  /** Asks the API again (e.g. a "Retry" after `unavailable`). */
  refresh(): Promise<AuthStatus> {
    this.state.set({ status: 'unknown' });
    this.pending = undefined;
    return this.load();
  }

  /** Whether the user has the application role `role` (granted by the API from their groups). */
  hasRole(role: string): boolean {
    return this.user()?.roles.includes(role) ?? false;
  }

  /** Leaves for the identity provider; comes back to `returnTo` (default: this page). */
  login(returnTo?: string): void {
    this.flow.login(returnTo);
  }

  /**
   * Leaves for the API's logout URL, which ends the session there and at the identity
   * provider, after telling the application's other tabs.
   */
  logout(): void {
    const me = this.me();
    if (!me) return;
    this.channel?.post({ type: 'signed-out' });
    this.location.assign(me.logoutUrl);
  }

  /**
   * Asks the API again, without sign-in: after a sign that the session has ended which
   * was not a failed call (a live stream the API closed), and at each retry of an outage.
   * If the session has ended, shows the signed-out home page rather than signing in again;
   * otherwise the status is brought up to date. The status stays as it was while the API
   * answers.
   */
  async recheck(): Promise<AuthStatus> {
    const status = await (this.pending ??= this.fetchSession());
    if (status === 'signed-out') this.showHome();
    return status;
  }

  /** The retry of an outage (or the end of a rate limit): asks `me` again if the status is still in doubt. */
  private recheckWhileUnavailable(): void {
    if (this.status() === 'unavailable') void this.recheck();
  }

  /** Taken on trust rather than asked of the API, which may not have ended the session yet. */
  private showSignedOutFromAnotherTab(): void {
    this.state.set({ status: 'signed-out', reason: undefined });
    this.showHome();
  }

  /** The home page is where the signed-out state (and the way to sign in again) is shown. */
  private showHome(): void {
    void this.router.navigateByUrl(this.routes.home);
  }

  private async fetchSession(): Promise<AuthStatus> {
    try {
      // The landing page must be able to show "signed out" rather than sign in by itself.
      const me = await this.trpc.me.query(undefined, { context: { autoLogin: false } satisfies AutoLoginContext });
      this.flow.forgetAttempt();
      this.state.set({ status: 'signed-in', me });
      return 'signed-in';
    } catch (error) {
      if (apiErrorKind(error) === 'unauthorized') {
        this.state.set({ status: 'signed-out', reason: bffErrorData(error)?.reason });
        return 'signed-out';
      }
      // The API could not tell (down, rate limited): a user already seen is kept, so pages keep what they show.
      if (this.state().status !== 'signed-in') this.state.set({ status: 'unavailable' });
      return 'unavailable';
    } finally {
      this.pending = undefined;
    }
  }
}
