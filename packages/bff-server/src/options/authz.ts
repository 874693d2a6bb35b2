import { z } from 'zod';
import { DEFAULT_ROLE_MAP, roleMapSchema } from '../authz/roles.js';

/**
 * Roles from groups (S13): which groups grant which application role, and where access
 * tokens carry groups.
 */
export const authzOptions = z.strictObject({
  /** Role → the group names (as tokens carry them) or DNs (as the directory returns them) that grant it. */
  roleMap: roleMapSchema.default(DEFAULT_ROLE_MAP),
  /** A claim name or a dot path such as `realm_access.roles`. */
  groupsClaim: z
    .string()
    .trim()
    .regex(/^[^.\s][^\s]*$/, { error: 'a claim name or a dot path such as realm_access.roles' })
    .default('groups'),
});

export type AuthzOptions = z.input<typeof authzOptions>;
