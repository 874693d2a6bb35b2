import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseCookies } from 'cookie';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { TRPCError } from '@trpc/server';
import { API_PATHS } from '@oidc-bff/protocol';
import { authenticate } from '../../session/authenticate.js';
import type { Logger } from '../../log.js';
import type { AnyTRPCRouter } from '@trpc/server';
import { AuthFailure } from '../errors.js';
import { describeError } from '../../errors.js';
import { createInnerContext, type Services } from '../context.js';
import type { AppServices } from '../../hooks.js';
import { createCors } from './cors.js';
import { csrfRefusal } from './csrf.js';
import { boundedPath, noteTrpcPath, pathOf } from '../../http/request-log.js';
import { writeRefusal } from './error-envelope.js';
import { readBody, toFetchRequest, writeFetchResponse } from './fetch-bridge.js';
import { serveLean } from './lean-path.js';
import { requestOrigin } from '../../observability/request-origin.js';

export interface TrpcEndpointOptions {
  readonly services: Services;
  /** The app's own services, as `ctx.app`. */
  readonly app: AppServices;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Calls per batch request; beyond it the whole request is refused before any procedure runs (S22). */
  readonly maxBatchSize: number;
  /** The procedures served: the app's router. */
  readonly router: AnyTRPCRouter;
  /**
   * Plain queries and mutations served without tRPC's fetch adapter ({@link serveLean});
   * `false` sends every request through the adapter (the differential test compares the two).
   */
  readonly leanPath?: boolean;
}

/**
 * Serves `/api/trpc` straight from Node's HTTP server through tRPC's fetch adapter,
 * in this order: CORS (S11), the CSRF check (S12), the body limit, then the router.
 * This is the API's hot path, so it stays free of per-request middleware chains.
 */
export function createTrpcEndpoint(options: TrpcEndpointOptions): { readonly listener: RequestListener; endStreams(): void } {
  const { services, app, allowedOrigins, logger } = options;
  const cookieName = services.sessions.cookieName;
  const cors = createCors(allowedOrigins);
  const streams = new Set<AbortController>();
  // Once streams are ended, a stream opened afterwards ends at once: its client reconnects elsewhere.
  let streamsEnded = false;

  /**
   * Whatever the request's headers asked for, a response that is a stream (a subscription
   * on any GET, a jsonl batch) ends when its client leaves and on `endStreams` (S26): the
   * bridge then cancels tRPC's response body, which tRPC turns into the abort of the
   * `signal` of every procedure streaming into it. Only streams pay for this: ordinary
   * calls get no request signal, since a fetch `Request` that follows an `AbortSignal`
   * costs Node 20 tens of microseconds each on the hottest path, and their work is bounded
   * by its own timeouts.
   */
  const openStream = (res: ServerResponse): AbortSignal => {
    const ended = new AbortController();
    if (streamsEnded || res.destroyed) {
      ended.abort();
    } else {
      streams.add(ended);
      res.once('close', () => {
        streams.delete(ended);
        ended.abort();
      });
    }
    return ended.signal;
  };

  const onError = ({ error, path }: { error: TRPCError; path: string | undefined }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR' || error.code === 'SERVICE_UNAVAILABLE') {
      logger.error('trpc.error', {
        path: path && boundedPath(path),
        trpcCode: error.code,
        cause: error.cause === undefined ? undefined : describeError(error.cause),
      });
    } else if (error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN') {
      logger.info('auth.denied', {
        path: path && boundedPath(path),
        trpcCode: error.code,
        reason: (error.cause as { reason?: unknown } | undefined)?.reason,
      });
    }
  };

  const retryAfter = (errors: readonly TRPCError[]) =>
    errors
      .map((e) => (e.cause instanceof AuthFailure ? e.cause.retryAfterSeconds : undefined))
      .find((s) => s !== undefined)
      ?.toString();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    await cors(req, res);
    if (req.method === 'OPTIONS') {
      if (!res.writableEnded) res.writeHead(204).end();
      return;
    }
    res.setHeader('cache-control', 'no-store');

    const csrf = csrfRefusal(req, allowedOrigins);
    if (csrf) {
      logger.warn('auth.denied', { reason: csrf, path: boundedPath(pathOf(req.url)) });
      const message = csrf === 'csrf' ? 'Request refused: missing anti-forgery header or non-JSON body.' : 'Request refused: origin not allowed.';
      writeRefusal(req, res, { status: 403, code: 'FORBIDDEN', message, reason: csrf }, options.maxBatchSize);
      return;
    }

    let body: string | undefined;
    if (req.method === 'POST') {
      body = await readBody(req, options.maxBodyBytes);
      if (body === undefined) {
        writeRefusal(req, res, { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body too large.' }, options.maxBatchSize);
        return;
      }
    }

    const cookieValue = req.headers.cookie ? parseCookies(req.headers.cookie)[cookieName] : undefined;
    const createContext = () =>
      createInnerContext(
        services,
        app,
        () => authenticate(services, cookieValue),
        () => requestOrigin(req, res, services.clientAddress?.(req)),
      );
    if (
      options.leanPath !== false &&
      (await serveLean(req, res, body, { router: options.router, maxBatchSize: options.maxBatchSize, createContext, onError, retryAfter }))
    )
      return;
    noteTrpcPath(res, 'adapter');
    const response = await fetchRequestHandler({
      endpoint: API_PATHS.trpc,
      req: toFetchRequest(req, body),
      router: options.router,
      maxBatchSize: options.maxBatchSize,
      // A refused call tells the client when to try again.
      responseMeta: ({ errors }) => {
        const retry = retryAfter(errors);
        return retry === undefined ? {} : { headers: { 'retry-after': retry } };
      },
      createContext,
      onError,
    });
    await writeFetchResponse(res, response, openStream);
  };

  return {
    listener: (req, res) => {
      handle(req, res).catch((error: unknown) => {
        logger.error('trpc.http_error', { path: boundedPath(pathOf(req.url)), error: describeError(error) });
        if (res.headersSent) res.destroy();
        else writeRefusal(req, res, { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error.' }, options.maxBatchSize);
      });
    },
    // A shutting-down instance ends its live streams, so that clients reconnect to another one.
    endStreams: () => {
      streamsEnded = true;
      for (const stream of streams) stream.abort();
    },
  };
}
