import type { Attributes } from '@opentelemetry/api';
import { failSpan, SpanKind, SpanStatusCode, startSpan, urlAttribute } from './tracing.js';

/**
 * How the BFF's calls to its dependencies are measured (S31): the session store through a
 * wrapper around its interface, the IdP through the `fetch` that openid-client and jose are
 * given, and each dependency's check at scrape time (`metrics.ts`).
 */

/** How a call to a dependency ended: it answered, it failed, or it did not answer in time. */
export type DependencyOutcome = 'ok' | 'error' | 'timeout';

/** Records one call: its outcome and how long it took, in seconds. */
export type CallRecorder = (outcome: DependencyOutcome, seconds: number) => void;

/** `timeout` for an error that is one (or was caused by one), `error` for any other. */
export function outcomeOfFailure(error: unknown): Exclude<DependencyOutcome, 'ok'> {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { name, code } = current as { name?: unknown; code?: unknown };
    if (name === 'TimeoutError' || name === 'AbortError' || code === 'REDIS_TIMEOUT' || code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
      return 'timeout';
    current = (current as { cause?: unknown }).cause;
  }
  return 'error';
}

/** `promise`, or a `TimeoutError` after `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `target` with every method that returns a promise measured: resolved is `ok`, rejected is
 * `error` or `timeout`. Methods run on the target itself (its private fields work), and
 * anything that is not a method passes through.
 *
 * @example
 * const store = measureCalls(state.store, (outcome, seconds) => metrics.dependencyCall('session_store', outcome, seconds));
 */
export function measureCalls<T extends object>(target: T, record: CallRecorder): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function') return value;
      let method = wrapped.get(key);
      if (!method) {
        const original = value as (...args: unknown[]) => unknown;
        method = (...args: unknown[]) => {
          const started = performance.now();
          const result = original.apply(object, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (answer: unknown) => {
              record('ok', (performance.now() - started) / 1000);
              return answer;
            },
            (error: unknown) => {
              record(outcomeOfFailure(error), (performance.now() - started) / 1000);
              throw error;
            },
          );
        };
        wrapped.set(key, method);
      }
      return method;
    },
  });
}

/**
 * `target` with every method that returns a promise in a span of its own, named
 * `<dependency>.<method>` (`session_store.get`): the method's name from the code, never its arguments.
 */
export function traceCalls<T extends object>(target: T, dependency: string, attributes: Attributes = {}): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      let method = wrapped.get(key);
      if (!method) {
        const original = value as (...args: unknown[]) => unknown;
        const name = `${dependency}.${key}`;
        const spanAttributes = { 'bff.dependency': dependency, 'bff.operation': key, ...attributes };
        method = (...args: unknown[]) => {
          const span = startSpan(name, spanAttributes, SpanKind.CLIENT);
          if (!span) return original.apply(object, args);
          let result: unknown;
          try {
            result = original.apply(object, args);
          } catch (error) {
            failSpan(span, error);
            span.end();
            throw error;
          }
          if (!(result instanceof Promise)) {
            span.end();
            return result;
          }
          return result.then(
            (answer: unknown) => {
              span.end();
              return answer;
            },
            (error: unknown) => {
              failSpan(span, error);
              span.end();
              throw error;
            },
          );
        };
        wrapped.set(key, method);
      }
      return method;
    },
  });
}

/** The `fetch` openid-client and jose accept (`customFetch`): a URL string and a request's options. */
export type DependencyFetch = (url: string, init: RequestInit) => Promise<Response>;

/** What a call to the IdP is, by the endpoint it goes to (learnt from the discovery document). */
const IDP_ENDPOINTS: Readonly<Record<string, string>> = {
  pushed_authorization_request_endpoint: 'par',
  token_endpoint: 'token',
  userinfo_endpoint: 'userinfo',
  jwks_uri: 'jwks',
  revocation_endpoint: 'revocation',
  introspection_endpoint: 'introspection',
};
/** The token endpoint's grants by the operation they are, for span names. */
const GRANTS: Readonly<Record<string, string>> = {
  authorization_code: 'code_exchange',
  refresh_token: 'refresh',
  'urn:ietf:params:oauth:grant-type:token-exchange': 'token_exchange',
  client_credentials: 'client_credentials',
};

