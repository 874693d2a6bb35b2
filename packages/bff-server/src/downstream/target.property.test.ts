import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveTarget } from './target.js';

const BASES = ['https://reports.internal/v1', 'https://reports.internal/v1/', 'http://localhost:4100', 'https://api.example.com/a/b'].map((b) => new URL(b));

/** Fragments that walk out of a base, or that a server might decode into a separator after routing, glued together below. */
const PIECES = [
  '/',
  '//',
  '.',
  '..',
  '%2e',
  '%2E',
  '%2e%2e',
  '.%2e',
  '%2f',
  '%2F',
  '%5c',
  '%5C',
  '\\',
  '%00',
  '?',
  '#',
  '@',
  ':',
  'x',
  'summaries',
  '%',
  '%zz',
  'a b',
  '~',
];

const paths = fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((pieces) => `/${pieces.join('')}`);

describe('resolveTarget, against paths built to escape the base', () => {
  it('either refuses, or names a URL on the base origin under the base path that no server reads as a walk out of it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BASES), fc.oneof(paths, fc.string({ maxLength: 40 })), (base, path) => {
        const target = resolveTarget(base, path);
        if (!target) return;
        const basePath = base.pathname.replace(/\/$/, '');
        expect(target.origin).toBe(base.origin);
        expect(target.pathname === basePath || target.pathname.startsWith(`${basePath}/`) || basePath === '').toBe(true);
        expect(target.pathname).not.toMatch(/%2f|%5c|%00|\\/i);
        // What the API would route on, decoded segment by segment: no dot segment survives.
        for (const segment of target.pathname.split('/')) expect(['.', '..']).not.toContain(decodeURIComponent(segment));
        expect(target.hash).toBe('');
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps an ordinary path and its query as they are', () => {
    const base = new URL('https://reports.internal/v1');
    expect(resolveTarget(base, '/summaries/q3-cards?period=2026-Q3&x=a%20b')?.href).toBe(
      'https://reports.internal/v1/summaries/q3-cards?period=2026-Q3&x=a%20b',
    );
    expect(resolveTarget(base, '')?.href).toBe('https://reports.internal/v1');
    expect(resolveTarget(base, '/')?.href).toBe('https://reports.internal/v1/');
  });

  it.each([
    '/..',
    '/../admin',
    '/%2e%2e/admin',
    '/.%2e/admin',
    '/a/%2F..%2Fadmin',
    '/a%5c..%5cadmin',
    '//evil.example/x',
    '/a//b',
    'relative',
    '/x#frag',
    '/%zz',
  ])('refuses %s', (path) => {
    expect(resolveTarget(new URL('https://reports.internal/v1'), path)).toBeUndefined();
  });
});
