/**
 * The zod schemas of what the BFF's own procedures send. Server side: the Angular
 * package imports the types from the root entry, which pulls no zod into a bundle.
 */
export { userSchema, meOutputSchema, type User, type MeOutput } from './user.js';
export { deviceSessionSchema, revokeSessionInputSchema, type DeviceSession, type RevokeSessionInput } from './sessions.js';
export { auditEventSchema, type AuditEvent } from './audit.js';
