import { API_PATHS, CSRF_HEADER, CSRF_HEADER_VALUE } from '@oidc-bff/protocol';
import { isDeepStrictEqual } from 'node:util';
import { Browser, login } from './browser.js';
import { startRedis } from './redis.js';
import { FRONT, startStack, type ApiHandle, type ServerModule, type StackOptions } from './stack.js';

/** A procedure of a router, as a differential run sees it. */
export interface ProcedureEntry {
  readonly path: string;
  readonly type: 'query' | 'mutation' | 'subscription';
  /** Whether it declares an input parser. */
  readonly hasInput: boolean;
}

/** Every procedure of a tRPC router, from its definition. */
export function proceduresOf(router: { _def: { procedures: Record<string, unknown> } }): ProcedureEntry[] {
  return Object.entries(router._def.procedures).map(([path, procedure]) => {
    const def = (procedure as { _def: { type: ProcedureEntry['type']; inputs: unknown[] } })._def;
    return { path, type: def.type, hasInput: def.inputs.length > 0 };
  });
}

/** One request, sent the same way to both servers. */
export interface DifferentialCase {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  /** The procedure path(s) after `/api/trpc/`, comma-joined for a batch. */
  readonly path: string;
  readonly batch?: boolean;
  /** The raw `input` query parameter (GET) or body (POST). */
  readonly input?: string;
  readonly contentType?: string;
}

/** What is compared of an answer. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | null>;
  /** The body with the values that differ from one call to the next (times, fresh ids) replaced. */
  readonly body: unknown;
}

/** The headers that matter to a client and a cache; `content-length` is checked against the body itself. */
const COMPARED_HEADERS = ['content-type', 'vary', 'cache-control', 'retry-after', 'allow', 'access-control-allow-origin', 'access-control-allow-credentials'];

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Masks what two identical calls answer differently by nature: times (ISO strings, and
 * epoch numbers in seconds or milliseconds) and the `id` of what a mutation creates.
 * Everything else (codes, messages, paths, shapes, order, the data itself) stays.
 */
function mask(value: unknown, also: Masks, key?: string): unknown {
  if (key !== undefined && also.masked.has(key)) return '<masked>';
  const normalize = key === undefined ? undefined : also.normalized.get(key);
  if (normalize) return normalize(value);
  if (Array.isArray(value)) return value.map((item) => mask(item, also));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v, also, k)]));
  if (typeof value === 'string' && ISO_TIME.test(value)) return '<time>';
  if (typeof value === 'number' && value > 1_000_000_000) return '<time>';
  if (key === 'id' && typeof value === 'string') return '<id>';
  return value;
}

/** What else is masked besides times and ids: see `runDifferential`'s options of the same names. */
export interface Masks {
  readonly masked: ReadonlySet<string>;
  readonly normalized: ReadonlyMap<string, (value: unknown) => unknown>;
}

const NO_MASKS: Masks = { masked: new Set(), normalized: new Map() };

