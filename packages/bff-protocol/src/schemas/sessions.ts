import { z } from 'zod';

/** One of the user's signed-in sessions ("signed-in devices"). */
export const deviceSessionSchema = z.object({
  /** An id for this list only: not the session handle, useless outside `sessions.revoke`. */
  id: z.string(),
  createdAt: z.iso.datetime(),
  lastActiveAt: z.iso.datetime(),
  browser: z.string(),
  os: z.string(),
  /** Approximate place, only when the deployment configures a lookup; otherwise null. */
  place: z.string().nullable(),
  /** The session making this call. */
  current: z.boolean(),
});
export type DeviceSession = z.infer<typeof deviceSessionSchema>;

export const revokeSessionInputSchema = z.object({ id: z.string().min(1).max(64) });
export type RevokeSessionInput = z.infer<typeof revokeSessionInputSchema>;
