/** How many unexpected errors the report quotes in full. */
const EXAMPLES = 5;

/**
 * What the soak's requests came to: successes, expected refusals (429 from a limit)
 * and unexpected errors, each counted by kind (`call me 500 INTERNAL_SERVER_ERROR`,
 * `stream ECONNRESET`). Kinds, not messages, so that the counts stay small.
 */
export class Outcomes {
  calls = 0;
  /** Streams dropped by the soak after their `connected` event. */
  streamsDropped = 0;
  /** Streams dropped as soon as their headers arrived, before any event. */
  streamsDroppedEarly = 0;
  /** Chat messages that reached an open stream before it was dropped. */
  messagesDelivered = 0;
  readonly refused = new Map<string, number>();
  readonly errors = new Map<string, number>();
  readonly examples: string[] = [];

  refuse(kind: string): void {
    this.refused.set(kind, (this.refused.get(kind) ?? 0) + 1);
  }

  fail(kind: string, detail: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
    if (this.examples.length < EXAMPLES) this.examples.push(`${kind}: ${detail}`);
  }

  get refusedCount(): number {
    return sum(this.refused);
  }

  get errorCount(): number {
    return sum(this.errors);
  }
}

function sum(counts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const count of counts.values()) total += count;
  return total;
}
