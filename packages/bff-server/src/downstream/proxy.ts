import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseCookies } from 'cookie';
import cors from 'cors';
import { API_PATHS, CSRF_HEADER } from '@oidc-bff/protocol';
import { authenticate } from '../session/authenticate.js';
import { csrfRefusal } from '../trpc/endpoint/csrf.js';
import type { Services } from '../trpc/context.js';
import { describeError, DownstreamUnauthorizedError, DownstreamUnavailableError, outcomeOf, StepUpRequiredError } from '../errors.js';
import { challengeHeader } from '../authz/step-up.js';
import type { DownstreamApiConfig } from '../options/downstream.js';
import { boundedPath, pathOf } from '../http/request-log.js';
import { sendDownstream } from './call.js';
import { resolveTarget } from './target.js';
import type { DownstreamTokens } from './tokens.js';

/** What the API is sent of the browser's request headers: nothing else (no cookie, `Authorization`, `Origin`, CSRF or hop-by-hop header). */
const FORWARDED_REQUEST_HEADERS = [
  'accept',
  'accept-language',
  'content-type',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'last-event-id',
  'range',
] as const;
/**
 * What the browser is sent of the API's response headers. No `Set-Cookie`, no hop-by-hop
 * header, and no `Content-Length`/`Content-Encoding`: fetch hands the body over decoded.
 */
const FORWARDED_RESPONSE_HEADERS = [
  'content-type',
  'cache-control',
  'etag',
  'last-modified',
  'expires',
  'content-language',
  'content-disposition',
  'content-range',
  'accept-ranges',
  'retry-after',
  'location',
] as const;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const BODYLESS = new Set(['GET', 'HEAD', 'DELETE']);

export interface RemoteProxyOptions {
  readonly services: Services;
  readonly tokens: DownstreamTokens;
  readonly apis: readonly DownstreamApiConfig[];
  readonly allowedOrigins: ReadonlySet<string>;
  /** Longest life of a streamed answer (server-sent events), as of the BFF's own streams (S26). */
  readonly maxStreamSeconds: number;
}

/**
 * The remote-API proxy: `ANY /api/remote/<name>/<path>` is sent to the downstream API
 * configured as `<name>`, at `<path>` under its base URL, with the user's token for it.
 * CORS and the anti-forgery check are the procedures' own (S11, S12); only configured names
 * are reachable and a path cannot leave the API's base; request bodies are bounded and
 * buffered (the request may be sent again after a renewed token), answers streamed, server-sent
 * events included; a 401 renews the token and retries once, then answers 401
 * `downstream_unauthorized`; a 401 with RFC 9470's challenge is relayed as 401
 * `insufficient_user_authentication` with it (header and body); an API that cannot be reached is a 503 `downstream_unavailable`
 * naming it, never a sign-out.
 */
