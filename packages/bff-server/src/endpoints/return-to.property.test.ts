import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETURN_TO_LENGTH, safeReturnTo } from './return-to.js';

/** Front lists as the configuration produces them (origins, the first is home). */
const FRONT_LISTS = [
  ['https://app.example.com'],
  ['https://app.example.com', 'https://admin.example.com:8443'],
  ['http://localhost:4200', 'http://127.0.0.1:4200', 'http://[::1]:4200'],
] as const;

/** Fragments that confuse URL parsers, origin checks and browsers, glued together below. */
const PIECES = [
  '/',
  '//',
  '///',
  '\\',
  '/\\',
  '\\/',
  ':',
  'https:',
  'http:',
  'HTTPS:',
  'https://',
  'http://',
  'javascript:',
  'data:',
  'blob:',
  'evil.com',
  'evil.com/',
  'app.example.com',
  'app.example.com.evil.com',
  'admin.example.com',
  'localhost',
  'localhost:4200',
  '127.0.0.1',
  '[::1]',
  ':443',
  ':4200',
  ':8443',
  '@',
  'user:pass@',
  '%40',
  '.',
  '..',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '%252f',
  '%00',
  '%09',
  '%0a',
  '%2e',
  '\t',
  '\n',
  '\r',
  ' ',
  '\u0000',
  '\u007f',
  '#',
  '?',
  '&',
  ';',
  '0x7f000001',
  '\u3002', // ideographic full stop, a dot to IDNA
  '\uff0e', // fullwidth full stop
  '\uff0f', // fullwidth solidus
  '\uff3c', // fullwidth reverse solidus
  '\u2044', // fraction slash
  '\u2215', // division slash
  '\uff45\uff56\uff49\uff4c.com', // fullwidth "evil"
  '\u200b', // zero-width space
  '\ufeff',
  '\u00a0',
  '\u2028',
  'xn--',
  '\ud800', // lone surrogate
];

const adversarial = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PIECES) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) }), {
    maxLength: 10,
  })
  .map((parts) => parts.join(''));

const anyReturnTo = fc.oneof(adversarial, fc.string({ unit: 'binary' }), fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.webPath());
const fronts = fc.constantFrom(...FRONT_LISTS);

/** What must hold of every answer: a canonical URL on an allowed front, safe in a Location header. */
function expectOnAllowedFront(target: string, allowed: readonly string[]): void {
  const url = new URL(target);
  expect(allowed).toContain(url.origin);
  // Canonical: a browser parsing the Location header reads the same URL, so the same origin.
  expect(url.href).toBe(target);
  expect(url.username).toBe('');
  expect(url.password).toBe('');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a header
  expect(target).not.toMatch(/[\\\s\u0000-\u001f\u007f]/);
  expect(target.length).toBeLessThanOrEqual(MAX_RETURN_TO_LENGTH);
}

describe('safeReturnTo properties (S3)', () => {
  it('never sends anyone off the allowed fronts, whatever the string', () => {
    fc.assert(
      fc.property(anyReturnTo, fronts, (raw, allowed) => {
        expectOnAllowedFront(safeReturnTo(raw, allowed), allowed);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws, even for values that are not strings (repeated or nested query parameters)', () => {
    fc.assert(
      fc.property(fc.anything(), fronts, (raw, allowed) => {
        expectOnAllowedFront(safeReturnTo(raw, allowed), allowed);
      }),
    );
  });

  it('goes home for any URL whose origin is not a front, however it is spelled', () => {
    const foreign = fc.oneof(
      fc.webUrl().filter((u) => !FRONT_LISTS.flat().includes(new URL(u).origin as never)),
      fc.constantFrom('https://app.example.com.evil.com', 'https://app.example.com:444', 'http://app.example.com', 'https://evil.com'),
    );
    // A foreign URL written the ways that have fooled redirect checks: protocol-relative, backslashed, scheme-only, padded.
    const spelled = fc.tuple(foreign, fc.constantFrom('', '\\', ' ', '\t', '\n', '%2f')).map(([url, lead]) => {
      const rest = url.replace(/^https?:\/\//, '');
      const scheme = url.split(':')[0] ?? 'https';
      return [
        `${lead}${url}`,
        `${lead}//${rest}`,
        `///${rest}`,
        `/\\${rest}`,
        `\\\\${rest}`,
        `${scheme}:${rest}`,
        `${scheme}:/${rest}`,
        `${scheme}:\\\\${rest}`,
      ];
    });
    fc.assert(
      fc.property(spelled, fronts, (spellings, allowed) => {
        for (const raw of spellings) expect(safeReturnTo(raw, allowed)).toBe(`${allowed[0]}/`);
      }),
    );
  });

  it('keeps a same-front path as it is (the fallback is not all it ever answers)', () => {
    fc.assert(
      fc.property(fc.webPath({ size: 'medium' }), fc.webQueryParameters(), fc.webFragments(), fronts, (path, query, fragment, allowed) => {
        const raw = `/${path.replace(/^\/+/, '')}${query ? `?${query}` : ''}${fragment ? `#${fragment}` : ''}`;
        const expected = new URL(raw, allowed[0]).href;
        fc.pre(expected.length <= MAX_RETURN_TO_LENGTH);
        expect(safeReturnTo(raw, allowed)).toBe(expected);
      }),
    );
  });
});
