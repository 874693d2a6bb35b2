import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DnSyntaxError, isDn, normalizeDn, parseDn, sameDn } from './dn.js';

/** A distinguished name as data: RDNs of AVAs, each a canonical type and a string or BER (`#hex`) value. */
type AvaModel = { readonly type: string; readonly value: string; readonly ber: false } | { readonly type: string; readonly hex: string; readonly ber: true };
type DnModel = readonly (readonly AvaModel[])[];

/** RFC 4519 names with their OIDs: `2.5.4.3=x`, `OID.2.5.4.3=x` and `CN=x` are one type. */
const OIDS: Readonly<Record<string, string>> = {
  cn: '2.5.4.3',
  c: '2.5.4.6',
  l: '2.5.4.7',
  st: '2.5.4.8',
  street: '2.5.4.9',
  o: '2.5.4.10',
  ou: '2.5.4.11',
  uid: '0.9.2342.19200300.100.1.1',
  dc: '0.9.2342.19200300.100.1.25',
};
const TYPES = [...Object.keys(OIDS), 'mail', 'memberof', 'x-group', '1.2.840.113556.1.4.1'];

/** Characters that are DN syntax, look like it after compatibility normalisation, or fold in case. */
const TRICKY = [
  ' ',
  '  ',
  '#',
  '=',
  '"',
  '+',
  ',',
  ';',
  '<',
  '>',
  '\\',
  '\0',
  'A',
  'a',
  'é',
  'É',
  'ß',
  'İ',
  '\uff0b',
  '\uff0c',
  '\ufb01',
  '\u00a0',
  '😀',
  '😁',
  '\u0301',
  '\u0316',
  '\u210c',
  '\u212a',
];
const valueChar = fc.oneof(fc.constantFrom(...TRICKY), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const value = fc.string({ unit: valueChar, maxLength: 10 });

const ava: fc.Arbitrary<AvaModel> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constantFrom(...TYPES), value, ber: fc.constant(false as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constantFrom(...TYPES),
      hex: fc.uint8Array({ minLength: 1, maxLength: 6 }).map((bytes) => Buffer.from(bytes).toString('hex')),
      ber: fc.constant(true as const),
    }),
  },
);
const dnModel: fc.Arbitrary<DnModel> = fc.array(fc.array(ava, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 });

/**
 * LDAP's caseIgnoreMatch as the module states it (RFC 4518): case folded and
 * compatibility-normalised until neither changes anything, runs of spaces as one.
 */
function fold(text: string): string {
  let folded = text;
  for (let previous = ''; previous !== folded;) {
    previous = folded;
    folded = folded.normalize('NFKC').toLowerCase();
  }
  return folded.replace(/ {2,}/g, ' ');
}

/** The oracle: two models name the same entry when their RDNs hold the same AVAs under the matching rule. */
function key(model: DnModel): string {
  return JSON.stringify(model.map((rdn) => rdn.map((a) => JSON.stringify([a.type, a.ber, a.ber ? a.hex.toLowerCase() : fold(a.value)])).sort()));
}

const SPECIAL = '"+,;<>\\ #=';
const hexBytes = (char: string, upper: boolean) =>
  [...Buffer.from(char, 'utf8')].map((byte) => `\\${byte.toString(16).padStart(2, '0')[upper ? 'toUpperCase' : 'toLowerCase']()}`).join('');

/** One of the many RFC 4514 (and RFC 1779 quoted) spellings of a model, chosen by `choices`. */
function render(model: DnModel, spellingChoices: readonly number[]): string {
  const choices = cycle(spellingChoices);
  const spaces = () => ['', ' ', '  '][choices() % 3] ?? '';
  const type = (name: string) => {
    const oid = OIDS[name] ?? (/^[\d.]+$/.test(name) ? name : undefined);
    const pick = choices() % 3;
    if (oid && pick === 1) return oid;
    if (oid && pick === 2) return `${choices() % 2 ? 'OID' : 'oid'}.${oid}`;
    return [...name].map((c) => (choices() % 2 ? c.toUpperCase() : c)).join('');
  };
  const stringValue = (text: string) => {
    const chars = [...text];
    if (choices() % 4 === 0) return `"${chars.map((c) => (c === '"' || c === '\\' ? (choices() % 2 ? `\\${c}` : hexBytes(c, false)) : c)).join('')}"`;
    return chars
      .map((c, index) => {
        const mustEscape = '"+,;<>\\'.includes(c) || (index === 0 && (c === ' ' || c === '#')) || (index === chars.length - 1 && c === ' ');
        const pick = choices() % 3;
        if (pick === 0 || (mustEscape && !SPECIAL.includes(c))) return hexBytes(c, choices() % 2 === 0);
        if (pick === 1 && SPECIAL.includes(c)) return `\\${c}`;
        return mustEscape ? `\\${c}` : c;
      })
      .join('');
  };
  const avaText = (a: AvaModel) =>
    `${type(a.type)}${spaces()}=${spaces()}${a.ber ? `#${choices() % 2 ? a.hex.toUpperCase() : a.hex}` : stringValue(a.value)}${a.ber ? spaces() : ''}`;
  return `${spaces()}${model.map((rdn) => rdn.map(avaText).join(`${spaces()}+${spaces()}`)).join(`,${spaces()}`)}`;
}

