export { userSchema, meOutputSchema, type User, type MeOutput } from './user.js';
export {
  CHAT_MESSAGE_MAX_LENGTH,
  chatSendInputSchema,
  chatMessageSchema,
  chatHistoryInputSchema,
  type ChatSendInput,
  type ChatMessage,
  type ChatHistoryInput,
} from './chat.js';
export {
  procedureStatsSchema,
  loginBucketSchema,
  analyticsOutputSchema,
  type ProcedureStats,
  type LoginBucket,
  type AnalyticsOutput,
} from './analytics.js';
export {
  AUTH_FAILURE_REASONS,
  isAuthFailureReason,
  LOGIN_ERROR_CODES,
  isLoginErrorCode,
  type AuthFailureReason,
  type LoginErrorCode,
} from './errors.js';
