/**
 * The zod schemas of what crosses the wire. Server only: the client imports the
 * types from the package's root entry, which does not pull zod into its bundle.
 */
export { userSchema, meOutputSchema, type User, type MeOutput } from './user.js';
export { chatSendInputSchema, chatMessageSchema, chatHistoryInputSchema, type ChatSendInput, type ChatMessage, type ChatHistoryInput } from './chat.js';
export { procedureStatsSchema, loginBucketSchema, analyticsOutputSchema, type ProcedureStats, type LoginBucket, type AnalyticsOutput } from './analytics.js';
export { deviceSessionSchema, revokeSessionInputSchema, type DeviceSession, type RevokeSessionInput } from './sessions.js';
