import fc from 'fast-check';
import { FilterParser } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { escapeFilterValue, fillFilter } from './filter.js';

/** Filter syntax, escapes that look finished, replacement patterns and multi-byte characters. */
const TRICKY = [
  '*',
  '(',
  ')',
  '\\',
  '\0',
  '=',
  '~=',
  '>=',
  '<=',
  '&',
  '|',
  '!',
  ':',
  ':=',
  '\\2a',
  '\\',
  '{username}',
  '$&',
  '$1',
  "$'",
  'é',
  '😀',
  ' ',
  '\n',
  '\u0080',
  '\uffff',
];
const username = fc.string({ unit: fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 24 });

/** Templates as operators write them (LDAP_USER_FILTER), including Active Directory's and a substring one. */
const TEMPLATES = [
  '(uid={username})',
  '(&(objectClass=person)(uid={username}))',
  '(|(uid={username})(mail={username}))',
  '(&(objectClass=user)(sAMAccountName={username})(!(userAccountControl:1.2.840.113556.1.4.803:=2)))',
  '(mail={username}@corp.example)',
  '(cn=*{username}*)',
];

const PROBE = 'probe';

/** ldapts reads each `\XX` as one latin-1 character: the bytes of the value, one per character. */
const asLdaptsReadsIt = (value: string) => Buffer.from(value, 'utf8').toString('latin1');

/** The parsed filter as plain data, each string with `from` replaced by `to`: the structure to compare. */
function tree(filter: unknown, from?: string, to?: string): unknown {
  return JSON.parse(JSON.stringify(filter), (_key, value: unknown) =>
    typeof value === 'string' && from !== undefined && to !== undefined ? value.split(from).join(to) : value,
  );
}

describe('LDAP filter escaping properties (S23)', () => {
  it('leaves no filter syntax unescaped: plain ASCII, no * ( ) \\ or NUL but inside \\XX escapes', () => {
    fc.assert(
      fc.property(username, (value) => {
        const escaped = escapeFilterValue(value);
        expect(escaped).toMatch(/^(?:[\x20-\x7e]|\\[0-9a-f]{2})*$/);
        expect(escaped.replace(/\\[0-9a-f]{2}/g, '')).not.toMatch(/[*()\\\0]/);
      }),
      { numRuns: 2000 },
    );
  });

  it('loses nothing: the escapes decode to exactly the UTF-8 bytes of the value', () => {
    fc.assert(
      fc.property(username, (value) => {
        const escaped = escapeFilterValue(value);
        const bytes = Buffer.from(
          escaped.replace(/\\([0-9a-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
          'latin1',
        );
        expect(bytes.equals(Buffer.from(value, 'utf8'))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('fills any template with any username into a filter of exactly the structure of the template, holding the username as data', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEMPLATES), username, (template, value) => {
        const intended = tree(FilterParser.parseString(fillFilter(template, { username: PROBE })), PROBE, asLdaptsReadsIt(value));
        const parsed = FilterParser.parseString(fillFilter(template, { username: value }));
        expect(tree(parsed)).toEqual(intended);
      }),
      { numRuns: 2000 },
    );
  });
});
