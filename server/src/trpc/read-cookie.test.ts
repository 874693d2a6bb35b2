import { describe, expect, it } from 'vitest';
import { readCookie } from './http-handler.js';

// The tRPC path reads the session cookie itself; it must agree with cookie-parser, which the auth routes use.
describe('readCookie', () => {
  it('finds one cookie among several, whatever the spacing', () => {
    expect(readCookie('a=1; bff_session=abc.def;b=2', 'bff_session')).toBe('abc.def');
    expect(readCookie('bff_session=x', 'bff_session')).toBe('x');
  });

  it('decodes percent-encoding and strips quotes, and keeps a malformed encoding as is', () => {
    expect(readCookie('n=a%2Fb', 'n')).toBe('a/b');
    expect(readCookie('n="quoted"', 'n')).toBe('quoted');
    expect(readCookie('n=%E0%A4%A', 'n')).toBe('%E0%A4%A');
  });

  it('does not match a cookie whose name only ends like the one asked for, and copes with no header', () => {
    expect(readCookie('xbff_session=evil', 'bff_session')).toBeUndefined();
    expect(readCookie('bff_session_tx_abc=tx', 'bff_session')).toBeUndefined();
    expect(readCookie(undefined, 'bff_session')).toBeUndefined();
    expect(readCookie('garbage', 'bff_session')).toBeUndefined();
  });
});
