import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPCError, type AnyTRPCProcedure, type AnyTRPCRouter } from '@trpc/server';
import {
  defaultTransformer,
  getErrorShape,
  getHTTPStatusCode,
  getParseFn,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isPromise,
  transformTRPCResponse,
} from '@trpc/server/unstable-core-do-not-import';
import { API_PATHS } from '@oidc-bff/protocol';
import type { Context } from '../context.js';
import { noteTrpcPath } from '../../http/request-log.js';

/** What the lean path needs of the endpoint; the same values the fetch handler is given. */
export interface LeanPathOptions {
  readonly router: AnyTRPCRouter;
  readonly maxBatchSize: number;
  readonly createContext: () => Context;
  readonly onError: (opts: { error: TRPCError; path: string | undefined }) => void;
  /** `Retry-After` for a refused call, as the fetch handler's `responseMeta` says. */
  readonly retryAfter: (errors: readonly TRPCError[]) => string | undefined;
}

const PREFIX = `${API_PATHS.trpc}/`;
/**
 * A path the lean path takes as it stands: procedure names joined by commas, nothing that
 * URL parsing or percent-decoding would change. Anything else (an encoded character, a
 * slash, a dot segment) goes to tRPC's own handler, which answers it as it always has.
 */
const PLAIN_PATH = /^[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*(?:,[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*)*$/;

interface Call {
  readonly path: string;
  readonly procedure: AnyTRPCProcedure;
  readonly input: unknown;
}

/**
 * Serves what the browser sends most — single and batched queries (GET) and mutations
 * (POST) of JSON — without tRPC's fetch adapter: no `Request`, `Headers`, `URL` or
 * `Response` objects, no abort-signal plumbing, the procedures found in the router's flat
 * table and the input parsed once. The answer is tRPC's own wire format, built with tRPC's
 * own functions (error shape and formatter, status, transformer), so that the result is the
 * same to the byte; `lean-path.differential.test.ts` holds it to that against
 * `fetchRequestHandler` for every procedure.
 *
 * It declines (returns `false`, having written nothing and read nothing but the headers)
 * whatever it does not serve: subscriptions, jsonl streaming batches, another content type,
 * a path that is not plain, an unknown procedure, a method that does not fit the
 * procedure, a batch over the limit, input that is not JSON of the right shape. tRPC's
 * handler then answers those, with its own errors.
 *
 * Measured with `npm run bench` (guarded `me`, CPU µs per request): see the README's
 * performance section.
 */
export async function serveLean(req: IncomingMessage, res: ServerResponse, body: string | undefined, options: LeanPathOptions): Promise<boolean> {
  const calls = parseCalls(req, body, options);
  if (calls === undefined) return false;
  const { router, onError } = options;
  const config = router._def._config;
  noteTrpcPath(res, 'lean');
  const ctx = options.createContext();
  const type = req.method === 'GET' ? 'query' : 'mutation';

  const outcomes = await Promise.all(
    calls.calls.map(async (call, batchIndex): Promise<Outcome> => {
      try {
        const data: unknown = await runProcedure(call.procedure, {
          path: call.path,
          getRawInput: () => Promise.resolve(call.input),
          ctx,
          type,
          signal: undefined,
          batchIndex,
        });
        return isDataStream(data) ? { stream: true } : { data };
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        onError({ error, path: call.path });
        return { error };
      }
    }),
  );

  // tRPC refuses a result that is a stream (it needs a jsonl request) after the call: in a
  // batch as that call's error; alone, as the request's error, with no path and through
  // `onError`. The same here, so that even this answer does not tell the two paths apart.
  const single = calls.isBatch ? undefined : outcomes[0];
  if (single !== undefined && 'stream' in single) {
    const error = streamInPlainRequest();
    onError({ error, path: undefined });
    const json = { error: getErrorShape({ config, ctx, error, input: undefined, path: undefined, type }) };
    write(res, getHTTPStatusCode(json as never, [error]), json, [error], options);
    return true;
  }
  const errors = outcomes.map((outcome) => ('error' in outcome ? outcome.error : 'stream' in outcome ? streamInPlainRequest() : undefined));
  const items = outcomes.map((outcome, index) => {
    const error = errors[index];
    if (error === undefined) return { result: { data: 'data' in outcome ? outcome.data : undefined } };
    const call = calls.calls[index];
    return { error: getErrorShape({ config, ctx, error, input: call?.input, path: call?.path, type }) };
  });
  const json = calls.isBatch ? items : items[0];
  write(res, getHTTPStatusCode(json as never, errors as never), json, errors, options);
  return true;
}

type Outcome = { readonly data: unknown } | { readonly error: TRPCError } | { readonly stream: true };

function write(res: ServerResponse, status: number, json: unknown, errors: readonly (TRPCError | undefined)[], options: LeanPathOptions): void {
  // A string, not a Buffer: Node then sends the head and the body in one write() instead of a
  // writev() of two buffers (measured: 77 µs/req of the socket write under load, see the README).
  // tRPC's `transformTRPCResponse` copies every item twice (a transpiled spread helper: 27 µs
  // of a batch of three in the profile) to apply the router's transformer; tRPC's default one
  // is the identity, and with it the copies change nothing.
  const config = options.router._def._config;
  const payload = JSON.stringify(config.transformer === defaultTransformer ? json : transformTRPCResponse(config, json as never));
  const refused = errors.filter((error): error is TRPCError => error !== undefined);
  // The headers tRPC's fetch handler sets, in the order the bridge writes them (a fetch
  // `Headers` iterates sorted), with `Origin` first in `vary` as the bridge writes it.
  res.setHeader('content-type', 'application/json');
  const retryAfter = refused.length > 0 ? options.retryAfter(refused) : undefined;
  if (retryAfter !== undefined) res.setHeader('retry-after', retryAfter);
  res.setHeader('vary', 'Origin, trpc-accept, accept');
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.writeHead(status).end(payload);
}

/** What a middleware of tRPC's chain is called with (tRPC's `ProcedureCallOptions`, every key of it) and answers. */
interface CallOptions {
  readonly ctx: unknown;
  readonly type: 'query' | 'mutation';
  readonly path: string;
  readonly input?: unknown;
  readonly getRawInput: () => Promise<unknown>;
  readonly signal: AbortSignal | undefined;
  readonly batchIndex: number;
}
type MiddlewareResult = { readonly ok: true; readonly data: unknown } | { readonly ok: false; readonly error: TRPCError };
type Middleware = (
  opts: CallOptions & { readonly meta: unknown; next: (nextOpts?: Partial<CallOptions>) => Promise<MiddlewareResult> },
) => Promise<MiddlewareResult>;

/**
 * Calls a procedure exactly as tRPC's own procedure caller does (its middlewares in order,
 * each `next` with the merged context, the input and `getRawInput` as given, a thrown error
 * as an error result, the result's error thrown), with the call's options written out key by
 * key and the contexts merged by the language's spread where tRPC's build copies both with a
 * transpiled `_objectSpread2` helper (`Object.defineProperty` per key): that helper was 152 µs
 * of a batch of three's 554 µs and 16–26 of a guarded `me`'s in the profiles. Written by hand
 * because tRPC exports no lighter caller; the differential tests compare every answer with
 * tRPC's own handler.
 */
function runProcedure(procedure: AnyTRPCProcedure, opts: CallOptions): Promise<unknown> {
  const def = procedure._def as unknown as { readonly meta: unknown };
  const middlewares = leanMiddlewares(procedure);
  const call = async (index: number, current: CallOptions): Promise<MiddlewareResult> => {
    try {
      // As in tRPC, a `next()` past the last middleware fails here, as a TypeError.
      // Each key written out: what tRPC's spreads of the same objects give, at a fraction of the cost.
      const middleware = middlewares[index] as Middleware;
      return await middleware({
        ctx: current.ctx,
        type: current.type,
        path: current.path,
        input: current.input,
        getRawInput: current.getRawInput,
        signal: current.signal,
        batchIndex: current.batchIndex,
        meta: def.meta,
        next: (nextOpts) =>
          call(index + 1, {
            ctx: nextOpts?.ctx ? { ...(current.ctx as object), ...(nextOpts.ctx as object) } : current.ctx,
            type: current.type,
            path: current.path,
            input: nextOpts && 'input' in nextOpts ? nextOpts.input : current.input,
            getRawInput: nextOpts?.getRawInput ?? current.getRawInput,
            signal: current.signal,
            batchIndex: current.batchIndex,
          }),
      });
    } catch (cause) {
      return { ok: false, error: getTRPCErrorFromUnknown(cause) };
    }
  };
  return call(0, opts).then((result: MiddlewareResult | undefined) => {
    if (!result) throw new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'No result from middlewares - did you forget to `return next()`?' });
    if (!result.ok) throw result.error;
    return result.data;
  });
}

