import { z } from 'zod';
import { DEFAULT_ROLE_MAP, GROUPS_SOURCES, roleMapSchema } from '../authz/roles.js';
import { DEFAULT_ACR_ORDER, isAcrToken } from '../authz/step-up.js';

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
  /**
   * Which of the IdP's answers the groups are read from: `access_token`, `id_token`, `userinfo`, or `first` (the
   * default): the first of these, in that order, that has the groups claim.
   */
  groupsSource: z.enum(GROUPS_SOURCES).default('first'),
  /**
   * Splits a groups claim that is one string (`"analysts,staff"`) at this separator; unset, such a string is one group.
   * Array items are never split: a DN holds commas.
   */
  groupsSeparator: z.string().min(1).optional(),
  /**
   * The IdP's authentication context classes (`acr`), weakest first: a step-up procedure's `acr`
   * is satisfied by it or any later one, and `/api/login` asks only for these (`acr_values`).
   */
  acrOrder: z
    .array(
      z.string().refine(isAcrToken, { error: 'an acr value: URI characters, without spaces, quotes, backslashes or angle brackets, at most 128 characters' }),
    )
    .min(1)
    .max(16)
    .refine((values) => new Set(values).size === values.length, { error: 'lists each acr value once' })
    .readonly()
    .default(DEFAULT_ACR_ORDER),
});

export type AuthzOptions = z.input<typeof authzOptions>;
