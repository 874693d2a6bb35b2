import { randomBytes } from 'node:crypto';
import type { Lease, SessionData, SessionMatch, SessionStore, StreamSlot } from './store.js';

/**
 * Keeps sessions in this process: the default for `npm start` and for one instance.
 * Sessions do not survive a restart and are not shared; the API warns about it in
 * production. Expired entries are dropped on read and by a periodic sweep.
 */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  readonly #entries = new Map<string, { session: SessionData; expiresAt: number }>();
  readonly #leases = new Map<string, { token: string; expiresAt: number }>();
  /** Per session: each held stream slot's token and when its lease runs out. */
  readonly #streams = new Map<string, Map<string, number>>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(
    private readonly now: () => number = Date.now,
    sweepEveryMs = 60_000,
  ) {
    this.#sweeper = setInterval(() => this.#sweep(), sweepEveryMs);
    this.#sweeper.unref();
  }

  async get(id: string): Promise<SessionData | undefined> {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry.session;
  }

  async create(session: SessionData, ttlMs: number): Promise<void> {
    this.#entries.set(session.id, { session, expiresAt: this.now() + ttlMs });
  }

  async update(session: SessionData, ttlMs: number): Promise<boolean> {
    const current = await this.get(session.id);
    if (!current || current.version !== session.version - 1) return false;
    this.#entries.set(session.id, { session, expiresAt: this.now() + ttlMs });
    return true;
  }

  async delete(id: string): Promise<boolean> {
    return this.#entries.delete(id);
  }

  async deleteMatching(match: SessionMatch): Promise<string[]> {
    const deleted: string[] = [];
    for (const [id, { session }] of this.#entries) {
      if ('idpSid' in match ? session.idpSid === match.idpSid : session.sub === match.sub) {
        this.#entries.delete(id);
        deleted.push(id);
      }
    }
    return deleted;
  }

  async listBySub(sub: string): Promise<SessionData[]> {
    this.#sweep();
    return [...this.#entries.values()].filter((e) => e.session.sub === sub).map((e) => e.session);
  }

  async count(): Promise<number> {
    this.#sweep();
    return this.#entries.size;
  }

  async lock(id: string, ttlMs: number): Promise<Lease | undefined> {
    const held = this.#leases.get(id);
    if (held && held.expiresAt > this.now()) return undefined;
    const token = randomBytes(16).toString('base64url');
    this.#leases.set(id, { token, expiresAt: this.now() + ttlMs });
    const mine = () => this.#leases.get(id)?.token === token;
    return {
      token,
      renew: async () => {
        if (!mine()) return false;
        this.#leases.set(id, { token, expiresAt: this.now() + ttlMs });
        return true;
      },
      release: async () => {
        if (mine()) this.#leases.delete(id);
      },
    };
  }

  async takeStreamSlot(id: string, max: number, leaseMs: number): Promise<StreamSlot | undefined> {
    const held = this.#liveSlots(id);
    if (held.size >= max) return undefined;
    const token = randomBytes(16).toString('base64url');
    held.set(token, this.now() + leaseMs);
    this.#streams.set(id, held);
    return {
      renew: async () => {
        const current = this.#liveSlots(id);
        if (!current.has(token)) return false;
        current.set(token, this.now() + leaseMs);
        return true;
      },
      release: async () => {
        const current = this.#liveSlots(id);
        current.delete(token);
        if (current.size === 0) this.#streams.delete(id);
      },
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }

  #sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
    for (const [id, lease] of this.#leases) if (lease.expiresAt <= now) this.#leases.delete(id);
    for (const id of this.#streams.keys()) this.#liveSlots(id);
  }

  /** The session's slots whose lease has not run out (the others are dropped on the way). */
  #liveSlots(id: string): Map<string, number> {
    const held = this.#streams.get(id) ?? new Map<string, number>();
    const now = this.now();
    for (const [token, expiresAt] of held) if (expiresAt <= now) held.delete(token);
    if (held.size === 0) this.#streams.delete(id);
    return held;
  }
}
