import { z } from 'zod';
import { AUDIT_SCHEMA_VERSION, SIGN_OUT_KINDS, STEP_UP_OUTCOMES } from '../audit.js';
import { LOGIN_ERROR_CODES } from '../errors.js';

/** A session as `sessions.list` names it: derived from the session id with the secret, never a handle. */
const publicSessionId = z.string().regex(/^[\w-]{22}$/);

/** What the request that caused the event says of its client; null when no request did (an expiry found by a stream). */
const client = z
  .strictObject({
    /** The client's address as `TRUST_PROXY` lets the BFF see it (Express's `req.ip`); null when unknown. */
    ip: z.string().max(64).nullable(),
    /** Browser and OS families from the User-Agent ("Firefox", "Windows"), never the string itself. */
    browser: z.string().max(32),
    os: z.string().max(32),
  })
  .nullable();

/**
 * An authentication context class reference as OIDC carries it (`acr_values`, the ID token's
 * `acr`): a name or URI the IdP publishes, never personal data. Printable ASCII without spaces
 * (acr_values is space-separated), bounded.
 */
const acr = z.string().regex(/^[\x21-\x7e]{1,255}$/);

/** An application role as `ROLE_MAP` names it. */
const role = z.string().regex(/^[\w.:-]{1,64}$/);

/** Fields of every audit line. */
const common = {
  /** Always `true`: tells audit lines from log lines on a shared stdout. */
  audit: z.literal(true),
  version: z.literal(AUDIT_SCHEMA_VERSION),
  /** ISO 8601 instant the BFF recorded the event. */
  time: z.iso.datetime(),
  /** The user (`sub` of the verified tokens); null when unknown (a failed sign-in, a back-channel logout by `sid`). */
  sub: z.string().min(1).max(255).nullable(),
  /** The session concerned, as `sessions.list` shows it; null when none or several. */
  sessionId: publicSessionId.nullable(),
  client,
  /** The request's `x-request-id` (the caller's when well-formed, else the BFF's); null when no request caused it. */
  requestId: z.string().max(64).nullable(),
  /** The W3C trace id of the request, once tracing is on. */
  traceId: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
};

/**
 * One line of the audit trail (S31): the session lifecycle as a SIEM needs it, with no
 * token, cookie, secret or free text. Strict: a line with any other field is not one.
 *
 * @example
 * for (const line of text.split('\n').filter(Boolean)) auditEventSchema.parse(JSON.parse(line));
 */
export const auditEventSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...common, type: z.literal('sign_in.succeeded'), sub: z.string().min(1).max(255), sessionId: publicSessionId }),
  z.strictObject({
    ...common,
    type: z.literal('sign_in.failed'),
    sub: z.null(),
    sessionId: z.null(),
    /** Why, as the browser was told (`?auth_error=`). */
    code: z.enum(LOGIN_ERROR_CODES),
  }),
  z.strictObject({
    ...common,
    type: z.literal('sign_out'),
    kind: z.enum(SIGN_OUT_KINDS),
    /** Sessions that ended: one, or for a back-channel logout every session of the IdP session or user (possibly none here). */
    sessions: z.number().int().min(0),
    /** For `revoked`: the session that asked, and whether it ended itself. */
    revokedBy: z.strictObject({ sessionId: publicSessionId, self: z.boolean() }).optional(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('refresh.failed'),
    sub: z.string().min(1).max(255),
    sessionId: publicSessionId,
    /** The identity provider's OAuth error code (`invalid_grant`), or the check the new tokens failed (`sub_mismatch`). */
    reason: z.string().regex(/^[\w.-]{1,64}$/),
  }),
  z.strictObject({
    ...common,
    type: z.literal('step_up'),
    /** The session's user; null when the IdP answered with an error before any ID token. */
    sub: z.string().min(1).max(255).nullable(),
    outcome: z.enum(STEP_UP_OUTCOMES),
    /** The `acr` values the BFF asked for (the procedure's requirement), in its order of preference. */
    acrRequested: z.array(acr).min(1).max(16),
    /** The `acr` of the ID token that came back; null when it carried none or none came back. */
    acrObtained: acr.nullable(),
  }),
  z.strictObject({
    ...common,
    type: z.literal('roles.changed'),
    sub: z.string().min(1).max(255),
    sessionId: publicSessionId,
    /** The user's session whose roles these are compared with. */
    previousSessionId: publicSessionId,
    /** Application roles (`ROLE_MAP` names, never groups) the new session holds and the previous one did not, and the reverse. */
    rolesAdded: z.array(role).max(64),
    rolesRemoved: z.array(role).max(64),
  }),
]);
export type AuditEvent = z.infer<typeof auditEventSchema>;
