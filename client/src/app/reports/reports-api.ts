import { Injectable } from '@angular/core';
import type { ReportSummaries, ReportSummary } from '@bff/shared';
import { injectRemoteApi } from '@oidc-bff/angular/remote';

/**
 * The reports API, called straight from the page through the BFF's remote-API proxy
 * (`/api/remote/reports/...`): the browser holds no token; the BFF adds the user's.
 */
@Injectable({ providedIn: 'root' })
export class ReportsApi {
  private readonly api = injectRemoteApi('reports');

  summaries(signal?: AbortSignal): Promise<ReportSummaries> {
    return this.api.get<ReportSummaries>('/summaries', signal ? { signal } : {});
  }

  summary(id: string): Promise<ReportSummary> {
    return this.api.get<ReportSummary>(`/summaries/${encodeURIComponent(id)}`);
  }
}
