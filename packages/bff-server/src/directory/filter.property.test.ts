import fc from 'fast-check';
import { BerReader, BerWriter, FilterParser, type Filter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { UserFilterTemplate } from './filter.js';

/** Filter syntax, escapes that look finished, replacement patterns, multi-byte characters and surrogate halves. */
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
  '\ufffd',
  '\ud83d',
  '\ude00',
  '\udfff',
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
  '(&(ou=\\c3\\a9quipe)(uid={username}))',
];

const PROBE = 'probe';

/** Whether UTF-8 can carry `value` as it is (Node's encoder turns a lone surrogate into U+FFFD). */
const wellFormed = (value: string) => Buffer.from(value, 'utf8').toString('utf8') === value;

/** The filter as the directory receives it: BER-encoded, then decoded by ldapts as a server would, as plain data. */
function onTheWire(filter: Filter): unknown {
  const writer = new BerWriter();
  filter.write(writer);
  return JSON.parse(JSON.stringify(FilterParser.parse(new BerReader(writer.buffer))));
}

/** `tree` with every string's `from` replaced by `to`. */
function replaced(tree: unknown, from: string, to: string): unknown {
  return JSON.parse(JSON.stringify(tree), (_key, value: unknown) => (typeof value === 'string' ? value.split(from).join(to) : value));
}

describe('LDAP user filter properties (S23)', () => {
  it('sends any template filled with any username as exactly the structure of the template, holding the username as data', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEMPLATES), username, (template, value) => {
        fc.pre(wellFormed(value));
        const parsed = UserFilterTemplate.parse(template);
        expect(onTheWire(parsed.fill(value))).toEqual(replaced(onTheWire(parsed.fill(PROBE)), PROBE, value));
      }),
      { numRuns: 2000 },
    );
  });

  it('makes a filter exactly of the usernames UTF-8 carries as they are, never one holding U+FFFD for a lone surrogate', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEMPLATES), username, (template, value) => {
        const parsed = UserFilterTemplate.parse(template);
        expect(parsed.canFill(value)).toBe(wellFormed(value));
        if (!wellFormed(value)) expect(() => parsed.fill(value)).toThrow(TypeError);
      }),
      { numRuns: 2000 },
    );
  });
});
