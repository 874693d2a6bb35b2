import type { IncomingMessage } from 'node:http';
import { parse } from 'cookie';

/**
 * The request's cookies, every value a string, as the tRPC endpoint reads them. Not
 * cookie-parser: it decodes `j:`-prefixed values as JSON, so that any page able to set
 * a cookie for this host (a sibling subdomain, another port on localhost) could hand
 * the endpoints an object or a number where they read a string, and stop sign-out (S27).
 */
export function requestCookies(req: IncomingMessage): ReadonlyMap<string, string> {
  const header = req.headers.cookie;
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  // Own entries only: a cookie named `__proto__` or `constructor` is just a name here.
  for (const [name, value] of Object.entries(parse(header))) if (typeof value === 'string') cookies.set(name, value);
  return cookies;
}
