import { createHash } from 'node:crypto';
import { RedisStore } from 'rate-limit-redis';
import type { Config } from '../config/env.js';
import type { Logger } from '../log.js';
import { RedisSessionStore } from '../session/redis-store.js';
import { SessionCipher } from '../session/session-cipher.js';
import type { ReplayCache } from '../oidc/replay-cache.js';
import { RedisBus } from './redis-bus.js';
import { createRedisConnection, RedisError, type RedisConnection } from './redis-connection.js';
import type { SharedState } from './shared-state.js';

/**
 * The deployment's shared state on Redis (one server or a Cluster): sessions (encrypted,
 * keyed by a hash of the handle), the bus, the replay cache and rate-limit counters. Every call is bounded by REDIS_TIMEOUT_MS.
 */
export async function createRedisState(config: Config, redis: NonNullable<Config['redis']>, logger: Logger): Promise<SharedState> {
  const connection = await createRedisConnection({
    ...(redis.url ? { url: redis.url } : { clusterNodes: redis.clusterNodes ?? '' }),
    commandTimeoutMs: redis.timeoutMs,
    logger,
  });
  const bus = await RedisBus.create({ connection });
  const store = new RedisSessionStore({ connection, cipher: new SessionCipher(config.session.secrets), logger });
  return {
    kind: connection.kind,
    store,
    bus,
    replay: new RedisReplayCache(connection),
    redis: connection,
    rateLimitStore: (prefix) =>
      new RedisStore({
        prefix,
        // rate-limit-redis reloads its scripts when a reply says NOSCRIPT (after a Redis
        // restart): hand it node-redis's own reply error, not our wrapper.
        sendCommandCluster: async ({ key, command }) => {
          try {
            return (await connection.command(key, command)) as never;
          } catch (error) {
            throw error instanceof RedisError && error.code === 'REDIS_ERROR_REPLY' && error.cause instanceof Error ? error.cause : error;
          }
        },
      }),
    ready: async () => {
      await connection.ping();
      return true;
    },
    close: async () => {
      await bus.close();
      await connection.close();
    },
  };
}

/** `SET NX` with the token's remaining lifetime: the first instance to see a `jti` wins. */
class RedisReplayCache implements ReplayCache {
  constructor(private readonly redis: RedisConnection) {}

  async firstUse(jti: string, expiresAt: number): Promise<boolean> {
    const key = `bff:jti:{${createHash('sha256').update(jti).digest('base64url')}}`;
    const ttl = Math.max(1000, expiresAt - Date.now());
    return (await this.redis.command(key, ['SET', key, '1', 'NX', 'PX', String(ttl)])) === 'OK';
  }
}
