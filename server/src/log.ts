import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';

/** Structured, single-line JSON logging of named events. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  /** The underlying pino logger, for the per-request logger. */
  readonly pino: Pino;
}

/**
 * Field paths the logger blanks out whatever the code passes it: credentials must
 * not reach logs by accident (S15). Request logs carry no headers, no query values.
 */
export const REDACTED_PATHS = [
  'accessToken', 'refreshToken', 'idToken', 'access_token', 'refresh_token', 'id_token', 'logout_token',
  'cookie', 'cookies', 'authorization', 'secret', 'clientSecret', 'client_secret', 'password',
].flatMap((key) => [key, `*.${key}`]);

/** Writes JSON lines to stdout (or the given destination). */
export function createLogger(options: { destination?: DestinationStream; level?: string } = {}): Logger {
  const base = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
  const write = (level: 'info' | 'warn' | 'error') => (event: string, fields: Record<string, unknown> = {}) => base[level]({ event, ...fields });
  return { info: write('info'), warn: write('warn'), error: write('error'), pino: base };
}

/** A logger that keeps its lines in memory, for tests that check what is (not) logged. */
export function createMemoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const destination = { write: (line: string) => void lines.push(line.trimEnd()) };
  return { ...createLogger({ destination }), lines };
}

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
