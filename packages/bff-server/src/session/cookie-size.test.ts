import { describe, expect, it } from 'vitest';
import type { Response } from 'express';
import { cookieBytes, CookieTooLargeError, MAX_COOKIE_BYTES, setCookie } from './cookie-size.js';
import { MAX_STEP_UP_AGE_SECONDS } from '../authz/step-up.js';
import { MAX_PENDING_LOGIN_BYTES, transactionCookiePrefix, TransactionCookies, WORST_TRANSACTION_COOKIE_VALUE } from './transaction-cookies.js';
import { MAX_RETURN_TO_LENGTH, safeReturnTo } from '../endpoints/return-to.js';

describe('cookie size (S9)', () => {
  it('refuses loudly to send a cookie the browser would drop', () => {
    const sent: string[] = [];
    const res = { cookie: (name: string) => sent.push(name) } as unknown as Response;
    setCookie(res, 'small', 'x'.repeat(100), {});
    expect(() => setCookie(res, 'big', 'x'.repeat(MAX_COOKIE_BYTES), {})).toThrow(CookieTooLargeError);
    expect(sent).toEqual(['small']);
  });

  it('counts the URI-encoded value, as Express sends it', () => {
    expect(cookieBytes('n', 'é')).toBe(1 + '%C3%A9'.length);
  });

  it('keeps the largest possible login transaction cookie under the limit, as the doctor computes it', async () => {
    const baseName = 'n'.repeat(64); // the longest COOKIE_NAME
    const cookies = new TransactionCookies({ secrets: ['s'.repeat(32)], baseName, secure: true });
    const state = 'S'.repeat(43);
    const front = 'https://app.example.com';
    const longest = `${front}/${'p'.repeat(MAX_RETURN_TO_LENGTH - front.length - 1)}`;
    expect(safeReturnTo(longest, [front])).toBe(longest);
    // percent-encoding cannot push it past the limit either
    expect(safeReturnTo(`/${'é'.repeat(1000)}`, [front])).toBe(`${front}/`);
    // A step-up login keeps its weakest acr (the longest an acr value may be) and max_age too.
    const stepUp = { acr: 'a'.repeat(128), maxAge: MAX_STEP_UP_AGE_SECONDS };
    const sealed = await cookies.seal({ state, nonce: 'N'.repeat(43), codeVerifier: 'V'.repeat(43), returnTo: longest, stepUp });
    expect(sealed.length).toBeLessThanOrEqual(WORST_TRANSACTION_COOKIE_VALUE);
    expect(cookies.nameFor(state)).toBe(`${transactionCookiePrefix(baseName, true)}${state}`);
    const worst = cookieBytes(cookies.nameFor(state), 'x'.repeat(WORST_TRANSACTION_COOKIE_VALUE));
    expect(worst).toBeLessThan(MAX_COOKIE_BYTES);
    // A login always keeps its own transaction: the bound on pending ones must hold it.
    expect(worst).toBeLessThanOrEqual(MAX_PENDING_LOGIN_BYTES);
  });
});
