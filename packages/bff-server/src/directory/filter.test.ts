import { BerReader, BerWriter, Client, EqualityFilter, FilterParser, OrFilter, SubstringFilter, type Filter } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlapd, type Slapd } from '@bff/test-kit';
import { FilterTemplateError, memberFilter, UserFilterTemplate } from './filter.js';

/** The filter as the directory receives it: BER-encoded, then decoded by ldapts as a server would. */
function onTheWire(filter: Filter): unknown {
  const writer = new BerWriter();
  filter.write(writer);
  return JSON.parse(JSON.stringify(FilterParser.parse(new BerReader(writer.buffer))));
}

const fill = (template: string, username: string) => UserFilterTemplate.parse(template).fill(username);
const equality = (attribute: string, value: string) => new EqualityFilter({ attribute, value });

describe('UserFilterTemplate', () => {
  it('puts the username at every {username}, as data', () => {
    const filter = fill('(|(uid={username})(mail={username}))', 'a*)(uid=*');
    expect(onTheWire(filter)).toEqual(onTheWire(new OrFilter({ filters: [equality('uid', 'a*)(uid=*'), equality('mail', 'a*)(uid=*')] })));
    // Written out as a string filter, the value is escaped: it is no syntax.
    expect(String(filter)).toBe('(|(uid=a\\2a\\29\\28uid=\\2a)(mail=a\\2a\\29\\28uid=\\2a))');
  });

  it('keeps $ patterns in usernames literal', () => {
    expect(onTheWire(fill('(uid={username})', "$&$1$'"))).toEqual(onTheWire(equality('uid', "$&$1$'")));
  });

  it('fills part of a value and the parts of a substring filter', () => {
    expect(onTheWire(fill('(mail={username}@corp.example)', 'alice'))).toEqual(onTheWire(equality('mail', 'alice@corp.example')));
    expect(onTheWire(fill('(cn=*{username}*)', 'a*b'))).toEqual(onTheWire(new SubstringFilter({ attribute: 'cn', any: ['a*b'] })));
  });

  it('reads escaped UTF-8 in the template as the characters it encodes', () => {
    const filter = fill('(&(ou=\\c3\\a9quipe)(uid={username}))', 'josé');
    expect(onTheWire(filter)).toEqual(onTheWire(FilterParser.parseString('(&(ou=équipe)(uid=josé))')));
  });

  it.each(['(uid=alice)', '(uid={user})', 'uid={username}', '(uid={username}', '(cn:{username}:=x)', '(uid=\\7busername})'])(
    'refuses the template %j',
    (template) => {
      expect(() => UserFilterTemplate.parse(template)).toThrow(FilterTemplateError);
    },
  );

  it('makes no filter of a username that is not well-formed Unicode, which would reach the directory as U+FFFD', () => {
    const template = UserFilterTemplate.parse('(uid={username})');
    for (const username of ['\ud800', 'a\udc00', '\ud83d', 'x\ude00y']) {
      expect(template.canFill(username)).toBe(false);
      expect(() => template.fill(username)).toThrow(TypeError);
    }
    expect(template.canFill('😀')).toBe(true);
    expect(onTheWire(template.fill('😀'))).toEqual(onTheWire(equality('uid', '😀')));
  });
});

describe('memberFilter', () => {
  it('asks for member or uniqueMember of each DN, the DNs as data', () => {
    const dns = ['cn=a\\,b (x)*,ou=groups,dc=corp,dc=example', 'cn=é,ou=groups,dc=corp,dc=example'];
    expect(onTheWire(memberFilter(dns))).toEqual(
      onTheWire(new OrFilter({ filters: dns.flatMap((dn) => [equality('member', dn), equality('uniqueMember', dn)]) })),
    );
  });
});

describe('filters against a real slapd', () => {
  let ldap: Slapd;
  let client: Client;
  const search = async (filter: Filter) =>
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
    expect(await search(fill('(uid={username})', 'alice'))).toEqual([`uid=alice,ou=people,${ldap.baseDn}`]);
  });

  it('matches nobody for the injection *)(uid=*', async () => {
    expect(await search(fill('(uid={username})', '*)(uid=*'))).toEqual([]);
    expect(await search(fill('(&(objectClass=inetOrgPerson)(uid={username}))', '*'))).toEqual([]);
    expect(await search(fill('(uid={username})', 'ali*'))).toEqual([]);
  });
});
