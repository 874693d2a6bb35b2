import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_MAP, groupsFromClaims, roleMapSchema, rolesFor, rolesNoGroupGrants } from './roles.js';

const ANALYSTS_DN = 'cn=analysts,ou=groups,dc=corp,dc=example';

describe('the role map option (roleMapSchema)', () => {
  it('reads names and DNs, frozen', () => {
    const map = roleMapSchema.parse({ analyst: ['analysts', ANALYSTS_DN], admin: [] });
    expect(map).toEqual({ analyst: ['analysts', ANALYSTS_DN], admin: [] });
    expect(Object.isFrozen(map)).toBe(true);
    expect(Object.isFrozen(map['analyst'])).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    ['an array', ['analysts'], /not a JSON object/],
    ['null', null, /not a JSON object/],
    ['a string value', { analyst: 'analysts' }, /Role "analyst" must map to an array/],
    ['a number in the list', { analyst: ['analysts', 1] }, /Role "analyst" must map to an array/],
    ['an empty group', { analyst: [''] }, /Role "analyst" must map to an array/],
    ['an empty role', { '': ['analysts'] }, /empty role name/],
    ['a broken DN', { analyst: ['cn=analysts,,dc=x'] }, /Role "analyst": "cn=analysts,,dc=x" looks like a DN/],
  ])('refuses %s, naming the role', (_case, value, message) => {
    const result = roleMapSchema.safeParse(value);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([expect.stringMatching(message)]);
  });

  it('keeps a role called "__proto__" as a role, not a prototype', () => {
    const map = roleMapSchema.parse(JSON.parse('{"__proto__":["analysts"]}'));
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
    expect(rolesFor(['analysts'], map)).toEqual(['__proto__']);
  });
});

describe('groupsFromClaims', () => {
  it('reads the groups claim by default', () => {
    expect(groupsFromClaims({ groups: ['analysts', 'staff'] })).toEqual(['analysts', 'staff']);
  });

  it('follows a dot path', () => {
    expect(groupsFromClaims({ realm_access: { roles: ['analysts'] } }, 'realm_access.roles')).toEqual(['analysts']);
  });

  it('finds keys that contain dots', () => {
    expect(groupsFromClaims({ 'https://corp.example/groups': ['analysts'] }, 'https://corp.example/groups')).toEqual(['analysts']);
    expect(groupsFromClaims({ resource_access: { 'bff.web': { roles: ['r'] } } }, 'resource_access.bff.web.roles')).toEqual(['r']);
  });

  it('accepts a single string', () => {
    expect(groupsFromClaims({ groups: 'analysts' })).toEqual(['analysts']);
  });

  it('drops non-strings and gives nothing for other shapes', () => {
    expect(groupsFromClaims({ groups: ['analysts', 3, null, { x: 1 }] })).toEqual(['analysts']);
    expect(groupsFromClaims({ groups: { analysts: true } })).toEqual([]);
    expect(groupsFromClaims({ groups: 7 })).toEqual([]);
    expect(groupsFromClaims({})).toEqual([]);
    expect(groupsFromClaims({ realm_access: ['roles'] }, 'realm_access.roles')).toEqual([]);
  });

  it('does not read inherited properties', () => {
    expect(groupsFromClaims({}, 'constructor.name')).toEqual([]);
    expect(groupsFromClaims({}, '__proto__')).toEqual([]);
  });
});

describe('rolesFor', () => {
  const map = roleMapSchema.parse({ analyst: [ANALYSTS_DN], staff: ['staff'], both: ['x', 'staff'] });

  it('matches DN entries to DN groups as DNs', () => {
    expect(rolesFor(['CN=Analysts, OU=Groups, DC=corp, DC=example'], map)).toEqual(['analyst']);
  });

  it('matches names exactly and case-sensitively', () => {
    expect(rolesFor(['staff'], map)).toEqual(['staff', 'both']);
    expect(rolesFor(['Staff'], map)).toEqual([]);
  });

  it('never matches a name against a DN, either way round', () => {
    expect(rolesFor(['analysts'], map)).toEqual([]);
    expect(rolesFor(['cn=staff,ou=groups,dc=corp,dc=example'], map)).toEqual([]);
  });

  it('does not treat an escaped comma as a separator', () => {
    const commaMap = roleMapSchema.parse({ r: ['cn=a\\,b,dc=x'] });
    expect(rolesFor(['cn=a,cn=b,dc=x'], commaMap)).toEqual([]);
    expect(rolesFor(['CN=A\\2CB, DC=X'], commaMap)).toEqual(['r']);
  });

  it('gives no roles for no groups', () => {
    expect(rolesFor([], DEFAULT_ROLE_MAP)).toEqual([]);
  });
});

describe('rolesNoGroupGrants', () => {
  it('lists the roles none of the known groups grant', () => {
    const map = roleMapSchema.parse({ analyst: [ANALYSTS_DN], staff: ['staff'], typo: ['analsyts'], empty: [] });
    expect(rolesNoGroupGrants(map, ['cn=Analysts,ou=groups,dc=corp,dc=example', 'staff'])).toEqual(['typo', 'empty']);
    expect(rolesNoGroupGrants(map, [])).toEqual(['analyst', 'staff', 'typo', 'empty']);
  });
});