/** Spelling choices, read in a cycle: a plain array, so that a failing case shrinks to a readable one. */
const choicesArb = fc.array(fc.nat({ max: 11 }), { minLength: 1, maxLength: 64 });
const cycle = (choices: readonly number[]) => {
  let index = 0;
  return () => choices[index++ % choices.length] ?? 0;
};
const spelling = (model: fc.Arbitrary<DnModel>) => fc.tuple(model, choicesArb).map(([m, choices]) => ({ model: m, text: render(m, choices) }));

/** A model and a close relative: one value, type or RDN boundary changed, or nothing at all. */
const neighbours = dnModel.chain((m) =>
  fc.tuple(
    fc.constant(m),
    fc.oneof(
      fc.constant(m),
      fc
        .tuple(fc.nat(), fc.nat(), valueChar, fc.nat())
        .map(([r, a, c, at]) =>
          m.map((rdn, ri) =>
            ri !== r % m.length
              ? rdn
              : rdn.map((x, ai) =>
                  ai !== a % rdn.length || x.ber
                    ? x
                    : { ...x, value: [...x.value.slice(0, at % (x.value.length + 1)), c, ...x.value.slice(at % (x.value.length + 1))].join('') },
                ),
          ),
        ),
      fc
        .tuple(fc.nat(), fc.constantFrom(...TYPES))
        .map(([r, type]) => m.map((rdn, ri) => (ri !== r % m.length ? rdn : rdn.map((x, ai) => (ai === 0 ? { ...x, type } : x))))),
      // An escaped separator in a value against the real separator: cn=a\,cn=b against cn=a,cn=b.
      fc.nat().map((r) => {
        const rdn = m[r % m.length] ?? [];
        const first = rdn[0];
        if (!first || first.ber || m.length < 2) return m;
        const next = m[(r + 1) % m.length]?.[0];
        if (!next || next.ber) return m;
        return m.map((x, i) => (i === r % m.length ? [{ ...first, value: `${first.value},${next.type}=${next.value}` }, ...rdn.slice(1)] : x));
      }),
      fc.constant(m.flatMap((rdn) => rdn.map((a) => [a]))),
      fc.constant([...m].reverse()),
    ),
  ),
);

const DN_PIECES = [
  'cn',
  'CN',
  'oid.2.5.4.3',
  '2.5.4.3',
  '=',
  ',',
  '+',
  ';',
  ' ',
  '\\',
  '\\2c',
  '\\C3',
  '\\A9',
  '\\ff',
  '\\',
  '"',
  '#',
  '#00',
  '#0',
  'a',
  'é',
  '😀',
  '\ud800',
  '\0',
  '\t',
];
const crafted = fc.oneof(
  fc.array(fc.constantFrom(...DN_PIECES), { maxLength: 16 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary' }),
  spelling(dnModel).map((s) => s.text),
);

describe('distinguished name properties (S23)', () => {
  it('never throws anything but DnSyntaxError, whatever the string; isDn and sameDn never throw', () => {
    fc.assert(
      fc.property(crafted, crafted, (a, b) => {
        try {
          parseDn(a);
        } catch (error) {
          expect(error).toBeInstanceOf(DnSyntaxError);
        }
        expect(typeof isDn(a)).toBe('boolean');
        expect(typeof sameDn(a, b)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('is reflexive on DNs and symmetric on any pair of strings', () => {
    fc.assert(
      fc.property(crafted, crafted, (a, b) => {
        expect(sameDn(a, a)).toBe(isDn(a));
        expect(sameDn(a, b)).toBe(sameDn(b, a));
      }),
      { numRuns: 2000 },
    );
  });

  it('equates every spelling of one DN: type case, OIDs, escaped, hex-escaped, quoted and unescaped values, optional spaces', () => {
    fc.assert(
      fc.property(dnModel, choicesArb, choicesArb, (model, one, other) => {
        const a = render(model, one);
        const b = render(model, other);
        expect(isDn(a)).toBe(true);
        expect(sameDn(a, b)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('equates two DNs exactly when their values match under the matching rule (no crafted value joins or splits RDNs)', () => {
    fc.assert(
      fc.property(neighbours, choicesArb, choicesArb, ([m1, m2], one, other) => {
        expect(sameDn(render(m1, one), render(m2, other))).toBe(key(m1) === key(m2));
      }),
      { numRuns: 2000 },
    );
  });

  it('has a normal form that is itself a DN with the same normal form', () => {
    fc.assert(
      fc.property(spelling(dnModel), ({ text }) => {
        const normal = normalizeDn(text);
        expect(normalizeDn(normal)).toBe(normal);
        expect(sameDn(normal, text)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('distinguished name regressions found by the properties', () => {
  it('reads astral characters in quoted values whole: cn="😀" is not cn="😁"', () => {
    expect(sameDn('cn="😀",dc=x', 'cn="😁",dc=x')).toBe(false);
    expect(sameDn('cn="😀",dc=x', 'cn=😀,dc=x')).toBe(true);
    expect(normalizeDn('cn="😀"')).toBe('cn=😀');
  });

  it('folds case and normalisation to a fixed point: İ with a mark below equals its own lower-case form', () => {
    const dn = 'cn=\u0130\u0316,dc=x';
    expect(sameDn(dn, 'cn=i\u0307\u0316,dc=x')).toBe(true);
    expect(normalizeDn(normalizeDn(dn))).toBe(normalizeDn(dn));
    expect(sameDn('cn=\u210c,dc=x', 'cn=h,dc=x')).toBe(true);
  });
});
