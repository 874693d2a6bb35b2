import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { CookieOptions } from 'express';
import type { AuthFailureReason } from '@bff/shared';
import type { SessionData, SessionStore } from './session-store.js';

export interface SessionManagerOptions {
  readonly store: SessionStore;
  readonly secret: string;
  readonly idleTtlSeconds: number;
  readonly absoluteTtlSeconds: number;
  readonly cookie: { readonly name: string; readonly secure: boolean; readonly sameSite: 'strict' | 'lax' | 'none' };
  readonly now?: () => number;
}

export type SessionLookup =
  | { readonly ok: true; readonly session: SessionData }
  | { readonly ok: false; readonly reason: Extract<AuthFailureReason, 'no_session' | 'invalid_session' | 'session_expired'> };

export type NewSession = Omit<SessionData, 'id' | 'logoutId' | 'createdAt' | 'lastSeenAt'>;

/** Idle-timer writes are skipped when the last one is more recent than this. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Issues and resolves session cookies. The cookie holds only an opaque random
 * handle plus its HMAC, so a tampered value is refused before any store lookup (S6).
 */
export class SessionManager {
  readonly cookieName: string;
  /** Emits `ended` with the session id whenever this instance ends a session. */
  readonly events = new EventEmitter<{ ended: [sessionId: string] }>();
  readonly #store: SessionStore;
  readonly #secret: Buffer;
  readonly #idleMs: number;
  readonly #absoluteMs: number;
  readonly #cookie: SessionManagerOptions['cookie'];
  readonly #now: () => number;

  constructor(options: SessionManagerOptions) {
    this.#store = options.store;
    this.#secret = Buffer.from(options.secret, 'utf8');
    this.#idleMs = options.idleTtlSeconds * 1000;
    this.#absoluteMs = options.absoluteTtlSeconds * 1000;
    this.#cookie = options.cookie;
    this.cookieName = options.cookie.name;
    this.#now = options.now ?? Date.now;
  }

  /** Creates a session and returns it with the cookie value that designates it. */
  async create(data: NewSession): Promise<{ session: SessionData; cookieValue: string }> {
    const now = this.#now();
    const session: SessionData = {
      ...data,
      id: randomBytes(32).toString('base64url'),
      logoutId: randomBytes(16).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
    };
    await this.#store.set(session, this.#ttlFor(session, now));
    return { session, cookieValue: `${session.id}.${this.#sign(session.id)}` };
  }

  /** Resolves a cookie value to a live session, refreshing its idle timer. */
  async resolve(cookieValue: string | undefined): Promise<SessionLookup> {
    if (!cookieValue) return { ok: false, reason: 'no_session' };
    const id = this.#unsign(cookieValue);
    if (!id) return { ok: false, reason: 'invalid_session' };
    const session = await this.#store.get(id);
    if (!session) return { ok: false, reason: 'invalid_session' };
    const now = this.#now();
    if (now >= this.expiresAt(session)) {
      await this.destroy(id);
      return { ok: false, reason: 'session_expired' };
    }
    if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
      const touched = { ...session, lastSeenAt: now };
      await this.#store.set(touched, this.#ttlFor(touched, now));
      return { ok: true, session: touched };
    }
    return { ok: true, session };
  }

  /** Saves a changed session (e.g. refreshed tokens). */
  async update(session: SessionData): Promise<void> {
    await this.#store.set(session, this.#ttlFor(session, this.#now()));
  }

  /** Reads a session without touching it (e.g. to see whether another request already refreshed it). */
  reload(id: string): Promise<SessionData | undefined> {
    return this.#store.get(id);
  }

  async destroy(id: string): Promise<void> {
    await this.#store.delete(id);
    this.events.emit('ended', id);
  }

  /** Ends every session of an IdP session or user (back-channel logout); returns how many. */
  async destroyMatching(match: { idpSid?: string; sub?: string }): Promise<number> {
    const ids = await this.#store.deleteMatching(match);
    for (const id of ids) this.events.emit('ended', id);
    return ids.length;
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

  #ttlFor(session: SessionData, now: number): number {
    return Math.max(1, this.expiresAt(session) - now);
  }

  #sign(id: string): string {
    return createHmac('sha256', this.#secret).update(id).digest('base64url');
  }

  #unsign(value: string): string | undefined {
    const dot = value.indexOf('.');
    if (dot <= 0) return undefined;
    const id = value.slice(0, dot);
    const given = Buffer.from(value.slice(dot + 1));
    const expected = Buffer.from(this.#sign(id));
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : undefined;
  }
}
