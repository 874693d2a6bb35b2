import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { TRPCError } from '@trpc/server';
import { authenticate } from '../auth/authenticate.js';
import type { Logger } from '../log.js';
import { createInnerContext, type Services } from './context.js';
import { csrfRefusal, CSRF_HEADER, type CsrfRefusal } from './csrf.js';
import { appRouter } from './router.js';

export const TRPC_ENDPOINT = '/api/trpc';

/** Headers the front may send on credentialed calls. */
const ALLOWED_HEADERS = ['content-type', CSRF_HEADER, 'trpc-accept', 'x-trpc-source', 'last-event-id'].join(', ');

export interface TrpcHandlerOptions {
  readonly services: Services;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
}

/**
 * Serves `/api/trpc` straight from Node's HTTP server through tRPC's fetch adapter:
 * CORS (S11) and the CSRF check (S12) first, then the router; ordinary replies are
 * written in one piece, subscriptions (server-sent events) are streamed. This path
 * is the API's hot path, so it stays free of per-request middleware chains.
 */
export function createTrpcHandler(options: TrpcHandlerOptions): RequestListener {
  const { services, allowedOrigins, logger } = options;
  const cookieName = services.sessions.cookieName;

  const onError = ({ error, path }: { error: TRPCError; path: string | undefined }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR' || error.code === 'SERVICE_UNAVAILABLE') {
      logger.error('trpc.error', { path, trpcCode: error.code, cause: error.cause instanceof Error ? error.cause.name : undefined });
    } else if (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN') {
      logger.info('auth.denied', { path, trpcCode: error.code, reason: (error.cause as { reason?: unknown } | undefined)?.reason });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const origin = req.headers.origin;
    // Exact allow-list with credentials; any other origin gets no CORS header at all (S11).
    if (origin !== undefined && allowedOrigins.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      if (req.method === 'OPTIONS') {
        res.setHeader('access-control-allow-methods', 'GET, POST');
        res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
        res.setHeader('access-control-max-age', '600');
      }
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return;
    }
    res.setHeader('cache-control', 'no-store');

    const refusal = csrfRefusal(req, allowedOrigins);
    if (refusal) {
      logger.warn('auth.denied', { reason: refusal, path: pathOf(req) });
      writeJson(res, 403, refusalBody(req, refusal));
      return;
    }

    let body: string | undefined;
    if (req.method === 'POST') {
      // Only JSON gets this far (see csrfRefusal), so the body is text.
      body = (await readBody(req, options.maxBodyBytes))?.toString('utf8');
      if (body === undefined) {
        writeJson(res, 413, { error: { code: -32600, message: 'Request body too large.', data: { code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 } } });
        return;
      }
    }

    // Only a stream outlives its request; it must end when the client goes away.
    const stream = req.method === 'GET' && req.headers.accept?.includes('text/event-stream') === true;
    const aborted = stream ? new AbortController() : undefined;
    if (aborted) res.once('close', () => aborted.abort());
    const request = new Request(`http://api${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers: toHeaders(req),
      ...(body !== undefined ? { body } : {}),
      ...(aborted ? { signal: aborted.signal } : {}),
    });
    const cookieValue = readCookie(req.headers.cookie, cookieName);
    const response = await fetchRequestHandler({
      endpoint: TRPC_ENDPOINT,
      req: request,
      router: appRouter,
      createContext: () => createInnerContext(services, () => authenticate(services, cookieValue)),
      onError,
    });

    response.headers.forEach((value, name) => {
      res.setHeader(name, name === 'vary' ? `Origin, ${value}` : value);
    });
    if (response.body && response.headers.get('content-type')?.includes('text/event-stream')) {
      res.writeHead(response.status);
      res.flushHeaders();
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done || aborted?.signal.aborted) break;
        res.write(value);
      }
      res.end();
      return;
    }
    const payload = Buffer.from(await response.arrayBuffer());
    res.setHeader('content-length', payload.length);
    res.writeHead(response.status).end(payload);
  };

  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('trpc.http_error', { path: pathOf(req), error: error instanceof Error ? error.name : 'unknown' });
      if (res.headersSent) res.destroy();
      else writeJson(res, 500, { error: { code: -32603, message: 'Internal server error.', data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 } } });
    });
  };
}

/** A refusal in tRPC's own error shape (one entry per procedure for a batch), so that the typed client reads the reason. */
function refusalBody(req: IncomingMessage, reason: CsrfRefusal): unknown {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const paths = pathOf(req).slice(TRPC_ENDPOINT.length + 1).split(',');
  const errorFor = (path: string | undefined) => ({
    error: {
      code: -32003,
      message: reason === 'csrf' ? 'Request refused: missing anti-forgery header or non-JSON body.' : 'Request refused: origin not allowed.',
      data: { code: 'FORBIDDEN', httpStatus: 403, path, reason },
    },
  });
  const batch = query >= 0 && new URLSearchParams(url.slice(query + 1)).has('batch');
  return batch ? paths.map(errorFor) : errorFor(paths[0]);
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query >= 0 ? url.slice(0, query) : url;
}

function writeJson(res: ServerResponse, status: number, value: unknown): void {
  const payload = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'cache-control': 'no-store' }).end(payload);
}

/** Reads the body, or undefined once it exceeds `limit` bytes. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The request headers tRPC reads (body type, streaming and resumption); the rest,
 * cookies included, never reach the router: the context gets the session from
 * the cookie read here.
 */
const FORWARDED_HEADERS = ['content-type', 'accept', 'trpc-accept', 'last-event-id'] as const;

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const name of FORWARDED_HEADERS) {
    const value = req.headers[name];
    if (typeof value === 'string') headers.set(name, value);
  }
  return headers;
}

/** The value of one cookie from a `Cookie` header, as cookie-parser would decode it. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}
