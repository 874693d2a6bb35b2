/**
 * Remembers logout-token `jti` values until they expire, so that each is accepted once
 * (S5). In memory for one instance; in the session store's Redis for several.
 */
export interface ReplayCache {
  /** Records `jti` until `expiresAt` (epoch ms, exclusive); false if it was already seen and not yet forgotten. */
  firstUse(jti: string, expiresAt: number): Promise<boolean>;
}

export class MemoryReplayCache implements ReplayCache {
  readonly #seen = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async firstUse(jti: string, expiresAt: number): Promise<boolean> {
    const now = this.now();
    for (const [key, until] of this.#seen) if (until <= now) this.#seen.delete(key);
    if (this.#seen.has(jti)) return false;
    this.#seen.set(jti, expiresAt);
    return true;
  }
}
