import type { CookieOptions, Response } from 'express';

/** What browsers keep of one cookie's name plus value (RFC 6265bis §5.7). */
export const MAX_COOKIE_BYTES = 4096;

/** Thrown instead of sending a cookie the browser would silently drop (S9). */
export class CookieTooLargeError extends Error {
  readonly code = 'COOKIE_TOO_LARGE';
  constructor(
    readonly cookieName: string,
    readonly bytes: number,
  ) {
    super(`Cookie "${cookieName}" would be ${bytes} bytes; browsers drop cookies over ${MAX_COOKIE_BYTES} bytes.`);
    this.name = 'CookieTooLargeError';
  }
}

/** Bytes of name and value as Express sends them (the value is URI-encoded). */
export function cookieBytes(name: string, value: string): number {
  return Buffer.byteLength(name) + Buffer.byteLength(encodeURIComponent(value));
}

/** `res.cookie`, refusing loudly rather than letting the browser drop an oversized cookie. */
export function setCookie(res: Response, name: string, value: string, options: CookieOptions): void {
  const bytes = cookieBytes(name, value);
  if (bytes > MAX_COOKIE_BYTES) throw new CookieTooLargeError(name, bytes);
  res.cookie(name, value, options);
}
