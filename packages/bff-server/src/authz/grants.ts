import { groupsClaimOf, rolesFor, type GroupsSource, type RoleMap } from './roles.js';

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
  /** Which answer of the IdP carries the groups (`GROUPS_SOURCE`); default `first`. */
  readonly groupsSource?: GroupsSource | undefined;
  /** Splits a groups claim that is one string (`GROUPS_SEPARATOR`). */
  readonly groupsSeparator?: string | undefined;
  readonly directory?: GroupDirectory | undefined;
  /** The `acr` values, weakest first, that step-up procedures rank (`OIDC_ACR_ORDER`); default `DEFAULT_ACR_ORDER`. */
  readonly acrOrder?: readonly string[] | undefined;
}

/** The IdP's other answers about the caller, besides the access token: read only when the groups are looked for there. */
export interface IdentityClaims {
  /** The ID token's claims (verified when it was issued, kept in the session since). */
  readonly idToken?: () => Readonly<Record<string, unknown>> | undefined;
  /** The groups the userinfo endpoint gave at sign-in (already read at `groupsClaim`), when it was asked and had the claim. */
  readonly userinfoGroups?: readonly string[] | undefined;
}

/**
 * The groups at `groupsClaim` in the answer `groupsSource` names; with `first`, in the
 * first of the access token, the ID token and userinfo that has the claim. Undefined
 * when none has it.
 */
export function groupsOf(accessToken: Readonly<Record<string, unknown>>, identity: IdentityClaims, settings: AuthzSettings): string[] | undefined {
  const source = settings.groupsSource ?? 'first';
  const read = (claims: Readonly<Record<string, unknown>> | undefined) =>
    claims ? groupsClaimOf(claims, settings.groupsClaim, settings.groupsSeparator) : undefined;
  if (source === 'access_token' || source === 'first') {
    const found = read(accessToken);
    if (found || source === 'access_token') return found;
  }
  if (source === 'id_token' || source === 'first') {
    const found = read(identity.idToken?.());
    if (found || source === 'id_token') return found;
  }
  return identity.userinfoGroups ? [...identity.userinfoGroups] : undefined;
}

/** The name the directory knows the user by: the token's `preferred_username`, else its `sub`. */
export function directoryUsername(claims: Readonly<Record<string, unknown>>): string {
  const preferred = claims['preferred_username'];
  if (typeof preferred === 'string' && preferred.trim() !== '') return preferred;
  return typeof claims['sub'] === 'string' ? claims['sub'] : '';
}

/**
 * The caller's grants from verified token claims, worked out on first use and then
 * remembered: the groups at `groupsClaim` ({@link groupsOf}) when the IdP gave some, otherwise
 * (when a directory is configured) the directory's groups for
 * {@link directoryUsername}. Nothing is asked until a procedure needs roles, so
 * procedures that do not keep working while the directory is down (S20).
 *
 * @example
 * const grants = lazyGrants(claims, { roleMap, groupsClaim: 'groups', directory });
 * const { roles } = await grants(); // may throw DirectoryUnavailableError
 */
export function lazyGrants(claims: Readonly<Record<string, unknown>>, settings: AuthzSettings, identity: IdentityClaims = {}): () => Promise<Grants> {
  let pending: Promise<Grants> | undefined;
  const resolve = async (): Promise<Grants> => {
    const fromToken = groupsOf(claims, identity, settings) ?? [];
    const groups = fromToken.length > 0 || !settings.directory ? fromToken : await settings.directory.groupsFor(directoryUsername(claims));
    return { groups, roles: rolesFor(groups, settings.roleMap) };
  };
  return () => (pending ??= resolve());
}
