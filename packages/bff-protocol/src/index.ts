/**
 * What the BFF's server and Angular packages agree on at run time, free of zod: paths,
 * the anti-forgery header, refusal reasons, login error codes, and the types of what the
 * BFF's own procedures (`me`, `sessions`) send. The zod schemas are in
 * `@oidc-bff/protocol/schemas` (server side).
 */
export { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE, type ApiPath } from './paths.js';
export { DEV_DEFAULTS } from './dev-defaults.js';
export {
  AUTH_FAILURE_REASONS,
  isAuthFailureReason,
  LOGIN_ERROR_CODES,
  isLoginErrorCode,
  type AuthFailureReason,
  type LoginErrorCode,
  type StepUpChallenge,
} from './errors.js';
export {
  AUDIT_EVENT_TYPES,
  AUDIT_SCHEMA_VERSION,
  SIGN_OUT_KINDS,
  STEP_UP_OUTCOMES,
  type AuditEventType,
  type SignOutKind,
  type StepUpOutcome,
} from './audit.js';
export type { User, MeOutput, DeviceSession, RevokeSessionInput, AuditEvent } from './schemas/index.js';