/** Each procedure's middlewares as the lean path runs them (worked out at its first call). */
const leanChains = new WeakMap<AnyTRPCProcedure, readonly Middleware[]>();

/**
 * The procedure's middlewares, with tRPC's output validator (`.output(schema)`) replaced by
 * the same steps written with the language's spread: tRPC's copies the result twice with its
 * transpiled `_objectSpread2` helper (`Object.defineProperty` per key), which was 27 µs of an
 * `analytics` call's 227 in `npm run profile` (`--server guarded-analytics`). The schema,
 * the parse function tRPC makes of it, the order, the error and its message are tRPC's; a
 * chain with more than one output validator keeps tRPC's own. The differential tests hold
 * both paths to the same answers, an output that fails its schema included.
 */
function leanMiddlewares(procedure: AnyTRPCProcedure): readonly Middleware[] {
  let chain = leanChains.get(procedure);
  if (chain === undefined) {
    const def = procedure._def as unknown as { readonly middlewares: readonly (Middleware & { _type?: string })[]; readonly output?: unknown };
    const outputs = def.middlewares.filter((middleware) => middleware._type === 'output');
    chain =
      outputs.length === 1 && def.output !== undefined
        ? def.middlewares.map((middleware) => (middleware._type === 'output' ? validateOutput(getParseFn(def.output as never)) : middleware))
        : def.middlewares;
    leanChains.set(procedure, chain);
  }
  return chain;
}

