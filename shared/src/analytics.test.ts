import { describe, expect, it } from 'vitest';
import { loginBuckets } from './analytics.js';
import { analyticsOutputSchema } from './schemas/index.js';

describe('loginBuckets', () => {
  it('gives each count the start of its minute, oldest first', () => {
    expect(loginBuckets({ from: '2030-01-01T09:58:00.000Z', counts: [0, 2, 5] })).toEqual([
      { minute: '2030-01-01T09:58:00.000Z', count: 0 },
      { minute: '2030-01-01T09:59:00.000Z', count: 2 },
      { minute: '2030-01-01T10:00:00.000Z', count: 5 },
    ]);
    expect(loginBuckets({ from: '2030-01-01T09:58:00.000Z', counts: [] })).toEqual([]);
  });
});

describe('analyticsOutputSchema', () => {
  const output = { since: '2030-01-01T08:00:00.000Z', instance: 'api-1', procedures: [], activeSessions: 0 };
  it('takes a series of whole, non-negative counts from an ISO 8601 minute', () => {
    expect(analyticsOutputSchema.safeParse({ ...output, loginsPerMinute: { from: '2030-01-01T09:00:00.000Z', counts: [0, 3] } }).success).toBe(true);
    for (const loginsPerMinute of [
      { from: 'nine o’clock', counts: [] },
      { from: '2030-01-01T09:00:00.000Z', counts: [-1] },
      { from: '2030-01-01T09:00:00.000Z', counts: [1.5] },
      [{ minute: '2030-01-01T09:00:00.000Z', count: 1 }],
    ])
      expect(analyticsOutputSchema.safeParse({ ...output, loginsPerMinute }).success).toBe(false);
  });
});
