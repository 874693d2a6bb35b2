import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * The security headers helmet would set (S17), computed once at start-up so that
 * every response gets them without running the middleware per request. HSTS only
 * when the API is served over https.
 */
export function securityHeaders(https: boolean): ReadonlyArray<readonly [string, string]> {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  } as unknown as ServerResponse;
  helmet({ strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false })({} as IncomingMessage, res, (error?: unknown) => {
    if (error) throw error;
  });
  return [...headers.entries()];
}
