import { z } from 'zod';

/** The signed-in user as the API reports it from the verified session. */
export const userSchema = z.object({
  sub: z.string().min(1),
  name: z.string(),
  email: z.string().nullable(),
  /** The groups the IdP or the directory reports, as they are (names or LDAP DNs). */
  groups: z.array(z.string()),
  /** Application roles granted by those groups (`ROLE_MAP`); what procedures and guards check. */
  roles: z.array(z.string()),
});
export type User = z.infer<typeof userSchema>;

/** What `me` returns: the user, when the session ends, and how to end it. */
export const meOutputSchema = z.object({
  user: userSchema,
  session: z.object({
    /** ISO 8601 instant after which the session needs a new login. */
    expiresAt: z.iso.datetime(),
    /** ISO 8601 instant at which the current access token expires. */
    accessTokenExpiresAt: z.iso.datetime(),
    /** The authentication context class of the sign-in (the ID token's `acr`), when the IdP said; step-up raises it. */
    acr: z.string().optional(),
    /** ISO 8601 instant of the user's last active authentication (the ID token's `auth_time`), when the IdP said. */
    authTime: z.iso.datetime().optional(),
  }),
  /**
   * A URL the browser can navigate to in order to sign out. It carries a
   * per-session `sid`, so another site cannot sign the user out with it.
   */
  logoutUrl: z.url(),
});
export type MeOutput = z.infer<typeof meOutputSchema>;
