import { z } from 'zod';
import { isLoopbackHost } from '../config/topology.js';
import type { Config } from '../config/config.js';
import { int, validAt, type OptionsContext } from './fields.js';
import { setting } from './issues.js';

const NODES = 'must be host:port pairs separated by commas, e.g. redis-1:6379,redis-2:6379';

/**
 * Shared state for several instances (`REDIS_*`): one Redis server (`url`) or some nodes of
 * a Redis Cluster (`clusterNodes`), not both; neither keeps state in this process. Sessions
 * cross this connection, so production wants TLS (`rediss://`) outside localhost.
 */
export function redisOptions(context: OptionsContext) {
  return z
    .strictObject({
      url: z
        .string()
        .trim()
        .regex(/^rediss?:\/\/[^\s]+$/, { error: 'must be a redis:// or rediss:// URL, e.g. redis://localhost:6379' })
        .optional(),
      clusterNodes: z
        .array(
          z
            .string()
            .trim()
            .regex(/^[\w.-]+:\d{1,5}$/, { error: NODES }),
          { error: NODES },
        )
        .min(1, { error: NODES })
        .readonly()
        .optional(),
      /** Timeout of every Redis call. */
      timeoutMs: int(50, 60_000).default(2000),
    })
    .superRefine(
      (redis, ctx) => {
        if (redis.url && redis.clusterNodes)
          ctx.addIssue({
            code: 'custom',
            path: ['clusterNodes'],
            message: `set ${setting('redis.url')} for one Redis server or ${setting('redis.clusterNodes')} for a Redis Cluster, not both.`,
          });
      },
      { when: validAt('url', 'clusterNodes') },
    )
    .superRefine(
      (redis, ctx) => {
        if (!context.production || !redis.url?.startsWith('redis://')) return;
        const host = /^redis:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)/.exec(redis.url)?.[1] ?? '';
        if (!isLoopbackHost(host.replace(/^\[|\]$/g, '')))
          ctx.addIssue({
            code: 'custom',
            path: ['url'],
            message: `must use rediss:// (TLS) outside localhost in production: sessions travel over this connection (got a redis:// URL to ${host}).`,
          });
      },
      { when: validAt('url') },
    )
    .transform(({ url, clusterNodes, timeoutMs }): Config['redis'] =>
      url ? { url, timeoutMs } : clusterNodes ? { clusterNodes: clusterNodes.join(','), timeoutMs } : undefined,
    );
}

export type RedisOptions = z.input<ReturnType<typeof redisOptions>>;
