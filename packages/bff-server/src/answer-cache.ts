import { LRUCache } from 'lru-cache';

/** What {@link AnswerCache} gets for a key: the answer, and for how long it may be reused. */
export interface Answer<V> {
  readonly value: V;
  /** Milliseconds from now; 0 or less: not reused at all (the askers waiting for it still share it). */
  readonly keepMs: number;
}

export interface AnswerCacheOptions<V> {
  /** Answers kept at most; the least recently used go first. 0 keeps none. */
  readonly max: number;
  /** Milliseconds; the clock `keepMs` is counted on. */
  readonly now: () => number;
  /** Gets the answer for `key`; a rejection is passed on to every asker and not kept. */
  readonly ask: (key: string) => Promise<Answer<V>>;
}

/**
 * Answers kept in an lru-cache, asked for at most once at a time per key: concurrent
 * askers share one request and its failure (lru-cache's `fetch`). Each answer is reused
 * for the time it came with and no longer; a failure is not kept, and drops the expired
 * answer it was to replace.
 *
 * @example
 * const answers = new AnswerCache({ max: 10_000, now: Date.now, ask: async (key) => ({ value: await lookUp(key), keepMs: 60_000 }) });
 * await answers.get('alice');
 */
export class AnswerCache<V extends object> {
  readonly #cache: LRUCache<string, V>;

  constructor(options: AnswerCacheOptions<V>) {
    const keepNone = options.max <= 0;
    this.#cache = new LRUCache<string, V>({
      max: Math.max(1, options.max),
      // A ttl of 0 would keep an answer forever; one larger than maxEntrySize is not kept at all.
      maxEntrySize: 1,
      sizeCalculation: () => 1,
      perf: { now: options.now },
      // Reads the clock at every check, where lru-cache would reuse a reading for a millisecond (and set a timer per reading).
      ttlResolution: 0,
      // An answer pushed out while it is being asked for still answers its askers.
      ignoreFetchAbort: true,
      fetchMethod: async (key, _stale, { options: set }) => {
        const { value, keepMs } = await options.ask(key);
        // lru-cache still serves an entry as old as its ttl: one millisecond less keeps it strictly within keepMs.
        const ttl = Math.floor(keepMs) - 1;
        if (keepNone || ttl < 1) set.size = 2;
        else set.ttl = ttl;
        return value;
      },
    });
  }

  /**
   * The answer for `key`, kept or asked for.
   * @throws whatever `ask` throws
   */
  get(key: string): Promise<V> {
    return this.#cache.forceFetch(key);
  }

  /** How many answers are kept (expired ones count until they are asked for again or pushed out), and asked for now. */
  get size(): number {
    return this.#cache.size;
  }
}
