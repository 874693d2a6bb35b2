import { describe, expect, it } from 'vitest';
import { DnSyntaxError, isDn, normalizeDn, parseDn, sameDn } from './dn.js';

const ANALYSTS = 'cn=analysts,ou=groups,dc=corp,dc=example';

describe('sameDn', () => {
  it('ignores the case of types and values and the spaces after commas', () => {
    expect(sameDn(ANALYSTS, 'CN=Analysts, OU=Groups, DC=corp, DC=example')).toBe(true);
  });

  it('ignores spaces around "=", "," and "+"', () => {
    expect(sameDn(ANALYSTS, '  cn = analysts ,ou= groups , dc =corp,dc=example  ')).toBe(true);
    expect(sameDn('cn=a+uid=b,dc=x', 'cn=a + uid=b,dc=x')).toBe(true);
  });

  it('does not split an escaped comma: cn=a\\,b,dc=x is not cn=a,cn=b,dc=x', () => {
    expect(sameDn('cn=a\\,b,dc=x', 'cn=a,cn=b,dc=x')).toBe(false);
    expect(parseDn('cn=a\\,b,dc=x')).toHaveLength(2);
  });

  it('treats a hex escape like the character it encodes', () => {
    expect(sameDn('cn=a\\2Cb,dc=x', 'cn=a\\,b,dc=x')).toBe(true);
    expect(sameDn('cn=a\\2cb,dc=x', 'cn=a,cn=b,dc=x')).toBe(false);
  });

  it('decodes multi-byte hex escapes as UTF-8', () => {
    expect(sameDn('cn=Jos\\C3\\A9,dc=x', 'cn=josé,dc=x')).toBe(true);
  });

  it('tolerates quoted values', () => {
    expect(sameDn('cn="Martin, Alice",dc=x', 'cn=Martin\\, Alice,dc=x')).toBe(true);
    expect(sameDn('cn="a+b" , dc=x', 'cn=a\\+b,dc=x')).toBe(true);
  });

  it('keeps an escaped trailing space significant and drops unescaped ones', () => {
    expect(sameDn('cn=a\\ ,dc=x', 'cn=a,dc=x')).toBe(false);
    expect(sameDn('cn=a   ,dc=x', 'cn=a,dc=x')).toBe(true);
  });

  it('does not care about the order of the AVAs in a multi-valued RDN', () => {
    expect(sameDn('cn=a+uid=b,dc=x', 'UID=B+CN=A,dc=x')).toBe(true);
  });

  it('names well-known attribute OIDs', () => {
    expect(sameDn('2.5.4.3=analysts,0.9.2342.19200300.100.1.25=corp', 'cn=analysts,dc=corp')).toBe(true);
  });

  it('tells different DNs apart', () => {
    expect(sameDn(ANALYSTS, 'cn=analysts,ou=groups,dc=corp,dc=other')).toBe(false);
    expect(sameDn(ANALYSTS, 'ou=analysts,ou=groups,dc=corp,dc=example')).toBe(false);
    expect(sameDn('cn=a,dc=x', 'cn=a,dc=x,dc=y')).toBe(false);
  });

  it('is false when either side is not a DN', () => {
    expect(sameDn('analysts', 'analysts')).toBe(false);
    expect(sameDn('', '')).toBe(false);
  });
});

describe('isDn', () => {
  it.each([ANALYSTS, 'cn=a\\,b,dc=x', 'CN = x', 'cn=#04024869', 'oid.2.5.4.3=x', 'cn=a=b'])('accepts %j', (dn) => {
    expect(isDn(dn)).toBe(true);
  });

  it.each(['', 'analysts', '/analysts', 'cn', 'cn=a,', ',cn=a', 'cn=a\\', 'cn=a\\zz', 'cn=a;dc=x', 'cn="open', '1cn=a', 'cn=#0', 'cn=\\ff'])(
    'refuses %j',
    (dn) => {
      expect(isDn(dn)).toBe(false);
    },
  );
});

describe('normalizeDn', () => {
  it('gives one canonical, re-parsable form', () => {
    expect(normalizeDn('CN=Analysts, OU=Groups, DC=corp, DC=example')).toBe(ANALYSTS);
    const normal = normalizeDn('CN="Martin, Alice" , O=#04024869 ,DC=X');
    expect(normal).toBe('cn=martin\\, alice,o=#04024869,dc=x');
    expect(normalizeDn(normal)).toBe(normal);
  });

  it('throws a DnSyntaxError with a stable code', () => {
    expect(() => normalizeDn('not a dn')).toThrow(DnSyntaxError);
    try {
      normalizeDn('cn=a,');
    } catch (error) {
      expect((error as DnSyntaxError).code).toBe('DN_INVALID');
    }
  });
});
