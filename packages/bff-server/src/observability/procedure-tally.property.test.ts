import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BffMetrics, quantile, type ProcedureFigures } from './metrics.js';

/**
 * What the analytics page reads (`procedures()`, a tally kept beside the histogram) is what
 * Prometheus scrapes of `bff_procedure_duration_seconds`: for any sequence of calls, the calls,
 * errors and percentiles worked out from the scrape's text are the tally's.
 */
const BOUNDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The figures of each procedure as the exposition text gives them (buckets summed over outcomes). */
function fromScrape(text: string): ProcedureFigures[] {
  const byProcedure = new Map<string, { calls: number; errors: number; buckets: Map<number, number> }>();
  for (const line of text.split('\n')) {
    const match = /^bff_procedure_duration_seconds_(bucket|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = Object.fromEntries([...match[2]!.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key!, value!]));
    const value = Number(match[3]);
    const procedure = labels.procedure!;
    let figures = byProcedure.get(procedure);
    if (!figures) byProcedure.set(procedure, (figures = { calls: 0, errors: 0, buckets: new Map() }));
    if (match[1] === 'count') {
      figures.calls += value;
      if (labels.outcome !== 'ok') figures.errors += value;
    } else {
      const bound = labels.le === '+Inf' ? Infinity : Number(labels.le);
      figures.buckets.set(bound, (figures.buckets.get(bound) ?? 0) + value);
    }
  }
  return [...byProcedure].map(([procedure, { calls, errors, buckets }]) => {
    const sorted = [...buckets].sort(([a], [b]) => a - b);
    return { procedure, calls, errors, p50Seconds: quantile(0.5, sorted), p95Seconds: quantile(0.95, sorted) };
  });
}

const byName = (figures: ProcedureFigures[]) => [...figures].sort((a, b) => a.procedure.localeCompare(b.procedure));

const call = fc.record({
  path: fc.constantFrom('me', 'chat.history', 'analytics', 'sessions.list'),
  ok: fc.boolean(),
  code: fc.constantFrom('UNAUTHORIZED', 'FORBIDDEN', 'SERVICE_UNAVAILABLE', undefined),
  // Bucket bounds themselves (Prometheus's `le` is inclusive), between them, and above the last.
  durationMs: fc.oneof(fc.constantFrom(...BOUNDS.map((bound) => bound * 1000)), fc.double({ min: 0, max: 20_000, noNaN: true }), fc.constant(0)),
});

describe('the procedure figures the analytics page reads', () => {
  it('are the ones Prometheus scrapes, for any sequence of calls', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { maxLength: 200 }), async (calls) => {
        const metrics = new BffMetrics({ probes: () => ({}), activeSessions: async () => 0 });
        for (const { path, ok, code, durationMs } of calls) metrics.hooks.onCall!({ path, type: 'query', durationMs, ok, code: ok ? undefined : code });
        const tally = byName(await metrics.procedures());
        const scraped = byName(fromScrape(await metrics.registry.metrics()));
        expect(tally.map(({ procedure, calls, errors }) => ({ procedure, calls, errors }))).toEqual(
          scraped.map(({ procedure, calls, errors }) => ({ procedure, calls, errors })),
        );
        tally.forEach((figures, i) => {
          expect(figures.p50Seconds).toBeCloseTo(scraped[i]!.p50Seconds, 12);
          expect(figures.p95Seconds).toBeCloseTo(scraped[i]!.p95Seconds, 12);
        });
      }),
      { numRuns: 200 },
    );
  });
});
