import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ReportSummaries, ReportsOverview } from '@bff/shared';
import { RemoteApiError } from '@oidc-bff/angular/remote';
import { networkError, provideBffTesting } from '@oidc-bff/angular/testing';
import { vi } from 'vitest';
import { createFakeTrpc, type FakeTrpc } from '../../testing/fake-api';
import { ReportsApi } from './reports-api';
import { ReportsPage } from './reports-page';

const SUMMARIES: ReportSummaries = {
  owner: 'alice',
  summaries: [
    { id: 'q3-retail', title: 'Retail deposits', period: '2026-Q3', total: 1_284_000_000, currency: 'EUR' },
    { id: 'q3-cards', title: 'Card payments', period: '2026-Q3', total: 211_750_000, currency: 'EUR' },
  ],
};
const OVERVIEW: ReportsOverview = {
  owner: 'alice',
  viewer: 'Alice Martin',
  reports: 2,
  totals: [{ currency: 'EUR', total: 1_495_750_000 }],
  largest: SUMMARIES.summaries[0] ?? null,
};

describe('ReportsPage', () => {
  let trpc: FakeTrpc;
  let summaries: ReturnType<typeof vi.fn<() => Promise<ReportSummaries>>>;

  async function render(): Promise<HTMLElement> {
    const fixture = TestBed.createComponent(ReportsPage);
    await fixture.whenStable();
    return fixture.nativeElement as HTMLElement;
  }

  beforeEach(() => {
    trpc = createFakeTrpc();
    summaries = vi.fn<() => Promise<ReportSummaries>>();
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideBffTesting({ client: trpc }), { provide: ReportsApi, useValue: { summaries } }],
    });
  });

  it('shows the overview the procedure computed and the summaries read through the remote-API proxy', async () => {
    trpc.reports.overview.query.mockResolvedValue(OVERVIEW);
    summaries.mockResolvedValue(SUMMARIES);
    const el = await render();
    expect(el.querySelector('[data-testid=reports-count]')?.textContent).toBe('2');
    expect(el.querySelectorAll('[data-testid=reports-summaries] tbody tr')).toHaveLength(2);
    expect(el.textContent).toContain('Retail deposits');
  });

  it('says the reports service is unavailable, in each section on its own, without signing out', async () => {
    trpc.reports.overview.query.mockRejectedValue(networkError());
    summaries.mockRejectedValue(new RemoteApiError('unavailable', 503, 'downstream_unavailable', 'reports'));
    const el = await render();
    expect(el.querySelector('[data-testid=reports-summaries-error]')?.textContent).toContain('temporarily unavailable');
    expect(el.querySelector('[data-testid=reports-overview-error]')?.textContent).toContain('temporarily unavailable');
  });

  it('says the reports service does not let the user in (downstream_unauthorized), as a refusal, not a sign-in', async () => {
    trpc.reports.overview.query.mockResolvedValue(OVERVIEW);
    summaries.mockRejectedValue(new RemoteApiError('forbidden', 401, 'downstream_unauthorized', 'reports'));
    const el = await render();
    expect(el.querySelector('[data-testid=reports-summaries-error]')?.textContent).toContain('does not give your account access');
  });
});
