import type { Config } from '../config/env.js';
import type { Logger } from '../log.js';
import { MemoryBus } from './bus.js';
import { MemorySessionStore } from '../session/memory-store.js';
import { MemoryReplayCache } from '../oidc/replay-cache.js';
import type { SharedState } from './shared-state.js';

export type { SharedState } from './shared-state.js';

/** The deployment's {@link SharedState}: on Redis with REDIS_URL or REDIS_CLUSTER_NODES, otherwise in this process. */
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
