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

/** Completed logins in one minute (ISO 8601 start of the minute). */
export const loginBucketSchema = z.object({
  minute: z.iso.datetime(),
  count: z.number().int(),
});
export type LoginBucket = z.infer<typeof loginBucketSchema>;

/** What `analytics` returns: data the server really records, ready to chart. */
export const analyticsOutputSchema = z.object({
  since: z.iso.datetime(),
  /** The instance that answered: `procedures` are its own figures; sign-ins and sessions are the deployment's. */
  instance: z.string(),
  procedures: z.array(procedureStatsSchema),
  loginsPerMinute: z.array(loginBucketSchema),
  activeSessions: z.number().int(),
});
export type AnalyticsOutput = z.infer<typeof analyticsOutputSchema>;
