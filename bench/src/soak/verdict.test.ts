import { describe, expect, it } from 'vitest';
import type { Reading } from './readings.js';
import { MARGINS, evaluate, type Counts } from './verdict.js';

const MB = 2 ** 20;
const baseline: Reading = { rss: 160 * MB, heapUsed: 32 * MB, external: 4 * MB, resources: 4, resourcesByKind: { PipeWrap: 3, TCPServerWrap: 1 }, fds: 27 };
const done: Counts = { calls: 100, streams: 10, callsDone: 100, streamsDone: 10, unexpectedErrors: 0, serverErrors: 0, timedOut: false };
const failed = (after: Partial<Reading>, counts: Partial<Counts> = {}) =>
  evaluate(baseline, { ...baseline, ...after }, MARGINS, { ...done, ...counts })
    .filter((c) => !c.ok)
    .map((c) => c.name);

describe('the soak verdict', () => {
  it('passes a flat process, and one that shrank', () => {
    expect(failed({})).toEqual([]);
    expect(failed({ rss: 140 * MB, fds: 25 })).toEqual([]);
  });

  it('fails each margin it exceeds', () => {
    expect(failed({ rss: baseline.rss + (MARGINS.rssMb + 1) * MB })).toEqual(['RSS']);
    expect(failed({ heapUsed: baseline.heapUsed + (MARGINS.heapMb + 0.5) * MB })).toEqual(['heap after GC']);
    expect(failed({ fds: (baseline.fds ?? 0) + MARGINS.handles + 1 })).toEqual(['open fds']);
    expect(failed({ resources: baseline.resources + MARGINS.handles + 1 })).toEqual(['active resources']);
  });

  it('gives RSS the larger of its two margins', () => {
    const big: Reading = { ...baseline, rss: 400 * MB };
    const grown = (mb: number) => evaluate(big, { ...big, rss: big.rss + mb * MB }, MARGINS, done)[0]?.ok;
    expect(grown((400 * MARGINS.rssPercent) / 100 - 1)).toBe(true);
    expect(grown((400 * MARGINS.rssPercent) / 100 + 1)).toBe(false);
  });

  it('fails on an unexpected error, in an answer or in the API log, and on load left unsent', () => {
    expect(failed({}, { unexpectedErrors: 1 })).toEqual(['no unexpected error']);
    expect(failed({}, { serverErrors: 1 })).toEqual(['no unexpected error']);
    expect(failed({}, { timedOut: true, callsDone: 50 })).toEqual(['all done in time']);
  });
});
