/**
 * What the app's server and client share at run time, free of zod: limits and the
 * types of what its procedures send. The zod schemas are in `@bff/shared/schemas`
 * (server only). The BFF's own contract (paths, reasons, `me`) is `@oidc-bff/protocol`.
 */
export { CHAT_MESSAGE_MAX_LENGTH } from './chat.js';
export { loginBuckets } from './analytics.js';
export type {
  ChatSendInput,
  ChatMessage,
  ChatHistoryInput,
  ProcedureStats,
  LoginBucket,
  LoginSeries,
  AnalyticsOutput,
  ReportSummary,
  ReportSummaries,
  ReportsOverview,
} from './schemas/index.js';
