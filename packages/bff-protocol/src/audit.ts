/**
 * The audit trail's vocabulary (S31): one JSON line per session-lifecycle event, written by
 * the BFF to its own destination (`AUDIT_LOG`), for a SIEM. The shape of a line is
 * {@link AuditEvent} (`auditEventSchema` in `@oidc-bff/protocol/schemas`).
 *
 * - `sign_in.succeeded`: a session was created after a verified callback.
 * - `sign_in.failed`: a callback did not end in a session; `code` says why (a `LoginErrorCode`).
 * - `sign_out`: sessions ended; `kind` says how ({@link SIGN_OUT_KINDS}).
 * - `refresh.failed`: the identity provider refused to renew a session's tokens, which ended it.
 */
export const AUDIT_EVENT_TYPES = ['sign_in.succeeded', 'sign_in.failed', 'sign_out', 'refresh.failed'] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * How sessions end, in audit events and in the `bff_logouts_total{kind}` metric:
 *
 * - `user`: the user signed out (`/api/logout` with the session's `sid`).
 * - `back_channel`: the identity provider posted a logout token (OIDC Back-Channel Logout).
 * - `revoked`: the user ended it from one of their sessions (`sessions.revoke`, `sessions.revokeOthers`).
 * - `expired`: a request or a live stream found it past its idle or absolute lifetime.
 */
export const SIGN_OUT_KINDS = ['user', 'back_channel', 'revoked', 'expired'] as const;
export type SignOutKind = (typeof SIGN_OUT_KINDS)[number];

/** The version of the audit line's shape, in every line's `version`; it changes only when a field changes meaning. */
export const AUDIT_SCHEMA_VERSION = 1;
