import { z } from 'zod';
import { DEFAULT_STREAM_BOUNDS } from '../session/live-stream.js';
import { int } from './fields.js';

/**
 * Abuse limits (S22, S26): sign-ins per client address, calls and mutations per session,
 * calls per batch request, and live streams per session with their maximum lifetime.
 * A per-minute limit of 0 turns it off.
 */
export const limitsOptions = z.strictObject({
  /** Requests per minute and client address on `/api/login` and `/api/callback`. */
  loginPerMinute: int(1, 100_000).default(60),
  callsPerMinute: int(0, 1_000_000).default(600),
  mutationsPerMinute: int(0, 1_000_000).default(60),
  /** Calls per tRPC batch request; a larger batch is refused whole. */
  maxBatchSize: int(1, 1000).default(10),
  /** Open live streams per session, across every instance with Redis. */
  maxStreamsPerSession: int(1, 100).default(DEFAULT_STREAM_BOUNDS.maxPerSession),
  /** Seconds a live stream lasts at most; the client then resumes after its last event. */
  maxStreamLifetimeSeconds: int(1, 24 * 3600).default(DEFAULT_STREAM_BOUNDS.maxLifetimeSeconds),
  /**
   * Plain queries and mutations are answered without tRPC's fetch adapter, in tRPC's wire
   * format to the byte (a differential test holds the two to that); `false` sends every
   * request through the adapter.
   */
  leanPath: z.boolean({ error: 'must be true or false' }).default(true),
});

export type LimitsOptions = z.input<typeof limitsOptions>;
