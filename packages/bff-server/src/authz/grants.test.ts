import { describe, expect, it } from 'vitest';
import { directoryUsername, lazyGrants } from './grants.js';
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
});
