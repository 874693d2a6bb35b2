import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import { CSRF_HEADER } from '@oidc-bff/protocol';

/** Headers the front may send on credentialed calls. */
const ALLOWED_HEADERS = ['content-type', CSRF_HEADER, 'trpc-accept', 'x-trpc-source', 'last-event-id'];

/**
 * CORS for the tRPC path (S11) with the `cors` package: an exact allow-list with
 * credentials; an origin outside the list gets no CORS header at all (the delegate
 * resolves it to `false`, so the package adds nothing, not even Allow-Credentials).
 * Pre-flights are answered here (204).
 */
export function createCors(allowedOrigins: ReadonlySet<string>): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const middleware = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin) ? origin : false),
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    // The client reads when it may try again after a 429.
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
  return (req, res) =>
    new Promise<void>((resolve, reject) => {
      middleware(req as never, res as never, (error?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()));
      // A pre-flight of an allowed origin ends here, without calling next.
      if (res.writableEnded) resolve();
    });
}
