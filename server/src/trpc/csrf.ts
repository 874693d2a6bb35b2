import type { Request, RequestHandler, Response } from 'express';
import type { AuthFailureReason } from '@bff/shared';
import type { Logger } from '../log.js';

/** The header every tRPC call must carry; a cross-site form or image cannot send it without a CORS pre-flight. */
export const CSRF_HEADER = 'x-csrf';

/**
 * Refuses requests a cross-site page could forge (S12), before tRPC reads them:
 * - an `Origin` that is not an allowed front, or `Sec-Fetch-Site: cross-site` with no `Origin`: `origin_denied`;
 * - no `x-csrf: 1` header, or a POST body that is not JSON: `csrf`.
 * Subscriptions (server-sent events, which cannot set headers) rely on the origin check alone,
 * and must show where they come from (`Origin`, or `Sec-Fetch-Site: same-origin`).
 */
export function csrfGuard(allowedOrigins: ReadonlySet<string>, logger: Logger): RequestHandler {
  const refuse = (req: Request, res: Response, reason: Extract<AuthFailureReason, 'csrf' | 'origin_denied'>) => {
    logger.warn('auth.denied', { reason, path: req.path });
    respond(req, res, reason);
  };
  return (req, res, next) => {
    const origin = req.headers.origin;
    const site = req.headers['sec-fetch-site'];
    if (origin !== undefined ? !allowedOrigins.has(origin) : site === 'cross-site') {
      refuse(req, res, 'origin_denied');
      return;
    }
    const isEventStream = req.method === 'GET' && (req.headers.accept ?? '').includes('text/event-stream');
    if (isEventStream) {
      if (origin === undefined && site !== 'same-origin') refuse(req, res, 'origin_denied');
      else next();
      return;
    }
    if (req.headers[CSRF_HEADER] !== '1') {
      refuse(req, res, 'csrf');
      return;
    }
    if (req.method !== 'GET' && !req.is('application/json')) {
      refuse(req, res, 'csrf');
      return;
    }
    next();
  };
}

/** Answers in tRPC's own error shape (one entry per procedure for a batch), so the typed client can read the reason. */
function respond(req: Request, res: Response, reason: Extract<AuthFailureReason, 'csrf' | 'origin_denied'>): void {
  const paths = req.path.replace(/^\//, '').split(',');
  const errorFor = (path: string | undefined) => ({
    error: {
      code: -32003,
      message: reason === 'csrf' ? 'Request refused: missing anti-forgery header or non-JSON body.' : 'Request refused: origin not allowed.',
      data: { code: 'FORBIDDEN', httpStatus: 403, path, reason },
    },
  });
  res.status(403).set('cache-control', 'no-store');
  res.json(req.query['batch'] ? paths.map(errorFor) : errorFor(paths[0]));
}
