import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { AnalyticsOutput } from '@bff/shared';
import { apiErrorKind, apiErrorMessage, type ApiErrorKind } from '../core/api-error';
import { formatDateTime, formatMessageTime } from '../core/date-format';
import { ANALYSTS_GROUP } from '../core/groups';
import { TRPC_CLIENT } from '../core/trpc-client';
import { CHART_WIDTH, layoutLoginChart, layoutProcedureChart } from './chart-layout';

type State =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly data: AnalyticsOutput }
  | { readonly status: 'error'; readonly kind: ApiErrorKind };

/** API usage since the server started and sign-ins over the last hour, for analysts. */
@Component({
  selector: 'app-analytics-page',
  imports: [RouterLink],
  templateUrl: './analytics-page.html',
  styleUrl: './analytics-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AnalyticsPage {
  private readonly trpc = inject(TRPC_CLIENT);

  protected readonly state = signal<State>({ status: 'loading' });
  protected readonly group = ANALYSTS_GROUP;
  protected readonly chartWidth = CHART_WIDTH;
  protected readonly errorMessage = apiErrorMessage;
  protected readonly dateTime = formatDateTime;

  protected readonly data = computed(() => {
    const state = this.state();
    return state.status === 'ready' ? state.data : null;
  });
  protected readonly procedureChart = computed(() => layoutProcedureChart(this.data()?.procedures ?? []));
  protected readonly loginChart = computed(() =>
    layoutLoginChart(this.data()?.loginsPerMinute ?? [], (iso) => formatMessageTime(iso)),
  );
  protected readonly totals = computed(() => {
    const data = this.data();
    const calls = data?.procedures.reduce((sum, p) => sum + p.calls, 0) ?? 0;
    const errors = data?.procedures.reduce((sum, p) => sum + p.errors, 0) ?? 0;
    const logins = data?.loginsPerMinute.reduce((sum, b) => sum + b.count, 0) ?? 0;
    return { calls, errors, logins, errorRate: calls > 0 ? `${((errors / calls) * 100).toFixed(1)} %` : '–' };
  });
  protected readonly busyMinutes = computed(() => this.data()?.loginsPerMinute.filter((b) => b.count > 0) ?? []);

  constructor() {
    void this.refresh();
  }

  protected async refresh(): Promise<void> {
    if (this.state().status !== 'ready') this.state.set({ status: 'loading' });
    try {
      this.state.set({ status: 'ready', data: await this.trpc.analytics.query() });
    } catch (error) {
      this.state.set({ status: 'error', kind: apiErrorKind(error) });
    }
  }

  protected minute(iso: string): string {
    return formatMessageTime(iso);
  }
}
