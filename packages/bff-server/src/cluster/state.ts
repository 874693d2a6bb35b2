import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Config } from '../config/env.js';
import type { Logger } from '../log.js';
import { MemoryBus, type Bus } from './bus.js';
import { MemorySessionStore } from '../session/memory-store.js';
import type { SessionStore } from '../session/store.js';
import { MemoryReplayCache, type ReplayCache } from '../oidc/replay-cache.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * Everything several instances must share, in one place: sessions, the bus that
 * carries "session ended" (and the app's messages), the logout-token replay cache and
 * rate-limit counters. In memory for one instance; on Redis with REDIS_URL
 * or REDIS_CLUSTER_NODES.
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

export async function createSharedState(config: Config, logger: Logger): Promise<SharedState> {
  if (config.redis) {
    const { createRedisState } = await import('./redis-state.js');
    return createRedisState(config, config.redis, logger);
  }
  if (config.production) {
    logger.warn('config.memory_session_store', {
      message:
        'Sessions are kept in this process: they do not survive a restart and cannot be shared by several instances. Set REDIS_URL (or REDIS_CLUSTER_NODES) to keep them in Redis.',
    });
  }
  const store = new MemorySessionStore();
  const bus = new MemoryBus();
  return {
    kind: store.kind,
    store,
    bus,
    replay: new MemoryReplayCache(),
    redis: undefined,
    rateLimitStore: () => undefined,
    ready: async () => true,
    close: async () => {
      await store.close();
      await bus.close();
    },
  };
}
