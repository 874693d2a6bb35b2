import type { IncomingMessage, ServerResponse } from 'node:http';
import cors from 'cors';
import { ME_RESPONSE } from '../fixtures.js';
import { serve, serverOptions } from '../serve.js';

/**
 * The tRPC path's CORS layer alone, around the same tiny handler: the `cors` package
 * (as `server/src/trpc/endpoint/cors.ts` configures it) or the hand-written allow-list it
 * replaced. Measured side by side, the difference in CPU per request against guarded
 * `me`'s says what the package costs on the real hot path.
 */
const { front, variant } = serverOptions<{ front: string; variant: 'package' | 'hand-written' }>();
const allowed = new Set([front]);
const body = JSON.stringify(ME_RESPONSE);
const ALLOWED_HEADERS = 'content-type, x-csrf, trpc-accept, x-trpc-source, last-event-id';

const viaPackage = cors({
  origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
  credentials: true,
  methods: ['GET', 'POST'],
  allowedHeaders: ALLOWED_HEADERS.split(', '),
  exposedHeaders: ['Retry-After'],
  maxAge: 600,
  optionsSuccessStatus: 204,
});

function handWritten(req: IncomingMessage, res: ServerResponse): void {
  const origin = req.headers.origin;
  if (origin !== undefined && allowed.has(origin)) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-allow-credentials', 'true');
    res.setHeader('access-control-expose-headers', 'Retry-After');
    if (req.method === 'OPTIONS') {
      res.setHeader('access-control-allow-methods', 'GET, POST');
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-max-age', '600');
    }
  }
}

const answer = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);

await serve((req, res) => {
  if (variant === 'package') {
    viaPackage(req as never, res as never, () => answer(res));
  } else {
    handWritten(req, res);
    answer(res);
  }
});
