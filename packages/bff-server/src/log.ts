import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import { activeTraceIds } from './observability/tracing.js';

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
  'accessToken',
  'refreshToken',
  'idToken',
  'access_token',
  'refresh_token',
  'id_token',
  'logout_token',
  'cookie',
  'cookies',
  'authorization',
  'secret',
  'clientSecret',
  'client_secret',
  'password',
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
      // The trace of the request a line belongs to, when tracing is on: logs and traces meet on it.
      mixin: () => {
        const ids = activeTraceIds();
        return ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
      },
    },
    options.destination,
  );
  const write =
    (level: 'info' | 'warn' | 'error') =>
    (event: string, fields: Record<string, unknown> = {}) =>
      base[level]({ event, ...fields });
  return { info: write('info'), warn: write('warn'), error: write('error'), pino: base };
}
