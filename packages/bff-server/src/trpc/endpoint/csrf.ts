import type { IncomingMessage } from 'node:http';
import { CSRF_HEADER, CSRF_HEADER_VALUE, type AuthFailureReason } from '@oidc-bff/protocol';

export type CsrfRefusal = Extract<AuthFailureReason, 'csrf' | 'origin_denied'>;

/**
 * Decides whether a request could have been forged by a cross-site page (S12):
 * - an `Origin` that is not an allowed front, or `Sec-Fetch-Site: cross-site` with no `Origin`: `origin_denied`;
 * - no `x-csrf: 1` header, or a POST body that is not JSON: `csrf`.
 * Subscriptions (server-sent events, which cannot set headers) rely on the origin check alone,
 * and must show where they come from (`Origin`, or `Sec-Fetch-Site: same-origin`).
 *
 * @returns the reason to refuse, or undefined when the request may proceed.
 */
export function csrfRefusal(req: IncomingMessage, allowedOrigins: ReadonlySet<string>): CsrfRefusal | undefined {
  const { origin, accept } = req.headers;
  const site = req.headers['sec-fetch-site'];
  if (origin !== undefined ? !allowedOrigins.has(origin) : site === 'cross-site') return 'origin_denied';
  if (req.method === 'GET' && accept?.includes('text/event-stream')) {
    return origin === undefined && site !== 'same-origin' ? 'origin_denied' : undefined;
  }
  if (req.headers[CSRF_HEADER] !== CSRF_HEADER_VALUE) return 'csrf';
  if (req.method !== 'GET' && mediaType(req.headers['content-type']) !== 'application/json') return 'csrf';
  return undefined;
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}