/** tRPC's `createOutputMiddleware`, step for step. */
function validateOutput(parse: (value: unknown) => unknown): Middleware {
  return async ({ next }) => {
    const result = await next();
    if (!result.ok) return result;
    try {
      const data = await parse(result.data);
      return { ...result, data };
    } catch (cause) {
      throw new TRPCError({ message: 'Output validation failed', code: 'INTERNAL_SERVER_ERROR', cause });
    }
  };
}

/** The calls of a request the lean path serves, or undefined when it declines it. */
function parseCalls(
  req: IncomingMessage,
  body: string | undefined,
  options: LeanPathOptions,
): { readonly isBatch: boolean; readonly calls: Call[] } | undefined {
  const method = req.method;
  if (method !== 'GET' && method !== 'POST') return undefined;
  if (req.headers['trpc-accept'] !== undefined || req.headers.accept?.includes('application/jsonl') === true) return undefined;
  const contentType = req.headers['content-type'];
  if (method === 'POST' ? !isJson(contentType) : contentType !== undefined && !isJson(contentType)) return undefined;

  const url = req.url ?? '';
  if (!url.startsWith(PREFIX)) return undefined;
  const queryAt = url.indexOf('?');
  const pathPart = queryAt === -1 ? url.slice(PREFIX.length) : url.slice(PREFIX.length, queryAt);
  if (!PLAIN_PATH.test(pathPart)) return undefined;
  const search = queryAt === -1 ? undefined : new URLSearchParams(url.slice(queryAt + 1));
  const isBatch = search?.get('batch') === '1';
  const paths = isBatch ? pathPart.split(',') : [pathPart];
  if (paths.length > options.maxBatchSize) return undefined;

  const procedures = options.router._def.procedures as Record<string, AnyTRPCProcedure | undefined>;
  const wanted = method === 'GET' ? 'query' : 'mutation';
  const found: AnyTRPCProcedure[] = [];
  for (const path of paths) {
    const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
    if (procedure?._def.type !== wanted) return undefined;
    found.push(procedure);
  }

  let raw: unknown;
  const text = method === 'GET' ? search?.get('input') : body;
  if (text) {
    try {
      raw = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  const deserialize = options.router._def._config.transformer.input.deserialize as (value: unknown) => unknown;
  let inputs: (index: number) => unknown;
  if (raw === undefined) inputs = () => undefined;
  else if (!isBatch) {
    const input = deserialize(raw);
    inputs = () => input;
  } else {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
    const byIndex = raw as Record<string, unknown>;
    inputs = (index) => {
      const value = Object.hasOwn(byIndex, index) ? byIndex[index] : undefined;
      return value === undefined ? undefined : deserialize(value);
    };
  }
  return { isBatch, calls: paths.map((path, index) => ({ path, procedure: found[index] as AnyTRPCProcedure, input: inputs(index) })) };
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(';', 1)[0]?.trim().toLowerCase() === 'application/json';
}

/** As tRPC: a result holding a promise or an async iterable needs a streaming request. */
function isDataStream(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromise) || values.some(isAsyncIterable);
}

function streamInPlainRequest(): TRPCError {
  return new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink' });
}
