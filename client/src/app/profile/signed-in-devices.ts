import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import type { AppRouter } from '@bff/server/router';
import { ServiceStatus, apiErrorKind, injectTrpc } from '@oidc-bff/angular';
import type { DeviceSession } from '@oidc-bff/protocol';
import { formatDateTime } from '../format/date-format';
import { apiErrorMessage } from '../messages/api-error-message';

type ListState =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly sessions: readonly DeviceSession[] }
  | { readonly status: 'error'; readonly message: string };

/** What the last sign-out did, said in a live region: done, or why not. */
type Outcome = { readonly ok: boolean; readonly text: string };

/**
 * The user's signed-in sessions (`sessions.list`), with a way to end any other one
 * (`sessions.revoke`) or all of them (`sessions.revokeOthers`). The list is read again
 * after each sign-out, since sessions also end by themselves. Failures are said with
 * `apiErrorMessage`; an outage or a rate limit is also on the shell's banner, and a list
 * that failed to load is read again once the API is back.
 */
@Component({
  selector: 'app-signed-in-devices',
  templateUrl: './signed-in-devices.html',
  styleUrl: './signed-in-devices.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
  host: { role: 'region', 'aria-labelledby': 'devices-title' },
})
export class SignedInDevices {
  private readonly trpc = injectTrpc<AppRouter>();

  protected readonly list = signal<ListState>({ status: 'loading' });
  /** A sign-out (and the reading of the list that follows) is under way: the buttons wait for it. */
  protected readonly busy = signal(false);
  protected readonly outcome = signal<Outcome | null>(null);
  protected readonly dateTime = formatDateTime;

  protected readonly sessions = computed(() => {
    const list = this.list();
    return list.status === 'ready' ? list.sessions : [];
  });
  protected readonly hasOthers = computed(() => this.sessions().some((session) => !session.current));

  constructor() {
    void this.load();
    inject(DestroyRef).onDestroy(
      inject(ServiceStatus).onRecovered(() => {
        if (this.list().status === 'error') void this.load();
      }),
    );
  }

  protected async load(): Promise<void> {
    if (this.list().status !== 'ready') this.list.set({ status: 'loading' });
    try {
      this.list.set({ status: 'ready', sessions: await this.trpc.sessions.list.query() });
    } catch (error) {
      this.list.set({ status: 'error', message: apiErrorMessage(error) });
    }
  }

  /** Ends `session`; `heading` gets the focus, since the button goes with the session. */
  protected revoke(session: DeviceSession, heading: HTMLElement): Promise<void> {
    return this.signOut(
      () => this.trpc.sessions.revoke.mutate({ id: session.id }),
      () => `${this.name(session)} was signed out.`,
      heading,
    );
  }

  /** Ends every session but this one; `heading` gets the focus, since the button is then disabled. */
  protected revokeOthers(heading: HTMLElement): Promise<void> {
    return this.signOut(
      () => this.trpc.sessions.revokeOthers.mutate(),
      ({ ended }) => (ended === 1 ? 'Signed out on 1 other device.' : `Signed out on ${ended} other devices.`),
      heading,
    );
  }

  /** "Firefox on Linux". */
  protected name(session: DeviceSession): string {
    return `${session.browser} on ${session.os}`;
  }

  /** Runs a sign-out, says how it went, and reads the list again unless it failed. */
  private async signOut<T>(call: () => Promise<T>, done: (result: T) => string, heading: HTMLElement): Promise<void> {
    this.busy.set(true);
    this.outcome.set(null);
    const outcome = await call().then(
      (result): Outcome | null => ({ ok: true, text: done(result) }),
      // Already ended (expired, or signed out elsewhere): the list was out of date, nothing failed.
      (error: unknown): Outcome | null => (apiErrorKind(error) === 'not-found' ? null : { ok: false, text: `Not signed out. ${apiErrorMessage(error)}` }),
    );
    this.outcome.set(outcome);
    if (outcome?.ok !== false) {
      await this.load();
      heading.focus();
    }
    this.busy.set(false);
  }
}
