/** One load run as the load generator reports it. */
export interface LoadResult {
  /** Completed requests divided by the measured wall time. */
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly seconds: number;
  /** Latencies of every response, milliseconds, at full precision (autocannon's own histogram rounds to 1 ms). */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly p999: number; readonly mean: number; readonly max: number };
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** CPU the load generator itself used, as a fraction of one core: near 1 means it, not the server, may be the limit. */
  readonly generatorCpu: number;
}

/** One load run to perform. */
export interface LoadRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connections: number;
  readonly seconds: number;
}
