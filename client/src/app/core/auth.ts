import { DestroyRef, Injectable, computed, inject, signal } from '@angular/core';
import { Router } from '@angular/router';
import type { AppRouter } from '@bff/server/router';
import type { AuthFailureReason, MeOutput, User } from '@bff/shared';
import type { TRPCClientError } from '@trpc/client';
import { apiErrorKind } from './api-error';
import type { AutoLoginContext } from './auto-login-link';
import { LoginFlow } from './login-flow';
import { SESSION_CHANNEL } from './session-channel';
import { TRPC_CLIENT } from './trpc-client';
import { WindowLocation } from './window-location';

/**
 * - `unknown`: `me` has not answered yet;
 * - `signed-in` / `signed-out`: it has;
 * - `unavailable`: the API could not tell (unreachable, or the identity provider is down).
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
 * {@link SESSION_CHANNEL}, and they show the signed-out home page.
 */
@Injectable({ providedIn: 'root' })
export class Auth {
  private readonly trpc = inject(TRPC_CLIENT);
  private readonly flow = inject(LoginFlow);
  private readonly location = inject(WindowLocation);
  private readonly router = inject(Router);
  private readonly channel = inject(SESSION_CHANNEL);
  private readonly state = signal<SessionState>({ status: 'unknown' });
  private pending: Promise<AuthStatus> | undefined;

  readonly status = computed(() => this.state().status);
  /** Everything `me` returned (session expiry, logout URL), or null when not signed in. */
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
    const stopListening = this.channel?.listen((message) => {
      // Taken on trust rather than asked of the API, which may not have ended the session yet.
      if (message.type !== 'signed-out') return;
      this.state.set({ status: 'signed-out', reason: undefined });
      this.showHome();
    });
    if (stopListening) inject(DestroyRef).onDestroy(stopListening);
  }

  /** Resolves once the status is known; loads it the first time. Concurrent callers share one request. */
  load(): Promise<AuthStatus> {
    const status = this.status();
    if (status !== 'unknown') return Promise.resolve(status);
    return (this.pending ??= this.fetchSession());
  }

  /** Asks the API again (e.g. a "Retry" after `unavailable`). */
  refresh(): Promise<AuthStatus> {
    this.state.set({ status: 'unknown' });
    this.pending = undefined;
    return this.load();
  }

  hasGroup(group: string): boolean {
    return this.user()?.groups.includes(group) ?? false;
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
   * Asks the API again after a sign that the session has ended which was not a failed call
   * (a live stream the API closed). If it has, shows the signed-out home page rather than
   * signing in again; otherwise the status is brought up to date. The status stays as it
   * was while the API answers.
   */
  async recheck(): Promise<AuthStatus> {
    const status = await (this.pending ??= this.fetchSession());
    if (status === 'signed-out') this.showHome();
    return status;
  }

  /** The home page is where the signed-out state (and the way to sign in again) is shown. */
  private showHome(): void {
    void this.router.navigateByUrl('/');
  }

  private async fetchSession(): Promise<AuthStatus> {
    let next: SessionState;
    try {
      // The landing page must be able to show "signed out" rather than sign in by itself.
      const me = await this.trpc.me.query(undefined, { context: { autoLogin: false } satisfies AutoLoginContext });
      this.flow.forgetAttempt();
      next = { status: 'signed-in', me };
    } catch (error) {
      next =
        apiErrorKind(error) === 'unauthorized'
          ? { status: 'signed-out', reason: (error as TRPCClientError<AppRouter>).data?.reason }
          : { status: 'unavailable' };
    } finally {
      this.pending = undefined;
    }
    this.state.set(next);
    return next.status;
  }
}
