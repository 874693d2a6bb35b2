import { DownstreamFailedError, DownstreamUnavailableError } from '../errors.js';
import type { DownstreamApiConfig } from '../options/downstream.js';
import type { SessionData } from '../session/store.js';
import { sendDownstream, type DownstreamAnswer } from './call.js';
import { resolveTarget } from './target.js';
import type { DownstreamTokens } from './tokens.js';

/** Anything that parses an unknown value into a `T` or throws: a zod schema, typically. */
export interface Parser<T> {
  parse(input: unknown): T;
}

export interface DownstreamCallOptions<T> {
  /** Added to the URL's query string; `undefined` values are left out. */
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Extra request headers; `authorization` and `cookie` are the BFF's to set, never the app's. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Checks the answer: its output is what the call returns (a zod schema, say). */
  readonly schema?: Parser<T>;
}

/**
 * A downstream API as a procedure calls it: `ctx.downstream('reports').get('/summaries', { schema })`.
 * Each call carries the user's token for that API (renewed once on a 401), is bounded by the
 * API's timeout and body limit, never follows a redirect, and answers parsed JSON. Failures are
 * the BFF's errors, which procedures answer without further code: the API down is
 * `SERVICE_UNAVAILABLE` (`downstream_unavailable`), a refusal `FORBIDDEN`
 * (`downstream_unauthorized`), any other error status `BAD_GATEWAY` ({@link DownstreamFailedError},
 * which carries the status for a procedure that wants to answer some itself).
 */
export interface DownstreamClient {
  get<T = unknown>(path: string, options?: Omit<DownstreamCallOptions<T>, 'body'>): Promise<T>;
  post<T = unknown>(path: string, options?: DownstreamCallOptions<T>): Promise<T>;
  put<T = unknown>(path: string, options?: DownstreamCallOptions<T>): Promise<T>;
  patch<T = unknown>(path: string, options?: DownstreamCallOptions<T>): Promise<T>;
  delete<T = unknown>(path: string, options?: DownstreamCallOptions<T>): Promise<T>;
}

const RESERVED_HEADERS = new Set(['authorization', 'cookie', 'host', 'content-length', 'dpop']);

/** The client of `api` for one session's user. */
export function downstreamClient(tokens: DownstreamTokens, session: SessionData, api: DownstreamApiConfig): DownstreamClient {
  const call = async <T>(method: string, path: string, options: DownstreamCallOptions<T> = {}): Promise<T> => {
    const url = resolveTarget(api.baseUrl, path);
    if (!url) throw new TypeError(`"${path.slice(0, 80)}" is not a path under the "${api.name}" API's base URL`);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.append(name, String(value));
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (RESERVED_HEADERS.has(name.toLowerCase())) throw new TypeError(`the "${name}" header is set by the BFF`);
      headers[name.toLowerCase()] = value;
    }
    let body: Uint8Array | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = Buffer.from(JSON.stringify(options.body));
    }
    const answer = await sendDownstream(tokens, session, api, { method, url, headers, body });
    try {
      if (answer.status === 502 || answer.status === 503 || answer.status === 504) throw new DownstreamUnavailableError(api.name);
      if (answer.status < 200 || answer.status >= 300) throw new DownstreamFailedError(api.name, answer.status);
      const text = await readBounded(answer, api);
      if (answer.status === 204 || text === '') return parseWith(options.schema, undefined, api);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new DownstreamFailedError(api.name, answer.status, { cause: error });
      }
      return parseWith(options.schema, value, api);
    } finally {
      answer.body.destroy();
    }
  };
  return {
    get: (path, options) => call('GET', path, options),
    post: (path, options) => call('POST', path, options),
    put: (path, options) => call('PUT', path, options),
    patch: (path, options) => call('PATCH', path, options),
    delete: (path, options) => call('DELETE', path, options),
  };
}

function parseWith<T>(schema: Parser<T> | undefined, value: unknown, api: DownstreamApiConfig): T {
  if (!schema) return value as T;
  try {
    return schema.parse(value);
  } catch (error) {
    // The API's answer is not what the procedure expects: the API's fault, not the caller's input.
    throw new DownstreamFailedError(api.name, 200, { cause: error });
  }
}

/** The answer's body as text, refused beyond the API's `maxBodyBytes`. */
async function readBounded(answer: DownstreamAnswer, api: DownstreamApiConfig): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > api.maxBodyBytes) throw new DownstreamFailedError(api.name, answer.status);
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof DownstreamFailedError) throw error;
    throw new DownstreamUnavailableError(api.name, { cause: error });
  }
  return Buffer.concat(chunks).toString('utf8');
}
