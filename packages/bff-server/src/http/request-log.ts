import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';

const REQUEST_ID = /^[\w.-]{1,64}$/;

/**
 * The most of a path that reaches a log line or an error: enough to tell every real
 * route and procedure apart, never the kilobytes a hostile URL may carry (S25).
 */
export const MAX_LOGGED_PATH = 200;

/** The path of `url`, without its query (whose values may be codes or sids). */
export function pathOf(url: string | undefined): string {
  const whole = url ?? '/';
  const query = whole.indexOf('?');
  return query >= 0 ? whole.slice(0, query) : whole;
}

/** `path` cut to {@link MAX_LOGGED_PATH} characters; a cut path ends with `…`. */
export function boundedPath(path: string): string {
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path;
}

/** Which of the tRPC endpoint's two paths answered a request (see `trpc/endpoint/lean-path.ts`). */
export type TrpcPath = 'lean' | 'adapter';
const trpcPaths = new WeakMap<ServerResponse, TrpcPath>();

/** Notes which path answered, for the request's log line: the operator (and the differential test) can tell. */
export function noteTrpcPath(res: ServerResponse, path: TrpcPath): void {
  trpcPaths.set(res, path);
}

/**
 * Gives the request an id (the caller's `x-request-id` if well-formed, else a new
 * one), echoes it, and writes one JSON line when the response is done. Only the
 * method, path (bounded) and status are logged: no headers, no query values.
 */
export function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): void {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('x-request-id', id);
  const started = performance.now();
  res.once('finish', () => {
    const line = {
      msg: 'request',
      req: { id, method: req.method, path: boundedPath(pathOf(req.url)) },
      res: { status: res.statusCode },
      ...(trpcPaths.has(res) ? { trpc: trpcPaths.get(res) } : {}),
      responseTime: Math.round(performance.now() - started),
    };
    if (res.statusCode >= 500) logger.pino.error(line);
    else logger.pino.info(line);
  });
}
