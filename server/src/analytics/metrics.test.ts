import { describe, expect, it } from 'vitest';
import { loginBuckets } from '@bff/shared';
import { analyticsOutputSchema } from '@bff/shared/schemas';
import { Analytics, MemoryLoginCounter } from './metrics.js';

describe('Analytics: sign-ins per minute', () => {
  it('answers the last 60 minutes from the first one, the current minute last, and moves on with the clock', async () => {
    let now = Date.parse('2030-01-01T10:00:30.000Z');
    const analytics = new Analytics({ instance: 'api-1', metrics: undefined, logins: new MemoryLoginCounter() }, () => now);
    await analytics.recordLogin();
    await analytics.recordLogin();
    now = Date.parse('2030-01-01T09:59:10.000Z');
    await analytics.recordLogin();
    now = Date.parse('2030-01-01T10:00:45.000Z');

    const first = await analytics.snapshot(async () => 4);
    expect(analyticsOutputSchema.parse(first)).toEqual(first);
    expect(first.loginsPerMinute.from).toBe('2030-01-01T09:01:00.000Z');
    expect(first.loginsPerMinute.counts).toHaveLength(60);
    expect(loginBuckets(first.loginsPerMinute).slice(-2)).toEqual([
      { minute: '2030-01-01T09:59:00.000Z', count: 1 },
      { minute: '2030-01-01T10:00:00.000Z', count: 2 },
    ]);
    expect(first.activeSessions).toBe(4);

    now = Date.parse('2030-01-01T10:01:00.000Z');
    const next = await analytics.snapshot(async () => 4);
    expect(next.loginsPerMinute.from).toBe('2030-01-01T09:02:00.000Z');
    expect(next.loginsPerMinute.counts.slice(-3)).toEqual([1, 2, 0]);
  });
});