/** Sends one case to a server as a browser on `FRONT` would, with `cookie` (or none). */
export async function answer(apiUrl: string, request: DifferentialCase, cookie: string | undefined, masks: Masks = NO_MASKS): Promise<Answer> {
  const query = new URLSearchParams();
  if (request.batch) query.set('batch', '1');
  if (request.method === 'GET' && request.input !== undefined) query.set('input', request.input);
  const search = query.size > 0 ? `?${query.toString()}` : '';
  const headers: Record<string, string> = { origin: FRONT, [CSRF_HEADER]: CSRF_HEADER_VALUE };
  if (cookie) headers.cookie = cookie;
  if (request.method === 'POST') headers['content-type'] = request.contentType ?? 'application/json';
  const response = await fetch(`${apiUrl}${API_PATHS.trpc}/${request.path}${search}`, {
    method: request.method,
    headers,
    ...(request.method === 'POST' && request.input !== undefined ? { body: request.input } : {}),
  });
  const raw = await response.text();
  const length = response.headers.get('content-length');
  if (length !== null && Number(length) !== Buffer.byteLength(raw))
    throw new Error(`${request.name}: content-length ${length} for ${Buffer.byteLength(raw)} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  let body: unknown = { notJson: raw };
  try {
    if (parsed !== undefined) body = mask(parsed, masks);
  } catch (error) {
    // A normalizer refused the value (outside the shape it compares): fail here, naming the request.
    throw new Error(`${request.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { status: response.status, headers: Object.fromEntries(COMPARED_HEADERS.map((name) => [name, response.headers.get(name)])), body };
}

/** Inputs every procedure is tried with: none, empty, wrong types, malformed JSON. */
const GENERIC_INPUTS: readonly (string | undefined)[] = [undefined, '', '{}', 'null', '42', '"text"', '[]', '{"limit":', '{"json":{}}'];

/**
 * The cases of a differential run over `procedures`: each one alone with the generic
 * inputs and its good inputs, by its own method and by the other one; batches of every
 * query, of every mutation, mixed good and bad inputs, an input that is not an object of
 * calls, an unknown procedure, over the batch limit. Subscriptions are sent by POST only:
 * by GET they open a stream, which both paths hand to tRPC's own handler anyway.
 */
export function differentialCases(
  procedures: readonly ProcedureEntry[],
  good: Readonly<Record<string, readonly unknown[]>>,
  maxBatchSize: number,
): DifferentialCase[] {
  const cases: DifferentialCase[] = [];
  for (const { path, type, hasInput } of procedures) {
    const own = type === 'query' ? 'GET' : 'POST';
    const inputs = [...GENERIC_INPUTS, ...(good[path] ?? []).map((input) => JSON.stringify(input))];
    for (const method of ['GET', 'POST'] as const) {
      if (type === 'subscription' && method === 'GET') continue;
      for (const input of method === own ? inputs : [undefined]) {
        cases.push({ name: `${method} ${path} ${input ?? '(none)'}`, method, path, ...(input !== undefined ? { input } : {}) });
      }
    }
    if (hasInput && !(path in good)) throw new Error(`no good input given for ${path}`);
  }
  const byType = (wanted: string) => procedures.filter((p) => p.type === wanted).map((p) => p.path);
  const batchOf = (name: string, method: 'GET' | 'POST', paths: readonly string[], inputs?: Record<number, unknown> | string) => {
    for (let start = 0; start < paths.length; start += maxBatchSize) {
      const slice = paths.slice(start, start + maxBatchSize);
      const input = typeof inputs === 'string' ? inputs : inputs === undefined ? undefined : JSON.stringify(inputs);
      cases.push({ name: `${name} [${slice.join(',')}]`, method, path: slice.join(','), batch: true, ...(input !== undefined ? { input } : {}) });
    }
  };
  const queries = byType('query');
  const mutations = byType('mutation');
  batchOf('batch of queries', 'GET', queries);
  batchOf('batch of queries with good inputs', 'GET', queries, Object.fromEntries(queries.map((path, i) => [i % maxBatchSize, good[path]?.[0]])));
  batchOf('batch of queries with bad inputs', 'GET', queries, Object.fromEntries(queries.map((_, i) => [i % maxBatchSize, 'bad'])));
  batchOf('batch whose input is not an object', 'GET', queries, '[1,2]');
  batchOf('batch of mutations', 'POST', mutations);
  batchOf('batch of mutations, empty inputs', 'POST', mutations, {});
  if (queries.length > 0) {
    const first = queries[0] as string;
    batchOf('batch with an unknown procedure', 'GET', [first, 'no.such.procedure']);
    batchOf('batch by the wrong method', 'POST', [first]);
    cases.push({ name: 'batch over the limit', method: 'GET', path: Array.from({ length: maxBatchSize + 1 }, () => first).join(','), batch: true });
    cases.push({ name: 'batch of one', method: 'GET', path: first, batch: true });
    cases.push({ name: 'batch flag with one path and an input list', method: 'GET', path: first, batch: true, input: '{"0":{}}' });
  }
  cases.push({ name: 'unknown procedure', method: 'GET', path: 'no.such.procedure' });
  cases.push({ name: 'unknown procedure by POST', method: 'POST', path: 'no.such.procedure', input: '{}' });
  cases.push({ name: 'a path that is percent-encoded', method: 'GET', path: encodeURIComponent(queries[0] ?? 'me') });
  cases.push({ name: 'a trailing slash', method: 'GET', path: `${queries[0] ?? 'me'}/` });
  return cases;
}

/** What a differential run found. */
export interface DifferentialReport {
  /** One line per case whose answers differ, with both answers. */
  readonly mismatches: string[];
  /** Requests sent to each server. */
  readonly requests: number;
  /** Of those, answered by the lean path on the first server (from its request log). */
  readonly servedLean: number;
  /** Requests the second server, with TRPC_LEAN_PATH=false, answered by the lean path: must be 0. */
  readonly adapterServedLean: number;
}

/**
 * Answers every case of {@link differentialCases} from two instances of `server` on one
 * real Redis (so that both know the same sessions): the first with the lean path on, the
 * second with `TRPC_LEAN_PATH=false`, for an anonymous caller and each of `users` signed in
 * through the dev IdP. Each case goes to the first, then at once to the second.
 */
export async function runDifferential<C extends { oidc: { audience: string } }, A extends ApiHandle>(
  server: ServerModule<C, A>,
  options: {
    readonly router: { _def: { procedures: Record<string, unknown> } };
    readonly good: Readonly<Record<string, readonly unknown[]>>;
    readonly users: readonly string[];
    readonly stack?: StackOptions;
    /** Keys whose values are this instance's own (its name, its timings), masked like times. */
    readonly masked?: readonly string[];
    /**
     * Keys whose values are compared through a function rather than masked: a value that
     * depends on the clock in a way masking would lose (a per-minute series whose window
     * moves when a minute ends between the two calls) but whose meaning can be compared.
     */
    readonly normalized?: Readonly<Record<string, (value: unknown) => unknown>>;
  },
): Promise<DifferentialReport> {
  const redis = await startRedis();
  const maxBatchSize = 4;
  const stack = await startStack(server, {
    ...options.stack,
    env: {
      REDIS_URL: redis.url,
      RATE_LIMIT_CALLS_PER_MINUTE: '0',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
      TRPC_MAX_BATCH: String(maxBatchSize),
      ...options.stack?.env,
    },
  });
  try {
    const adapter = await stack.addInstance({ env: { TRPC_LEAN_PATH: 'false' } });
    const cookies: (string | undefined)[] = [undefined];
    for (const user of options.users) {
      const browser = new Browser();
      await login(stack, browser, user);
      cookies.push(await browser.jar.getCookieString(`${stack.apiUrl}/`));
    }
    const cases = differentialCases(proceduresOf(options.router), options.good, maxBatchSize);
    const mismatches: string[] = [];
    const masks: Masks = { masked: new Set(options.masked), normalized: new Map(Object.entries(options.normalized ?? {})) };
    let requests = 0;
    for (const [who, cookie] of cookies.entries()) {
      for (const request of cases) {
        const lean = await answer(stack.apiUrl, request, cookie, masks);
        const reference = await answer(adapter.apiUrl, request, cookie, masks);
        requests += 1;
        if (!isDeepStrictEqual(lean, reference))
          mismatches.push(
            `${who === 0 ? 'anonymous' : options.users[who - 1]}: ${request.name}\n  lean:    ${JSON.stringify(lean)}\n  adapter: ${JSON.stringify(reference)}`,
          );
      }
    }
    // The request line is written when the response is done: give the last ones a moment.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const countLean = (lines: readonly string[]) => lines.filter((line) => line.includes('"trpc":"lean"')).length;
    return { mismatches, requests, servedLean: countLean(stack.logs), adapterServedLean: countLean(adapter.logs) };
  } finally {
    await stack.close();
    await redis.stop();
  }
}
