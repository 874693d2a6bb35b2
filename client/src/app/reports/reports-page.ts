import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import type { AppRouter } from '@bff/server/router';
import type { ReportSummary, ReportsOverview } from '@bff/shared';
import { apiErrorKind, injectTrpc, type ApiErrorKind } from '@oidc-bff/angular';
import { RemoteApiError } from '@oidc-bff/angular/remote';
import { apiErrorMessage } from '../messages/api-error-message';
import { ReportsApi } from './reports-api';

type Loaded<T> =
  | { readonly status: 'loading' }
  | { readonly status: 'ready'; readonly data: T }
  | { readonly status: 'error'; readonly kind: ApiErrorKind; readonly message: string };

const MESSAGES: Record<ApiErrorKind, string> = {
  unauthorized: 'Your session has ended. Taking you to sign-in…',
  forbidden: 'The reports service does not give your account access.',
  'not-found': 'The report is no longer there.',
  invalid: 'The request was refused as invalid.',
  'rate-limited': 'Too many requests; wait a moment and try again.',
  unavailable: 'The reports service is temporarily unavailable. Try again in a moment.',
  failed: 'Something went wrong on our side. Try again; if it keeps happening, contact the service desk.',
};

/**
 * The bank's reports, from the reports API two ways: an overview a procedure computes on the
 * server (`reports.overview`, which calls the API for the user), and the list of summaries the
 * page reads through the BFF's remote-API proxy.
 */
@Component({
  selector: 'app-reports-page',
  templateUrl: './reports-page.html',
  styleUrl: './reports-page.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReportsPage {
  private readonly trpc = injectTrpc<AppRouter>();
  private readonly reports = inject(ReportsApi);

  protected readonly overview = signal<Loaded<ReportsOverview>>({ status: 'loading' });
  protected readonly summaries = signal<Loaded<readonly ReportSummary[]>>({ status: 'loading' });
  protected readonly amount = (value: number, currency: string) =>
    new Intl.NumberFormat(undefined, { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }).format(value);

  constructor() {
    void this.refresh();
  }

  protected async refresh(): Promise<void> {
    await Promise.all([this.loadOverview(), this.loadSummaries()]);
  }

  private async loadOverview(): Promise<void> {
    this.overview.set({ status: 'loading' });
    try {
      this.overview.set({ status: 'ready', data: await this.trpc.reports.overview.query() });
    } catch (error) {
      this.overview.set({ status: 'error', kind: apiErrorKind(error), message: apiErrorMessage(error) });
    }
  }

  private async loadSummaries(): Promise<void> {
    this.summaries.set({ status: 'loading' });
    try {
      this.summaries.set({ status: 'ready', data: (await this.reports.summaries()).summaries });
    } catch (error) {
      const kind = error instanceof RemoteApiError ? error.kind : 'failed';
      this.summaries.set({ status: 'error', kind, message: MESSAGES[kind] });
    }
  }
}
