import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';

const REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * Gives the request an id (the caller's `x-request-id` if well-formed, else a new
 * one), echoes it, and writes one JSON line when the response is done. Only the
 * method, path and status are logged: no headers, no query values (codes, sids).
 */
export function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  const started = performance.now();
  res.once('finish', () => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const line = {
      msg: 'request',
      req: { id, method: req.method, path: query >= 0 ? url.slice(0, query) : url },
      res: { status: res.statusCode },
      responseTime: Math.round(performance.now() - started),
    };
    if (res.statusCode >= 500) logger.pino.error(line);
    else logger.pino.info(line);
  });
}
