import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieOptions } from 'express';
import { LRUCache } from 'lru-cache';
import type { AuthFailureReason } from '@oidc-bff/protocol';
import type { Bus } from '../cluster/bus.js';
import type { SessionData, SessionMatch, SessionStore } from './store.js';

export interface SessionManagerOptions {
  readonly store: SessionStore;
  /** Carries "session ended" to every instance, so that their live streams close. */
  readonly bus: Bus;
  /** The first signs new cookies; all of them verify (rotation without logging anyone out). */
  readonly secrets: readonly string[];
  readonly idleTtlSeconds: number;
  readonly absoluteTtlSeconds: number;
  readonly cookie: { readonly name: string; readonly secure: boolean; readonly sameSite: 'strict' | 'lax' | 'none' };
  /**
   * How long this instance may answer from a local copy of a session instead of the
   * shared store (0: never). Every change and end is announced on the bus and drops the
   * copy on every instance at once; the bound only covers a lost announcement. The copy
   * is made when the session is read from the store, and using it does not extend it.
   */
  readonly localCacheMs?: number;
  /** Told of a session found past its idle or absolute lifetime, once it is ended. */
  readonly onExpired?: (session: SessionData) => void;
  readonly now?: () => number;
}

export type SessionLookup =
  | { readonly ok: true; readonly session: SessionData }
  | { readonly ok: false; readonly reason: Extract<AuthFailureReason, 'no_session' | 'invalid_session' | 'session_expired'> };

export type NewSession = Omit<SessionData, 'id' | 'version' | 'logoutId' | 'createdAt' | 'lastSeenAt'>;

/**
 * Idle-timer writes are skipped when the last one is more recent than this, or than a tenth
 * of the idle lifetime when that is shorter: a session in use must be written back before its
 * stored idle deadline passes.
 */
const TOUCH_INTERVAL_MS = 60_000;
const ENDED_CHANNEL = 'session-ended';
const CHANGED_CHANNEL = 'session-changed';
/** Verified cookie values remembered at most (the least recently used go first). */
const VERIFIED_COOKIES = 10_000;
/** Sessions kept in the local cache at most (the least recently used go first). */
const LOCAL_CACHE_ENTRIES = 10_000;

/**
 * Issues and resolves session cookies (S6, S19). The cookie holds a random handle and
 * its HMAC, so a tampered value is refused before any store lookup; the store knows
 * the session only by the SHA-256 of the handle, so its contents give no usable cookie.
 * Every write is a compare-and-set on the session's version.
 */
export class SessionManager {
  readonly cookieName: string;
  readonly #store: SessionStore;
  readonly #bus: Bus;
  readonly #secrets: readonly Buffer[];
  readonly #idleMs: number;
  readonly #absoluteMs: number;
  readonly #touchMs: number;
  readonly #cookie: SessionManagerOptions['cookie'];
  readonly #now: () => number;
  readonly #onExpired: ((session: SessionData) => void) | undefined;
  readonly #localMs: number;
  readonly #local: LRUCache<string, SessionData> | undefined;
  readonly #verified = new LRUCache<string, string>({ max: VERIFIED_COOKIES });

