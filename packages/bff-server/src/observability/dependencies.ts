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

/** The `fetch` openid-client and jose accept (`customFetch`): a URL string and a request's options. */
export type DependencyFetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Node's `fetch`, measured: an answer below 500 is `ok` (an IdP that refuses a grant is up),
 * a 5xx is `error`, no answer is `error` or `timeout`.
 */
export function measuredFetch(record: CallRecorder): DependencyFetch {
  return async (url, init) => {
    const started = performance.now();
    try {
      const response = await fetch(url, init);
      record(response.status >= 500 ? 'error' : 'ok', (performance.now() - started) / 1000);
      return response;
    } catch (error) {
      record(outcomeOfFailure(error), (performance.now() - started) / 1000);
      throw error;
    }
  };
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
