import { MemoryStore, type Store } from 'express-rate-limit';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';

export type LimitVerdict = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

/** Per-session limits on procedure calls (S22): all calls, and mutations tighter. */
export interface CallLimits {
  /** Counts one call of `sessionId`; says whether it is within the limits. */
  hit(sessionId: string, mutation: boolean): Promise<LimitVerdict>;
}

const WINDOW_MS = 60_000;

/**
 * Counts calls per session in one-minute windows, with express-rate-limit's stores: its
 * memory store for one instance, the Redis store (rate-limit-redis) when the deployment
 * shares state, so that the limits hold across instances. A limit of 0 is off. A counter
 * store that cannot be reached lets calls through (logged): a limiter outage must not
 * take the API down with it.
 */
export function createCallLimits(options: {
  callsPerMinute: number;
  mutationsPerMinute: number;
  store: (prefix: string) => Store | undefined;
  logger: Logger;
}): CallLimits {
  const limiter = (limit: number, prefix: string) => {
    if (limit <= 0) return undefined;
    const store = options.store(prefix) ?? new MemoryStore();
    void Promise.resolve(store.init?.({ windowMs: WINDOW_MS } as never));
    return { limit, store };
  };
  const calls = limiter(options.callsPerMinute, 'bff:rl:calls:');
  const mutations = limiter(options.mutationsPerMinute, 'bff:rl:mutations:');
  const check = async (entry: ReturnType<typeof limiter>, key: string): Promise<LimitVerdict> => {
    if (!entry) return { ok: true };
    try {
      const { totalHits, resetTime } = await entry.store.increment(key);
      if (totalHits <= entry.limit) return { ok: true };
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + WINDOW_MS) - Date.now()) / 1000)) };
    } catch (error) {
      options.logger.warn('rate_limit.store_unavailable', { error: describeError(error) });
      return { ok: true };
    }
  };
  return {
    hit: async (sessionId, mutation) => {
      const all = await check(calls, sessionId);
      if (!all.ok || !mutation) return all;
      return check(mutations, sessionId);
    },
  };
}
