import { describe, expect, it } from 'vitest';
import { directoryUsername, groupsOf, lazyGrants } from './grants.js';
import { DEFAULT_ROLE_MAP, roleMapSchema } from './roles.js';

describe('grants from token claims (S13)', () => {
  it('maps roles from a nested claim path (GROUPS_CLAIM=realm_access.roles)', async () => {
    const claims = { sub: 'alice', realm_access: { roles: ['offline_access', 'analysts'] }, groups: ['ignored'] };
    const grants = await lazyGrants(claims, { roleMap: roleMapSchema.parse({ analyst: ['analysts'] }), groupsClaim: 'realm_access.roles' })();
    expect(grants).toEqual({ groups: ['offline_access', 'analysts'], roles: ['analyst'] });
  });

  it('maps roles from DNs written in another case and spacing than ROLE_MAP', async () => {
    const claims = { sub: 'alice', memberOf: ['cn=analysts,ou=groups,dc=corp,dc=example'] };
    const roleMap = roleMapSchema.parse({ analyst: ['CN=Analysts, OU=Groups, DC=corp, DC=example'] });
    expect((await lazyGrants(claims, { roleMap, groupsClaim: 'memberOf' })()).roles).toEqual(['analyst']);
  });

  it('grants nothing when the claim is missing and no directory is configured', async () => {
    expect(await lazyGrants({ sub: 'bob' }, { roleMap: DEFAULT_ROLE_MAP, groupsClaim: 'groups' })()).toEqual({ groups: [], roles: [] });
  });

  it('knows the directory user by preferred_username, else by sub', () => {
    expect(directoryUsername({ sub: 'f81d4fae', preferred_username: 'alice' })).toBe('alice');
    expect(directoryUsername({ sub: 'f81d4fae', preferred_username: '  ' })).toBe('f81d4fae');
    expect(directoryUsername({ sub: 'f81d4fae' })).toBe('f81d4fae');
  });

  it('reads the source GROUPS_SOURCE names, or the first that has the claim, and splits a joined string at GROUPS_SEPARATOR', () => {
    const base = { roleMap: DEFAULT_ROLE_MAP, groupsClaim: 'groups' };
    const identity = { idToken: () => ({ groups: ['analysts', 'staff'] }), userinfoGroups: ['u1', 'u2'] };
    expect(groupsOf({ groups: 'analysts,staff' }, identity, base)).toEqual(['analysts,staff']);
    expect(groupsOf({ groups: 'analysts, staff,' }, identity, { ...base, groupsSeparator: ',' })).toEqual(['analysts', 'staff']);
    expect(groupsOf({ sub: 'a' }, identity, base)).toEqual(['analysts', 'staff']);
    expect(groupsOf({ sub: 'a' }, { userinfoGroups: identity.userinfoGroups }, base)).toEqual(['u1', 'u2']);
    expect(groupsOf({ groups: ['x'] }, identity, { ...base, groupsSource: 'userinfo' })).toEqual(['u1', 'u2']);
    expect(groupsOf({ groups: ['x'] }, {}, { ...base, groupsSource: 'id_token' })).toBeUndefined();
    // Array items are never split: a DN holds commas.
    const dn = 'cn=analysts,ou=groups,dc=corp,dc=example';
    expect(groupsOf({ groups: [dn] }, {}, { ...base, groupsSeparator: ',' })).toEqual([dn]);
  });
});
