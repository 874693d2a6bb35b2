import { hostname } from 'node:os';
import type { BffHooks, BffInfra } from '@oidc-bff/server';
import { MemoryChatStore, type ChatStore } from './chat/chat-store.js';
import { RedisChatStore } from './chat/redis-chat-store.js';
import { MemoryLoginCounter, Metrics, RedisLoginCounter } from './analytics/metrics.js';

declare module '@oidc-bff/server' {
  /** What the app's procedures find in `ctx.app`. */
  interface AppServices {
    readonly chat: ChatStore;
    readonly metrics: Metrics;
  }
}

/**
 * The app's services on the BFF's shared state: the chat and sign-in counts on its Redis
 * when it has one (every instance sees the same), in this process otherwise; the metrics
 * the analytics page shows, fed by the BFF's hooks.
 */
export function appServices(options: { instance?: string } = {}) {
  return ({ redis, bus }: BffInfra): { services: { chat: ChatStore; metrics: Metrics }; hooks: BffHooks } => {
    const metrics = new Metrics({
      instance: options.instance ?? `${hostname()}:${process.pid}`,
      logins: redis ? new RedisLoginCounter(redis) : new MemoryLoginCounter(),
    });
    const chat = redis ? new RedisChatStore(redis, bus) : new MemoryChatStore(bus);
    return {
      services: { chat, metrics },
      hooks: {
        onCall: ({ path, durationMs, ok }) => metrics.recordCall(path, durationMs, ok),
        onLogin: ({ outcome }) => {
          if (outcome === 'success') void metrics.recordLogin();
        },
      },
    };
  };
}
