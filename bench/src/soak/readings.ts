import type { Env } from '@bff/server';

/** Options the soak passes to its API child. */
export interface SoakApiOptions {
  readonly port: number;
  /** The environment `loadConfig` reads, as the API would get it in production. */
  readonly env: Env;
}

/** What the API child measures of itself after a full garbage collection. */
export interface Reading {
  /** Resident set size, bytes. */
  readonly rss: number;
  /** V8 heap in use, bytes: steadier than RSS, which the allocator may keep after a collection. */
  readonly heapUsed: number;
  /** Memory held outside the V8 heap (buffers), bytes. */
  readonly external: number;
  /** `process.getActiveResourcesInfo()`: what keeps the event loop alive (sockets, timers, requests). */
  readonly resources: number;
  readonly resourcesByKind: Readonly<Record<string, number>>;
  /** Open file descriptors (`/proc/self/fd`; sockets included), or undefined where there is no /proc. */
  readonly fds: number | undefined;
}

/**
 * What the API child logged, by kind: request lines by status class, other lines by
 * level and event (plus a reason when the line has one). Nothing else of a line is kept.
 */
export type LogCounts = Readonly<Record<string, number>>;
