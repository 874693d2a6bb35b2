import { hostname } from 'node:os';
import type { BffHooks, BffInfra } from '@oidc-bff/server';
import { MemoryChatStore, type ChatStore } from './chat/chat-store.js';
import { RedisChatStore } from './chat/redis-chat-store.js';
import { Analytics, MemoryLoginCounter, RedisLoginCounter } from './analytics/metrics.js';

declare module '@oidc-bff/server' {
  /** What the app's procedures find in `ctx.app`. */
  interface AppServices {
    readonly chat: ChatStore;
    readonly analytics: Analytics;
  }
}

/**
 * The app's services on the BFF's shared state: the chat and sign-in counts on its Redis
 * when it has one (every instance sees the same), in this process otherwise; the analytics
 * page's figures, read from the BFF's metrics (the API is built with `collectMetrics`).
 */
export function appServices(options: { instance?: string } = {}) {
  return ({ redis, bus, metrics }: BffInfra): { services: { chat: ChatStore; analytics: Analytics }; hooks: BffHooks } => {
    const analytics = new Analytics({
      instance: options.instance ?? `${hostname()}:${process.pid}`,
      metrics,
      logins: redis ? new RedisLoginCounter(redis) : new MemoryLoginCounter(),
    });
    const chat = redis ? new RedisChatStore(redis, bus) : new MemoryChatStore(bus);
    return {
      services: { chat, analytics },
      hooks: {
        onLogin: ({ outcome }) => {
          if (outcome === 'success') void analytics.recordLogin();
        },
      },
    };
  };
}
