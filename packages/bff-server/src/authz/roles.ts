import { z } from 'zod';
import { isDn, normalizeDn } from './dn.js';

/**
 * Which groups grant which role: role name → group names (as an IdP puts them in a
 * claim) or group DNs (as a directory returns them). The one place roles are
 * mapped (S13).
 */
export type RoleMap = Readonly<Record<string, readonly string[]>>;

/** The map used when none is configured: members of the group `analysts` are analysts. */
export const DEFAULT_ROLE_MAP: RoleMap = Object.freeze({ analyst: Object.freeze(['analysts']) });

/** What a role map looks like, for messages. */
export const ROLE_MAP_SHAPE =
  'Expected a JSON object of role → array of group names or DNs, e.g. {"analyst":["analysts","cn=quants,ou=groups,dc=corp,dc=example"]}.';

/** The role of an issue at `…, role` or `…, role, index`: the error functions see the whole path. */
const roleAt = (path: readonly PropertyKey[] | undefined, fromEnd: number) => String(path?.at(-fromEnd) ?? '');

const notGroups = (path: readonly PropertyKey[] | undefined, fromEnd: number) =>
  `Role "${roleAt(path, fromEnd)}" must map to an array of non-empty strings. ${ROLE_MAP_SHAPE}`;

const groupName = z
  .string({ error: (issue) => notGroups(issue.path, 2) })
  .refine((group) => group.trim() !== '', { error: (issue) => notGroups(issue.path, 2) })
  // A mistyped DN would otherwise be taken for a group name and silently grant nothing.
  .refine((group) => !group.includes('=') || isDn(group), {
    error: (issue) =>
      `Role "${roleAt(issue.path, 2)}": "${String(issue.input)}" looks like a DN but is not a valid RFC 4514 distinguished name; write it like cn=analysts,ou=groups,dc=corp,dc=example.`,
  });

/**
 * The role map option (`authz.roleMap`, `ROLE_MAP` as JSON): role → group names or DNs.
 * Its output is frozen. Read through a `Map`, so that a role named `__proto__` stays a role
 * and never becomes the map's prototype.
 */
export const roleMapSchema = z
  .custom<Readonly<Record<string, readonly string[]>>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), {
    error: `The role map is not a JSON object. ${ROLE_MAP_SHAPE}`,
  })
  .transform((map) => new Map<string, unknown>(Object.entries(map)))
  .pipe(
    z.map(
      z.string().refine((role) => role.trim() !== '', { error: `The role map has an empty role name. ${ROLE_MAP_SHAPE}` }),
      z.array(groupName, { error: (issue) => notGroups(issue.path, 1) }),
    ),
  )
  // fromEntries defines own properties, so a role named "__proto__" stays a role.
  .transform((map): RoleMap => Object.freeze(Object.fromEntries([...map].map(([role, groups]) => [role, Object.freeze(groups)]))));

/** Where an IdP may put a user's groups; `first` takes the first of them, in this order, that has the groups claim. */
export const GROUPS_SOURCES = ['first', 'access_token', 'id_token', 'userinfo'] as const;

/** `GROUPS_SOURCE`. */
export type GroupsSource = (typeof GROUPS_SOURCES)[number];

/**
 * Reads group names from token claims at a dot path (`groups`,
 * `realm_access.roles`). A key that itself contains dots
 * (`https://example.com/groups`) is found too: at each level the longest matching
 * own key wins. A single string is one group, or with `separator` the non-empty
 * trimmed parts between separators (`"analysts,staff"`); array items are taken
 * whole (a DN holds commas) and non-string items ignored. Undefined when the claims
 * have nothing at the path, or something that cannot be groups.
 */
export function groupsClaimOf(claims: Readonly<Record<string, unknown>>, path = 'groups', separator?: string): string[] | undefined {
  let value: unknown = claims;
  let rest = path.split('.');
  while (rest.length > 0) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const holder = value as Record<string, unknown>;
    let taken = 0;
    for (let length = rest.length; length > 0; length -= 1) {
      const key = rest.slice(0, length).join('.');
      if (Object.hasOwn(holder, key)) {
        value = holder[key];
        taken = length;
        break;
      }
    }
    if (taken === 0) return undefined;
    rest = rest.slice(taken);
  }
  if (typeof value === 'string') {
    if (!separator) return [value];
    return value
      .split(separator)
      .map((group) => group.trim())
      .filter((group) => group !== '');
  }
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return undefined;
}

/** {@link groupsClaimOf}, with no groups for a missing claim. */
export function groupsFromClaims(claims: Readonly<Record<string, unknown>>, path = 'groups', separator?: string): string[] {
  return groupsClaimOf(claims, path, separator) ?? [];
}

/** A group in the form it is compared in: DNs by their normal form, names exactly. */
type Key = `dn:${string}` | `name:${string}`;

/**
 * Group keys already worked out: the same few group strings arrive on every call, and
 * parsing them as DNs each time was a tenth of a guarded call's CPU (`npm run profile -w
 * bench -- --server guarded-me`: 42 µs of ~400). Bounded; cleared when full.
 */
const KEYS = new Map<string, Key>();
const MAX_KEYS = 10_000;

function keyOf(group: string): Key {
  let key = KEYS.get(group);
  if (key) return key;
  // Without "=" it cannot be a DN: no parse (and no thrown syntax error) for plain names.
  key = group.includes('=') && isDn(group) ? `dn:${normalizeDn(group)}` : `name:${group}`;
  if (KEYS.size >= MAX_KEYS) KEYS.clear();
  KEYS.set(group, key);
  return key;
}

/**
 * The roles that `groups` grant under `map`, in the map's order. A DN entry
 * matches only a DN group that is the same DN (RFC 4514 comparison); a name
 * entry matches only an identical name (case-sensitive). A name never matches a
 * DN, even its first RDN: `analysts` in one directory is not `cn=analysts` in
 * another.
 */
export function rolesFor(groups: readonly string[], map: RoleMap): string[] {
  const held = new Set(groups.map(keyOf));
  return Object.entries(map)
    .filter(([, granting]) => granting.some((group) => held.has(keyOf(group))))
    .map(([role]) => role);
}

/**
 * For the doctor: the roles that none of `knownGroups` (the groups the IdP or the
 * directory actually has) would grant, so a typo in the map shows before users do.
 */
export function rolesNoGroupGrants(map: RoleMap, knownGroups: readonly string[]): string[] {
  const granted = new Set(rolesFor(knownGroups, map));
  return Object.keys(map).filter((role) => !granted.has(role));
}
