import { groupsFromClaims, rolesFor, type RoleMap } from './roles.js';

/** What the caller may do: the groups as reported (by the token or the directory), and the roles they grant. */
export interface Grants {
  readonly groups: readonly string[];
  readonly roles: readonly string[];
}

/** Where groups come from when access tokens carry none; `LdapDirectory` is one. */
export interface GroupDirectory {
  /**
   * The user's groups, as the directory names them.
   * @throws {DirectoryUnavailableError} when the directory cannot answer (never "no groups")
   */
  groupsFor(username: string): Promise<readonly string[]>;
}

/** How groups are found and mapped to roles (S13): `ROLE_MAP`, `GROUPS_CLAIM` and the `LDAP_*` directory. */
export interface AuthzSettings {
  readonly roleMap: RoleMap;
  readonly groupsClaim: string;
  readonly directory?: GroupDirectory | undefined;
}

/** The name the directory knows the user by: the token's `preferred_username`, else its `sub`. */
export function directoryUsername(claims: Readonly<Record<string, unknown>>): string {
  const preferred = claims['preferred_username'];
  if (typeof preferred === 'string' && preferred.trim() !== '') return preferred;
  return typeof claims['sub'] === 'string' ? claims['sub'] : '';
}

/**
 * The caller's grants from verified token claims, worked out on first use and then
 * remembered: the groups at `groupsClaim` when the token carries some, otherwise
 * (when a directory is configured) the directory's groups for
 * {@link directoryUsername}. Nothing is asked until a procedure needs roles, so
 * procedures that do not keep working while the directory is down (S20).
 *
 * @example
 * const grants = lazyGrants(claims, { roleMap, groupsClaim: 'groups', directory });
 * const { roles } = await grants(); // may throw DirectoryUnavailableError
 */
export function lazyGrants(claims: Readonly<Record<string, unknown>>, settings: AuthzSettings): () => Promise<Grants> {
  let pending: Promise<Grants> | undefined;
  const resolve = async (): Promise<Grants> => {
    const fromToken = groupsFromClaims(claims, settings.groupsClaim);
    const groups = fromToken.length > 0 || !settings.directory ? fromToken : await settings.directory.groupsFor(directoryUsername(claims));
    return { groups, roles: rolesFor(groups, settings.roleMap) };
  };
  return () => (pending ??= resolve());
}
