/**
 * What server and client share at run time, free of zod: paths, header names,
 * limits, reason and error-code unions, and the types of what crosses the wire.
 * The zod schemas are in `@bff/shared/schemas` (server only).
 */
export { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE, type ApiPath } from './paths.js';
export { CHAT_MESSAGE_MAX_LENGTH } from './chat.js';
export { DEV_DEFAULTS } from './dev-defaults.js';
export { escapeHtml } from './html.js';
export { AUTH_FAILURE_REASONS, isAuthFailureReason, LOGIN_ERROR_CODES, isLoginErrorCode, type AuthFailureReason, type LoginErrorCode } from './errors.js';
export type {
  User,
  MeOutput,
  ChatSendInput,
  ChatMessage,
  ChatHistoryInput,
  ProcedureStats,
  LoginBucket,
  AnalyticsOutput,
  DeviceSession,
  RevokeSessionInput,
} from './schemas/index.js';
