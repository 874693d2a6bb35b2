/**
 * The zod schemas of what the app's procedures send. Server only: the client imports the
 * types from the package's root entry, which does not pull zod into its bundle.
 */
export {
  chatSendInputSchema,
  chatMessageSchema,
  chatHistoryInputSchema,
  chatDeleteMineOutputSchema,
  type ChatSendInput,
  type ChatMessage,
  type ChatHistoryInput,
  type ChatDeleteMineOutput,
} from './chat.js';
export {
  procedureStatsSchema,
  loginBucketSchema,
  loginSeriesSchema,
  analyticsOutputSchema,
  type ProcedureStats,
  type LoginBucket,
  type LoginSeries,
  type AnalyticsOutput,
} from './analytics.js';
export {
  reportSummarySchema,
  reportSummariesSchema,
  reportsOverviewSchema,
  type ReportSummary,
  type ReportSummaries,
  type ReportsOverview,
} from './reports.js';