export function createRemoteProxy(options: RemoteProxyOptions): { readonly listener: RequestListener; endStreams(): void } {
  const { services, tokens, allowedOrigins } = options;
  const apis = new Map(options.apis.map((api) => [api.name, api]));
  const prefix = `${API_PATHS.remote}/`;
  /** How to end each answer being streamed (on `endStreams`). */
  const streams = new Set<() => void>();
  const corsMiddleware = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin) ? origin : false),
    credentials: true,
    methods: METHODS,
    allowedHeaders: ['content-type', CSRF_HEADER, 'accept', 'accept-language', 'last-event-id', 'if-match', 'if-none-match', 'range'],
    exposedHeaders: ['Retry-After', 'ETag', 'Content-Disposition', 'WWW-Authenticate'],
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
  const applyCors = (req: IncomingMessage, res: ServerResponse) =>
    new Promise<void>((resolve, reject) => {
      corsMiddleware(req as never, res as never, (error?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()));
      if (res.writableEnded) resolve();
    });

  const problem = (res: ServerResponse, status: number, error: string, message: string, extra: Record<string, unknown> = {}) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error, message, ...extra }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    await applyCors(req, res);
    if (req.method === 'OPTIONS') {
      if (!res.writableEnded) res.writeHead(204).end();
      return;
    }
    const url = req.url ?? '/';
    const rest = url.slice(prefix.length);
    const slash = rest.search(/[/?]/);
    const name = slash === -1 ? rest : rest.slice(0, slash);
    const api = apis.get(name);
    if (!api) {
      problem(res, 404, 'not_found', 'No such API.');
      return;
    }
    const method = req.method ?? 'GET';
    if (!METHODS.includes(method)) {
      problem(res, 405, 'method_not_allowed', 'Method not allowed.');
      return;
    }
    const target = resolveTarget(api.baseUrl, slash === -1 ? '' : rest.slice(slash).replace(/^\?/, '/?'));
    if (!target) {
      problem(res, 400, 'bad_path', 'The path is not one under this API.');
      return;
    }
    const csrf = csrfRefusal(req, allowedOrigins);
    if (csrf) {
      services.logger.warn('auth.denied', { reason: csrf, path: boundedPath(pathOf(url)) });
      problem(res, 403, csrf, csrf === 'csrf' ? 'Request refused: missing anti-forgery header or non-JSON body.' : 'Request refused: origin not allowed.');
      return;
    }
    const cookieValue = req.headers.cookie ? parseCookies(req.headers.cookie)[services.sessions.cookieName] : undefined;
    const auth = await authenticate(services, cookieValue);
    if (!auth.ok) {
      problem(res, 401, auth.reason, 'Sign-in required.');
      return;
    }
    const verdict = await services.limits.hit(auth.session.id, !BODYLESS.has(method));
    if (!verdict.ok) {
      res.setHeader('retry-after', String(verdict.retryAfterSeconds));
      problem(res, 429, 'rate_limited', `Too many calls; try again in ${verdict.retryAfterSeconds} s.`);
      return;
    }
    let body: Uint8Array | undefined;
    if (!BODYLESS.has(method)) {
      body = await readBody(req, api.maxBodyBytes);
      if (!body) {
        problem(res, 413, 'payload_too_large', 'Request body too large.');
        return;
      }
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }

    const answer = await sendDownstream(tokens, auth.session, api, { method, url: target, headers, body });
    const { body: source } = answer;
    // The browser left: the API's answer is not read any further.
    const left = () => source.destroy();
    res.once('close', left);
    const location = answer.header('location');
    if (answer.status >= 300 && answer.status < 400 && answer.status !== 304 && !sameApi(location, target, api)) {
      // A redirect elsewhere is not followed (the token stays with the API) and not passed on (it may name an internal host).
      source.destroy();
      services.logger.warn('downstream.redirect_refused', { api: api.name, status: answer.status });
      problem(res, 502, 'downstream_redirect', 'The API answered with a redirect elsewhere.', { api: api.name });
      return;
    }
    const out: Record<string, string> = { 'cache-control': 'no-store' };
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = answer.header(name);
      if (value !== undefined) out[name] = name === 'location' ? browserLocation(value, target, api) : value;
    }
    const eventStream = (answer.header('content-type') ?? '').startsWith('text/event-stream');
    if (eventStream) out['x-accel-buffering'] = 'no';
    res.writeHead(answer.status, out);
    if (method === 'HEAD') {
      source.destroy();
      res.end();
      return;
    }
    let ended = false;
    const end = () => {
      ended = true;
      source.destroy();
    };
    streams.add(end);
    const lifetime = eventStream ? setTimeout(end, options.maxStreamSeconds * 1000) : undefined;
    let sent = 0;
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        sent += chunk.byteLength;
        if (!eventStream && sent > api.maxBodyBytes) {
          services.logger.warn('downstream.answer_too_large', { api: api.name, limit: api.maxBodyBytes });
          res.destroy();
          return;
        }
        if (!res.write(chunk) && !res.destroyed) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
      }
      // Ended on our side (its lifetime, a shutdown) or by the API: either way the answer is complete.
      res.end();
    } catch {
      // The browser left, or the API broke off or fell silent past its timeout.
      if (ended && !res.destroyed) res.end();
      else res.destroy();
    } finally {
      clearTimeout(lifetime);
      streams.delete(end);
      res.off('close', left);
    }
  };

  return {
    listener: (req, res) => {
      handle(req, res).catch((error: unknown) => {
        const name = error instanceof DownstreamUnavailableError || error instanceof DownstreamUnauthorizedError ? error.api : undefined;
        if (error instanceof StepUpRequiredError && !res.headersSent) {
          // RFC 9470: the API's challenge, rebuilt from its checked values, and the same in the body for a page's code.
          res.setHeader('www-authenticate', challengeHeader(error.challenge));
          problem(res, 401, 'insufficient_user_authentication', 'A stronger sign-in is required.', { api: error.api, ...error.challenge });
          return;
        }
        if (error instanceof DownstreamUnauthorizedError) {
          services.logger.warn('downstream.unauthorized', { api: error.api, detail: error.detail });
          problem(res, 401, 'downstream_unauthorized', 'The API did not accept the user.', { api: name });
          return;
        }
        const outcome = outcomeOf(error);
        services.logger.error(outcome ? 'http.dependency_unavailable' : 'downstream.proxy_error', {
          method: req.method,
          path: boundedPath(pathOf(req.url)),
          error: describeError(error),
        });
        if (outcome)
          problem(
            res,
            outcome.status,
            outcome.reason ?? 'service_unavailable',
            'The service is temporarily unavailable. Try again in a moment.',
            name ? { api: name } : {},
          );
        else problem(res, 500, 'internal_error', 'Internal server error.');
      });
    },
    endStreams: () => {
      for (const end of streams) end();
    },
  };
}

/** Whether a redirect's `Location` stays under the API's base URL. */
function sameApi(location: string | undefined, from: URL, api: DownstreamApiConfig): boolean {
  if (!location) return false;
  let to: URL;
  try {
    to = new URL(location, from);
  } catch {
    return false;
  }
  const base = api.baseUrl.pathname.replace(/\/$/, '');
  return to.origin === api.baseUrl.origin && (to.pathname === base || to.pathname.startsWith(`${base}/`));
}

/** A redirect under the API's base, as the browser reaches it: through the proxy (checked by {@link sameApi} first). */
function browserLocation(location: string, from: URL, api: DownstreamApiConfig): string {
  const to = new URL(location, from);
  const base = api.baseUrl.pathname.replace(/\/$/, '');
  return `${API_PATHS.remote}/${api.name}${to.pathname.slice(base.length)}${to.search}`;
}

/** The request body, or undefined beyond `limit` bytes (then the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
