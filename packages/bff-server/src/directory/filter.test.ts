import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type Slapd } from '@bff/test-kit';
import { escapeFilterValue, fillFilter, FilterTemplateError } from './filter.js';

describe('escapeFilterValue', () => {
  it('escapes the RFC 4515 specials', () => {
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue('(')).toBe('\\28');
    expect(escapeFilterValue(')')).toBe('\\29');
    expect(escapeFilterValue('\\')).toBe('\\5c');
    expect(escapeFilterValue('\0')).toBe('\\00');
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
  });

  it('escapes each UTF-8 byte of non-ASCII characters, and controls', () => {
    expect(escapeFilterValue('josé')).toBe('jos\\c3\\a9');
    expect(escapeFilterValue('😀')).toBe('\\f0\\9f\\98\\80');
    expect(escapeFilterValue('a\nb')).toBe('a\\0ab');
  });

  it('leaves ordinary ASCII as it is', () => {
    expect(escapeFilterValue('alice.martin-2@corp.example = x')).toBe('alice.martin-2@corp.example = x');
  });
});

describe('fillFilter', () => {
  it('puts the escaped username at every {username}', () => {
    expect(fillFilter('(|(uid={username})(mail={username}))', { username: 'a*' })).toBe('(|(uid=a\\2a)(mail=a\\2a))');
  });

  it('keeps $ patterns in usernames literal', () => {
    expect(fillFilter('(uid={username})', { username: "$&$1$'" })).toBe("(uid=$&$1$')");
  });

  it.each(['(uid=alice)', '(uid={user})', 'uid={username}'])('refuses the template %j', (template) => {
    expect(() => fillFilter(template, { username: 'alice' })).toThrow(FilterTemplateError);
  });
});

describe('filters against a real slapd', () => {
  let ldap: Slapd;
  let client: Client;
  const search = async (filter: string) =>
    (await client.search(`ou=people,${ldap.baseDn}`, { filter, attributes: ['uid'] })).searchEntries.map((entry) => entry.dn);

  beforeAll(async () => {
    ldap = await startSlapd();
    client = new Client({ url: ldap.url, timeout: 2000, connectTimeout: 2000 });
    await client.bind(ldap.bindDn, ldap.bindPassword);
  });
  afterAll(async () => {
    await client?.unbind();
    await ldap?.stop();
  });

  it('finds alice by her uid', async () => {
    expect(await search(fillFilter('(uid={username})', { username: 'alice' }))).toEqual([`uid=alice,ou=people,${ldap.baseDn}`]);
  });

  it('matches nobody for the injection *)(uid=*', async () => {
    expect(await search(fillFilter('(uid={username})', { username: '*)(uid=*' }))).toEqual([]);
    expect(await search(fillFilter('(&(objectClass=inetOrgPerson)(uid={username}))', { username: '*' }))).toEqual([]);
    expect(await search(fillFilter('(uid={username})', { username: 'ali*' }))).toEqual([]);
  });
});
