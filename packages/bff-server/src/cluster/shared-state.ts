import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Bus } from './bus.js';
import type { SessionStore } from '../session/store.js';
import type { ReplayCache } from '../oidc/replay-cache.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * Everything several instances must share, in one place: sessions, the bus that
 * carries "session ended" (and the app's messages), the logout-token replay cache and
 * rate-limit counters. In memory for one instance (`state.ts`); on Redis with REDIS_URL
 * or REDIS_CLUSTER_NODES (`redis-state.ts`). Its own file, so that neither of the two
 * depends on the other for it.
 */
export interface SharedState {
  /** `memory`, `redis` or `redis-cluster`. */
  readonly kind: string;
  readonly store: SessionStore;
  readonly bus: Bus;
  readonly replay: ReplayCache;
  /** The shared Redis connection, for the app's own stores; undefined: state is in this process. */
  readonly redis: RedisConnection | undefined;
  /** A store for express-rate-limit counters; undefined: its own memory store. */
  readonly rateLimitStore: (prefix: string) => RateLimitStore | undefined;
  /** Whether the shared store answers (readiness). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}
