/**
 * The audit trail's vocabulary (S31): one JSON line per session-lifecycle event, written by
 * the BFF to its own destination (`AUDIT_LOG`), for a SIEM. The shape of a line is
 * {@link AuditEvent} (`auditEventSchema` in `@oidc-bff/protocol/schemas`).
 *
 * - `sign_in.succeeded`: a session was created after a verified callback.
 * - `sign_in.failed`: a callback did not end in a session; `code` says why (a `LoginErrorCode`).
 * - `sign_out`: sessions ended; `kind` says how ({@link SIGN_OUT_KINDS}).
 * - `refresh.failed`: the identity provider refused to renew a session's tokens, which ended it.
 * - `step_up`: a session asked the identity provider for a stronger authentication (`acr`);
 *   `outcome` says whether the ID token that came back satisfied it ({@link STEP_UP_OUTCOMES}).
 * - `roles.changed`: a user's new session holds other application roles than their previous
 *   session did (the groups behind them changed at the IdP or in the directory).
 */
export const AUDIT_EVENT_TYPES = ['sign_in.succeeded', 'sign_in.failed', 'sign_out', 'refresh.failed', 'step_up', 'roles.changed'] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * How sessions end, in audit events and in the `bff_logouts_total{kind}` metric:
 *
 * - `user`: the user signed out (`/api/logout` with the session's `sid`).
 * - `back_channel`: the identity provider posted a logout token (OIDC Back-Channel Logout).
 * - `front_channel`: the identity provider's logout page loaded the BFF's front-channel logout
 *   page in a frame, naming the IdP session (`iss` + `sid`; OIDC Front-Channel Logout).
 * - `revoked`: the user ended it from one of their sessions (`sessions.revoke`, `sessions.revokeOthers`).
 * - `expired`: a request or a live stream found it past its idle or absolute lifetime.
 */
export const SIGN_OUT_KINDS = ['user', 'back_channel', 'front_channel', 'revoked', 'expired'] as const;
export type SignOutKind = (typeof SIGN_OUT_KINDS)[number];

/**
 * How a step-up ended, in `step_up` audit events and the `bff_step_ups_total{outcome}` metric:
 *
 * - `succeeded`: the ID token the identity provider returned carries an `acr` the procedure accepts.
 * - `refused`: it does not (the IdP ignored the request, the user gave up, or the IdP answered an error).
 */
export const STEP_UP_OUTCOMES = ['succeeded', 'refused'] as const;
export type StepUpOutcome = (typeof STEP_UP_OUTCOMES)[number];

/** The version of the audit line's shape, in every line's `version`; it changes only when a field changes meaning. */
export const AUDIT_SCHEMA_VERSION = 1;