function grantOf(body: RequestInit['body']): string | undefined {
  if (body instanceof URLSearchParams) return body.get('grant_type') ?? undefined;
  if (typeof body === 'string') return new URLSearchParams(body).get('grant_type') ?? undefined;
  return undefined;
}

/**
 * Node's `fetch` to the IdP, measured when `record` is given and traced when tracing is on:
 * one client span per call, named by what it is (`idp.discovery`, `idp.par`,
 * `idp.code_exchange`, `idp.refresh`, `idp.userinfo`, `idp.jwks`...), with the method, the URL
 * without its query, the grant type and the status. An answer below 500 is `ok` (an IdP that
 * refuses a grant is up), a 5xx is `error`, no answer is `error` or `timeout`.
 */
export function measuredFetch(record?: CallRecorder): DependencyFetch {
  const endpoints = new Map<string, string>();
  const operationOf = (url: URL, init: RequestInit): string => {
    if (url.pathname.endsWith('/.well-known/openid-configuration') || url.pathname.endsWith('/.well-known/oauth-authorization-server')) return 'discovery';
    const operation = endpoints.get(`${url.origin}${url.pathname}`) ?? 'call';
    if (operation !== 'token') return operation;
    const grant = grantOf(init.body);
    return (grant && GRANTS[grant]) ?? 'token';
  };
  return async (url, init) => {
    const started = performance.now();
    const target = new URL(url);
    const operation = operationOf(target, init);
    const grant = grantOf(init.body);
    const span = startSpan(
      `idp.${operation}`,
      {
        'bff.dependency': 'idp',
        'bff.operation': operation,
        'http.request.method': init.method ?? 'GET',
        'url.full': urlAttribute(target),
        'server.address': target.hostname,
        // A grant type from the code's own requests; an unknown one is named `other`, not echoed.
        ...(grant ? { 'oauth.grant_type': GRANTS[grant] ? grant : 'other' } : {}),
      },
      SpanKind.CLIENT,
    );
    try {
      const response = await fetch(url, init);
      record?.(response.status >= 500 ? 'error' : 'ok', (performance.now() - started) / 1000);
      if (span) {
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      if (operation === 'discovery' && response.ok) await learnEndpoints(response, endpoints);
      return response;
    } catch (error) {
      record?.(outcomeOfFailure(error), (performance.now() - started) / 1000);
      if (span) failSpan(span, error);
      throw error;
    } finally {
      span?.end();
    }
  };
}

/** Reads the discovery document's endpoints (from a copy of the answer: its reader reads the original). */
async function learnEndpoints(response: Response, endpoints: Map<string, string>): Promise<void> {
  try {
    const metadata = (await response.clone().json()) as Record<string, unknown>;
    for (const [field, operation] of Object.entries(IDP_ENDPOINTS)) {
      const value = metadata[field];
      if (typeof value !== 'string') continue;
      const url = new URL(value);
      endpoints.set(`${url.origin}${url.pathname}`, operation);
    }
  } catch {
    // A document or an endpoint that does not parse fails discovery itself; calls are named `call` meanwhile.
  }
}

/**
 * Whether the IdP serves its discovery document now: the check behind
 * `bff_dependency_up{dependency="idp"}`, bounded by `timeoutMs`.
 */
export function discoveryProbe(issuer: URL, timeoutMs: number): () => Promise<boolean> {
  const url = `${issuer.href.replace(/\/$/, '')}/.well-known/openid-configuration`;
  return async () => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await response.body?.cancel();
    return response.ok;
  };
}
