import type { LogCounts, Reading } from './readings.js';

const MB = 2 ** 20;

/** How much the API child may grow between the baseline and the reading after the load. */
export interface Margins {
  /** RSS may grow by the larger of these two. */
  readonly rssMb: number;
  readonly rssPercent: number;
  /** V8 heap in use after a full collection. */
  readonly heapMb: number;
  /** Open file descriptors and active resources (sockets, timers), each. */
  readonly handles: number;
}

/**
 * RSS moves by up to ±15 MB between two readings of the same idle process (the allocator
 * keeps or returns pages a collection freed), so it gets a relative margin with a floor and
 * catches only large leaks. The V8 heap after full collections is steady (within 1 MB over
 * the quick soak), so its margin is tight: one response object kept per stream (about 9 KB)
 * exceeds it within 300 streams. A socket or timer kept per call or stream would count in
 * the hundreds, so a few handles are enough.
 */
export const MARGINS: Margins = { rssMb: 16, rssPercent: 10, heapMb: 2, handles: 5 };

/** One pass/fail line of the report. */
export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** What the soak asked for and what got done. */
export interface Counts {
  readonly calls: number;
  readonly streams: number;
  readonly callsDone: number;
  readonly streamsDone: number;
  readonly unexpectedErrors: number;
  /** The API's own log lines at level `error`, by kind. */
  readonly serverErrors: number;
  readonly timedOut: boolean;
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const signed = (value: number, digits = 1) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;

/** The flatness and error checks, in the order the report prints them. */
export function evaluate(baseline: Reading, after: Reading, margins: Margins, counts: Counts): Check[] {
  const rssDelta = after.rss - baseline.rss;
  const rssAllowed = Math.max(margins.rssMb * MB, (margins.rssPercent / 100) * baseline.rss);
  const heapDelta = after.heapUsed - baseline.heapUsed;
  const handles = (name: string, before: number | undefined, now: number | undefined): Check =>
    before === undefined || now === undefined
      ? { name, ok: true, detail: 'not available on this platform' }
      : { name, ok: now - before <= margins.handles, detail: `${before} → ${now} (${signed(now - before, 0)}; margin +${margins.handles})` };
  return [
    {
      name: 'RSS',
      ok: rssDelta <= rssAllowed,
      detail:
        `${mb(baseline.rss)} → ${mb(after.rss)} (${signed(rssDelta / MB)} MB, ${signed((100 * rssDelta) / baseline.rss)} %; ` +
        `margin +${mb(rssAllowed)}: the larger of ${margins.rssMb} MB and ${margins.rssPercent} %)`,
    },
    {
      name: 'heap after GC',
      ok: heapDelta <= margins.heapMb * MB,
      detail: `${mb(baseline.heapUsed)} → ${mb(after.heapUsed)} (${signed(heapDelta / MB)} MB; margin +${margins.heapMb} MB)`,
    },
    handles('open fds', baseline.fds, after.fds),
    handles('active resources', baseline.resources, after.resources),
    {
      name: 'all done in time',
      ok: !counts.timedOut && counts.callsDone === counts.calls && counts.streamsDone === counts.streams,
      detail: `${counts.callsDone}/${counts.calls} calls, ${counts.streamsDone}/${counts.streams} streams${counts.timedOut ? ', stopped at the time limit' : ''}`,
    },
    {
      name: 'no unexpected error',
      ok: counts.unexpectedErrors === 0 && counts.serverErrors === 0,
      detail: `${counts.unexpectedErrors} in answers, ${counts.serverErrors} in the API's log`,
    },
  ];
}

/** `kind count, kind count` in descending count, or `none`. */
export function formatCounts(counts: ReadonlyMap<string, number> | LogCounts): string {
  const entries = counts instanceof Map ? [...counts.entries()] : Object.entries(counts);
  if (entries.length === 0) return 'none';
  return entries
    .sort((a, b) => b[1] - a[1])
    .map(([kind, count]) => `${kind} ${count}`)
    .join(', ');
}
