import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLE_MAP, groupsFromClaims, parseRoleMap, RoleMapError, rolesFor, rolesNoGroupGrants } from './roles.js';

const ANALYSTS_DN = 'cn=analysts,ou=groups,dc=corp,dc=example';

function roleMapError(json: string): RoleMapError {
  try {
    parseRoleMap(json);
  } catch (error) {
    if (error instanceof RoleMapError) return error;
    throw error;
  }
  throw new Error(`parseRoleMap accepted ${json}`);
}

describe('parseRoleMap', () => {
  it('defaults to analyst ← analysts when unset or blank', () => {
    expect(parseRoleMap(undefined)).toEqual({ analyst: ['analysts'] });
    expect(parseRoleMap('  ')).toBe(DEFAULT_ROLE_MAP);
  });

  it('reads names and DNs', () => {
    const map = parseRoleMap(`{"analyst":["analysts","${ANALYSTS_DN}"],"admin":[]}`);
    expect(map).toEqual({ analyst: ['analysts', ANALYSTS_DN], admin: [] });
    expect(Object.isFrozen(map)).toBe(true);
  });

  it.each([
    ['bad JSON', '{analyst: [analysts]}'],
    ['an array', '["analysts"]'],
    ['null', 'null'],
    ['a string value', '{"analyst":"analysts"}'],
    ['a number in the list', '{"analyst":["analysts",1]}'],
    ['an empty group', '{"analyst":[""]}'],
    ['an empty role', '{"":["analysts"]}'],
    ['a broken DN', '{"analyst":["cn=analysts,,dc=x"]}'],
  ])('refuses %s with ROLE_MAP_INVALID', (_case, json) => {
    const error = roleMapError(json);
    expect(error.code).toBe('ROLE_MAP_INVALID');
    expect(error.message).toMatch(/role map|Role "/);
  });

  it('keeps a role called "__proto__" as a role, not a prototype', () => {
    const map = parseRoleMap('{"__proto__":["analysts"]}');
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
  const map = parseRoleMap(JSON.stringify({ analyst: [ANALYSTS_DN], staff: ['staff'], both: ['x', 'staff'] }));

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
    const commaMap = parseRoleMap(JSON.stringify({ r: ['cn=a\\,b,dc=x'] }));
    expect(rolesFor(['cn=a,cn=b,dc=x'], commaMap)).toEqual([]);
    expect(rolesFor(['CN=A\\2CB, DC=X'], commaMap)).toEqual(['r']);
  });

  it('gives no roles for no groups', () => {
    expect(rolesFor([], DEFAULT_ROLE_MAP)).toEqual([]);
  });
});

describe('rolesNoGroupGrants', () => {
  it('lists the roles none of the known groups grant', () => {
    const map = parseRoleMap(JSON.stringify({ analyst: [ANALYSTS_DN], staff: ['staff'], typo: ['analsyts'], empty: [] }));
    expect(rolesNoGroupGrants(map, ['cn=Analysts,ou=groups,dc=corp,dc=example', 'staff'])).toEqual(['typo', 'empty']);
    expect(rolesNoGroupGrants(map, [])).toEqual(['analyst', 'staff', 'typo', 'empty']);
  });
});
