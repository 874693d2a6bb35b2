import type { LoginBucket, LoginSeries } from './schemas/analytics.js';

/** A series of sign-ins as one bucket per minute, each with the ISO 8601 start of its minute. */
export function loginBuckets(series: LoginSeries): LoginBucket[] {
  const first = Date.parse(series.from);
  return series.counts.map((count, i) => ({ minute: new Date(first + i * 60_000).toISOString(), count }));
}
