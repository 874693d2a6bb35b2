import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { AppRouter } from '@bff/server/router';
import { loginBuckets, type AnalyticsOutput } from '@bff/shared';
import { ServiceStatus, apiErrorKind, injectTrpc, type ApiErrorKind } from '@oidc-bff/angular';
import { formatDateTime, formatMessageTime } from '../format/date-format';
import { apiErrorMessage } from '../messages/api-error-message';
import { ANALYST_ROLE } from '../roles';
import { CHART_WIDTH, layoutLoginChart, layoutProcedureChart } from './chart-layout';

type State =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly data: AnalyticsOutput }
  | { readonly status: 'error'; readonly kind: ApiErrorKind; readonly message: string };

/** API usage since the server started and sign-ins over the last hour, for analysts. */
@Component({
  selector: 'app-analytics-page',
  imports: [RouterLink],
  templateUrl: './analytics-page.html',
  styleUrl: './analytics-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AnalyticsPage {
  private readonly trpc = injectTrpc<AppRouter>();

  protected readonly state = signal<State>({ status: 'loading' });
  protected readonly role = ANALYST_ROLE;
  protected readonly chartWidth = CHART_WIDTH;
  protected readonly dateTime = formatDateTime;

  protected readonly data = computed(() => {
    const state = this.state();
    return state.status === 'ready' ? state.data : null;
  });
  protected readonly procedureChart = computed(() => layoutProcedureChart(this.data()?.procedures ?? []));
  /** The sign-in series, one bucket per minute. */
  private readonly logins = computed(() => {
    const data = this.data();
    return data ? loginBuckets(data.loginsPerMinute) : [];
  });
  protected readonly loginChart = computed(() => layoutLoginChart(this.logins(), (iso) => formatMessageTime(iso)));
  protected readonly totals = computed(() => {
    const data = this.data();
    const calls = data?.procedures.reduce((sum, p) => sum + p.calls, 0) ?? 0;
    const errors = data?.procedures.reduce((sum, p) => sum + p.errors, 0) ?? 0;
    const logins = data?.loginsPerMinute.counts.reduce((sum, count) => sum + count, 0) ?? 0;
    return { calls, errors, logins, errorRate: calls > 0 ? `${((errors / calls) * 100).toFixed(1)} %` : '–' };
  });
  protected readonly busyMinutes = computed(() => this.logins().filter((b) => b.count > 0));

  constructor() {
    void this.refresh();
    // Loads again by itself once an outage is over, rather than waiting for "Try again".
    const stop = inject(ServiceStatus).onRecovered(() => {
      const state = this.state();
      if (state.status === 'error' && state.kind === 'unavailable') void this.refresh();
    });
    inject(DestroyRef).onDestroy(stop);
  }

  protected async refresh(): Promise<void> {
    if (this.state().status !== 'ready') this.state.set({ status: 'loading' });
    try {
      this.state.set({ status: 'ready', data: await this.trpc.analytics.query() });
    } catch (error) {
      this.state.set({ status: 'error', kind: apiErrorKind(error), message: apiErrorMessage(error) });
    }
  }

  protected minute(iso: string): string {
    return formatMessageTime(iso);
  }
}
