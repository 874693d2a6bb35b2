import { TestBed, type ComponentFixture } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { AnalyticsOutput } from '@bff/shared';
import { networkError, provideBffTesting, trpcError } from '@oidc-bff/angular/testing';
import { createFakeTrpc, type FakeTrpc } from '../../testing/fake-api';
import { ALICE } from '../../testing/users';
import { settle } from '../../testing/settle';
import { AnalyticsPage } from './analytics-page';
import { layoutProcedureChart, niceCeiling } from './chart-layout';

function minutes(counts: number[]): AnalyticsOutput['loginsPerMinute'] {
  return { from: new Date(Date.UTC(2030, 0, 1, 9, 0)).toISOString(), counts };
}

const DATA: AnalyticsOutput = {
  since: '2030-01-01T08:00:00.000Z',
  instance: 'api-1',
  procedures: [
    { path: 'chat.history', calls: 40, errors: 0, p50Ms: 2, p95Ms: 9 },
    { path: 'chat.send', calls: 10, errors: 2, p50Ms: 3, p95Ms: 12 },
    { path: 'me', calls: 80, errors: 4, p50Ms: 1.5, p95Ms: 6 },
  ],
  loginsPerMinute: minutes([0, 2, 0, 0, 5, 1]),
  activeSessions: 7,
};

describe('AnalyticsPage', () => {
  let trpc: FakeTrpc;

  async function render(): Promise<{ fixture: ComponentFixture<AnalyticsPage>; el: HTMLElement }> {
    const fixture = TestBed.createComponent(AnalyticsPage);
    await fixture.whenStable();
    return { fixture, el: fixture.nativeElement as HTMLElement };
  }

  beforeEach(() => {
    trpc = createFakeTrpc();
    trpc.me.query.mockResolvedValue(ALICE);
    TestBed.configureTestingModule({ providers: [provideRouter([]), provideBffTesting({ client: trpc })] });
  });

  it('shows a loading state first', async () => {
    trpc.analytics.query.mockReturnValue(new Promise(() => undefined));
    const { el } = await render();
    expect(el.querySelector('[data-testid=analytics-loading]')).not.toBeNull();
  });

  it('draws one bar per procedure and one column per minute with sign-ins', async () => {
    trpc.analytics.query.mockResolvedValue(DATA);
    const { el } = await render();

    const bars = [...el.querySelectorAll('[data-testid=calls-chart] [data-testid=calls-bar]')];
    expect(bars.map((bar) => bar.querySelector('text')?.textContent?.trim())).toEqual(['chat.history', 'chat.send', 'me']);
    const widths = bars.map((bar) => Number(bar.querySelector('.bar-calls')?.getAttribute('width')));
    expect(widths[2]).toBeGreaterThan(widths[0] ?? Infinity);
    expect(widths[0]).toBeGreaterThan(widths[1] ?? Infinity);
    expect(bars.map((bar) => bar.querySelector('.bar-errors') !== null)).toEqual([false, true, true]);

    expect(el.querySelectorAll('[data-testid=logins-chart] [data-testid=logins-column]')).toHaveLength(3);
    expect(el.querySelector('[data-testid=active-sessions]')?.textContent).toContain('7');
    expect(el.querySelectorAll('table tbody tr').length).toBeGreaterThanOrEqual(3);
    expect(el.querySelector('[data-testid=calls-chart]')?.getAttribute('role')).toBe('img');
  });

  it('says so when no call has been recorded', async () => {
    trpc.analytics.query.mockResolvedValue({ ...DATA, procedures: [], loginsPerMinute: minutes([0, 0]) });
    const { el } = await render();
    expect(el.querySelector('[data-testid=calls-empty]')).not.toBeNull();
    expect(el.querySelector('[data-testid=calls-chart]')).toBeNull();
  });

  it('explains the missing role when the API answers FORBIDDEN', async () => {
    trpc.analytics.query.mockRejectedValue(trpcError('FORBIDDEN', 'forbidden'));
    const { el } = await render();
    expect(el.querySelector('[data-testid=analytics-forbidden] strong')?.textContent).toContain('analyst role');
    expect(el.querySelector('[data-testid=calls-chart]')).toBeNull();
  });

  it('shows an error with a retry for other failures', async () => {
    trpc.analytics.query.mockRejectedValueOnce(networkError()).mockResolvedValueOnce(DATA);
    const { fixture, el } = await render();
    const error = el.querySelector('[data-testid=analytics-error]');
    expect(error).not.toBeNull();

    (error?.querySelector('button') as HTMLButtonElement).click();
    await settle(fixture);
    expect(el.querySelectorAll('[data-testid=calls-bar]')).toHaveLength(3);
  });
});

describe('chart layout', () => {
  it('rounds axis ends up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 180, 501].map(niceCeiling)).toEqual([1, 1, 5, 10, 10, 20, 200, 1000]);
  });

  it('scales bars to the axis and never draws more failures than calls', () => {
    const chart = layoutProcedureChart([
      { path: 'a', calls: 50, errors: 60, p50Ms: 1, p95Ms: 1 },
      { path: 'b', calls: 25, errors: 0, p50Ms: 1, p95Ms: 1 },
    ]);
    expect(chart.bars[0]?.callsWidth).toBeCloseTo(chart.plotWidth);
    expect(chart.bars[1]?.callsWidth).toBeCloseTo(chart.plotWidth / 2);
    expect(chart.bars[0]?.errorsWidth).toBe(chart.bars[0]?.callsWidth);
  });
});
