/** What the server keeps for one signed-in browser. Never sent to the browser. */
export interface SessionData {
  /** Opaque handle; the cookie carries it with an HMAC. */
  readonly id: string;
  readonly sub: string;
  readonly name: string;
  readonly email: string | null;
  /** The IdP's session id (`sid` claim of the ID token), for back-channel logout. */
  readonly idpSid: string | undefined;
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly accessTokenExpiresAt: number;
  /** Epoch milliseconds at which the current tokens were obtained (login or refresh). */
  readonly tokensObtainedAt: number;
  readonly idToken: string;
  readonly refreshToken: string | undefined;
  /** Random per-session value a logout request must carry (S4). */
  readonly logoutId: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds; drives the idle lifetime. */
  readonly lastSeenAt: number;
}

/**
 * Server-side session storage. In memory by default; a shared store (e.g. Redis)
 * implements the same interface so that several instances see the same sessions.
 */
export interface SessionStore {
  get(id: string): Promise<SessionData | undefined>;
  /** Stores the session; the store may forget it after `ttlMs`. */
  set(session: SessionData, ttlMs: number): Promise<void>;
  delete(id: string): Promise<void>;
  /** Deletes every session of an IdP session (`sid`) or of a user (`sub`); returns their ids. */
  deleteMatching(match: { readonly idpSid?: string; readonly sub?: string }): Promise<string[]>;
  count(): Promise<number>;
}

/** Keeps sessions in this process; expired entries are dropped on read and by a periodic sweep. */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, { session: SessionData; expiresAt: number }>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now, sweepEveryMs = 60_000) {
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

  async set(session: SessionData, ttlMs: number): Promise<void> {
    this.#entries.set(session.id, { session, expiresAt: this.now() + ttlMs });
  }

  async delete(id: string): Promise<void> {
    this.#entries.delete(id);
  }

  async deleteMatching(match: { readonly idpSid?: string; readonly sub?: string }): Promise<string[]> {
    const deleted: string[] = [];
    for (const [id, { session }] of this.#entries) {
      const bySid = match.idpSid !== undefined && session.idpSid === match.idpSid;
      const bySub = match.idpSid === undefined && match.sub !== undefined && session.sub === match.sub;
      if (bySid || bySub) {
        this.#entries.delete(id);
        deleted.push(id);
      }
    }
    return deleted;
  }

  async count(): Promise<number> {
    this.#sweep();
    return this.#entries.size;
  }

  close(): void {
    clearInterval(this.#sweeper);
  }

  #sweep(): void {
    const now = this.now();
    for (const [id, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(id);
  }
}
