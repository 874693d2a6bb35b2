import { z } from 'zod';

/** Call statistics of one tRPC procedure since the server started. */
export const procedureStatsSchema = z.object({
  path: z.string(),
  calls: z.number().int(),
  errors: z.number().int(),
  p50Ms: z.number(),
  p95Ms: z.number(),
});
export type ProcedureStats = z.infer<typeof procedureStatsSchema>;

/** Completed logins in one minute (ISO 8601 start of the minute): one column of the chart. */
export const loginBucketSchema = z.object({
  minute: z.iso.datetime(),
  count: z.number().int(),
});
export type LoginBucket = z.infer<typeof loginBucketSchema>;

/**
 * Completed logins in each minute of a window, oldest first: `counts[i]` is the minute that
 * starts `i` minutes after `from`. The minutes follow from the first one, so the answer
 * carries one timestamp rather than sixty (it was 3.5 KB, of which 3 KB were timestamps).
 */
export const loginSeriesSchema = z.object({
  from: z.iso.datetime(),
  counts: z.array(z.number().int().nonnegative()),
});
export type LoginSeries = z.infer<typeof loginSeriesSchema>;

/** What `analytics` returns: data the server really records, ready to chart. */
export const analyticsOutputSchema = z.object({
  since: z.iso.datetime(),
  /** The instance that answered: `procedures` are its own figures; sign-ins and sessions are the deployment's. */
  instance: z.string(),
  procedures: z.array(procedureStatsSchema),
  /** Sign-ins of the last 60 minutes, the current one last. */
  loginsPerMinute: loginSeriesSchema,
  activeSessions: z.number().int(),
});
export type AnalyticsOutput = z.infer<typeof analyticsOutputSchema>;