  constructor(options: SessionManagerOptions) {
    if (options.secrets.length === 0) throw new Error('at least one session secret is required');
    this.#store = options.store;
    this.#bus = options.bus;
    this.#secrets = options.secrets.map((s) => Buffer.from(s, 'utf8'));
    this.#idleMs = options.idleTtlSeconds * 1000;
    this.#absoluteMs = options.absoluteTtlSeconds * 1000;
    this.#touchMs = Math.min(TOUCH_INTERVAL_MS, this.#idleMs / 10);
    this.#cookie = options.cookie;
    this.cookieName = options.cookie.name;
    this.#now = options.now ?? Date.now;
    this.#onExpired = options.onExpired;
    this.#localMs = options.localCacheMs ?? 0;
    if (this.#localMs > 0) {
      // Reads the clock at every check, where lru-cache would reuse a reading for a millisecond (and set a timer per reading).
      const local = new LRUCache<string, SessionData>({ max: LOCAL_CACHE_ENTRIES, ttl: this.#localMs, ttlResolution: 0, perf: { now: this.#now } });
      const forget = (id: string) => void local.delete(id);
      this.#bus.subscribe(ENDED_CHANNEL, forget);
      this.#bus.subscribe(CHANGED_CHANNEL, forget);
      this.#local = local;
    }
  }

  get storeKind(): string {
    return this.#store.kind;
  }

  /** Creates a session and returns it with the cookie value that designates it. */
  async create(data: NewSession): Promise<{ session: SessionData; cookieValue: string }> {
    const now = this.#now();
    const handle = randomBytes(32).toString('base64url');
    const session: SessionData = {
      ...data,
      id: hashHandle(handle),
      version: 1,
      logoutId: randomBytes(16).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
    };
    await this.#store.create(session, this.#ttlFor(session, now));
    return { session, cookieValue: `${handle}.${sign(this.#first(), handle)}` };
  }

  /**
   * The session id a cookie value designates, or undefined if it is not one of ours.
   * Verified values are remembered (bounded): the HMAC check and the hash were a
   * twentieth of a guarded call's CPU (`npm run profile -w bench`), and a value only
   * enters the memo once it has passed the check.
   */
  idOf(cookieValue: string | undefined): string | undefined {
    if (!cookieValue) return undefined;
    const known = this.#verified.get(cookieValue);
    if (known) return known;
    const id = this.#verify(cookieValue);
    if (id) this.#verified.set(cookieValue, id);
    return id;
  }

  #verify(cookieValue: string): string | undefined {
    const dot = cookieValue.indexOf('.');
    if (dot <= 0) return undefined;
    const handle = cookieValue.slice(0, dot);
    const given = Buffer.from(cookieValue.slice(dot + 1));
    for (const secret of this.#secrets) {
      const expected = Buffer.from(sign(secret, handle));
      if (given.length === expected.length && timingSafeEqual(given, expected)) return hashHandle(handle);
    }
    return undefined;
  }

  /**
   * Resolves a cookie value to a live session, refreshing its idle timer.
   * @throws {SessionStoreUnavailableError} when the store cannot be reached: an outage is not a logout.
   */
  async resolve(cookieValue: string | undefined): Promise<SessionLookup> {
    if (!cookieValue) return { ok: false, reason: 'no_session' };
    const id = this.idOf(cookieValue);
    if (!id) return { ok: false, reason: 'invalid_session' };
    const session = this.#local?.get(id) ?? (await this.#fromStore(id));
    if (!session) return { ok: false, reason: 'invalid_session' };
    const now = this.#now();
    if (now >= this.expiresAt(session)) {
      await this.destroy(id);
      this.#onExpired?.(session);
      return { ok: false, reason: 'session_expired' };
    }
    if (now - session.lastSeenAt >= this.#touchMs) {
      // Losing this race to another writer (e.g. a refresh) only delays the idle timer.
      const touched = await this.update({ ...session, lastSeenAt: now });
      return { ok: true, session: touched ?? session };
    }
    return { ok: true, session };
  }

  /**
   * Saves a changed session over the version it was read at (compare-and-set).
   * @returns the saved session, or undefined when another write came first or the session ended.
   */
  async update(session: SessionData): Promise<SessionData | undefined> {
    const next = { ...session, version: session.version + 1 };
    this.#local?.delete(session.id);
    if (!(await this.#store.update(next, this.#ttlFor(next, this.#now())))) return undefined;
    if (this.#localMs > 0) await this.#bus.publish(CHANGED_CHANNEL, session.id).catch(() => undefined);
    return next;
  }

  /**
   * Looks a session up again by id, from the store, without refreshing its idle timer: a
   * live stream checking on its session (S26) is no use of it. An expired session is
   * ended, as {@link resolve} does.
   * @throws {SessionStoreUnavailableError} when the store cannot be reached.
   */
  async check(id: string): Promise<SessionLookup> {
    const session = await this.#store.get(id);
    if (!session) return { ok: false, reason: 'invalid_session' };
    if (this.#now() >= this.expiresAt(session)) {
      await this.destroy(id);
      this.#onExpired?.(session);
      return { ok: false, reason: 'session_expired' };
    }
    return { ok: true, session };
  }

  /** Takes one of the session's `max` live-stream slots (see {@link SessionStore.takeStreamSlot}). */
  takeStreamSlot(id: string, max: number, leaseMs: number) {
    return this.#store.takeStreamSlot(id, max, leaseMs);
  }

  /** Reads a session without touching it (e.g. to see whether another request already refreshed it). */
  reload(id: string): Promise<SessionData | undefined> {
    return this.#store.get(id);
  }

  /** Takes the per-session lease (see {@link SessionStore.lock}). */
  lock(id: string, ttlMs: number) {
    return this.#store.lock(id, ttlMs);
  }

  async destroy(id: string): Promise<void> {
    this.#local?.delete(id);
    await this.#store.delete(id);
    await this.#announceEnded([id]);
  }

  /** Ends every session of an IdP session or user (back-channel logout, "sign out everywhere"); returns how many. */
  async destroyMatching(match: SessionMatch): Promise<number> {
    const ids = await this.#store.deleteMatching(match);
    await this.#announceEnded(ids);
    return ids.length;
  }

  listBySub(sub: string): Promise<SessionData[]> {
    return this.#store.listBySub(sub);
  }

  /**
   * The id "signed-in devices" shows for a session: derived from the session id with
   * the secret, so it designates the session in `sessions.revoke` but is no handle.
   */
  publicIdOf(id: string): string {
    return createHmac('sha256', this.#first()).update(`device:${id}`).digest('base64url').slice(0, 22);
  }

  /** Calls `listener` with the id of every session that ends, on any instance; returns the unsubscribe. */
  onEnded(listener: (id: string) => void): () => void {
    return this.#bus.subscribe(ENDED_CHANNEL, listener);
  }

  /** When the session ends unless it is used again (idle) and at the latest (absolute), epoch ms. */
  expiresAt(session: SessionData): number {
    return Math.min(session.lastSeenAt + this.#idleMs, session.createdAt + this.#absoluteMs);
  }

  /** Attributes of the session cookie (S6, S7): httpOnly, host-only, `Path=/`. */
  cookieOptions(): CookieOptions {
    return {
      httpOnly: true,
      secure: this.#cookie.secure,
      sameSite: this.#cookie.sameSite,
      path: '/',
      maxAge: this.#absoluteMs,
    };
  }

  /** Attributes that clear the session cookie. */
  clearCookieOptions(): CookieOptions {
    const { maxAge: _maxAge, ...rest } = this.cookieOptions();
    return rest;
  }

  count(): Promise<number> {
    return this.#store.count();
  }

  async #fromStore(id: string): Promise<SessionData | undefined> {
    const session = await this.#store.get(id);
    if (session) this.#local?.set(id, session);
    return session;
  }

  async #announceEnded(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#local?.delete(id);
    // The session is already gone from the store; a lost announcement only delays closing streams elsewhere.
    await Promise.all(ids.map((id) => this.#bus.publish(ENDED_CHANNEL, id).catch(() => undefined)));
  }

  #first(): Buffer {
    const [first] = this.#secrets;
    if (!first) throw new Error('no session secret');
    return first;
  }

  #ttlFor(session: SessionData, now: number): number {
    return Math.max(1, this.expiresAt(session) - now);
  }
}

function sign(secret: Buffer, handle: string): string {
  return createHmac('sha256', secret).update(handle).digest('base64url');
}

function hashHandle(handle: string): string {
  return createHash('sha256').update(handle).digest('base64url');
}
