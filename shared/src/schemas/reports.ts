import { z } from 'zod';

/** One report as the reports API serves it (`GET /summaries`). */
export const reportSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  period: z.string(),
  total: z.number(),
  currency: z.string(),
});
export type ReportSummary = z.infer<typeof reportSummarySchema>;

/** What the reports API answers at `GET /summaries`: the page reads it through `/api/remote/reports/summaries`. */
export const reportSummariesSchema = z.object({
  owner: z.string(),
  summaries: z.array(reportSummarySchema).max(1000),
});
export type ReportSummaries = z.infer<typeof reportSummariesSchema>;

/** What `reports.overview` returns: the reports API's figures combined with the signed-in user's own. */
export const reportsOverviewSchema = z.object({
  /** Who the reports API says the caller is: the same user as the session. */
  owner: z.string(),
  viewer: z.string(),
  reports: z.number().int(),
  /** Per currency, the sum of the reports' totals. */
  totals: z.array(z.object({ currency: z.string(), total: z.number() })),
  largest: reportSummarySchema.nullable(),
});
export type ReportsOverview = z.infer<typeof reportsOverviewSchema>;
