import type { CookieOptions, Response } from 'express';

import type { LoginTransaction } from '../oidc/flows.js';
import { cookieBytes, setCookie } from './cookie-size.js';
import { SessionCipher } from './session-cipher.js';

const TRANSACTION_TTL_SECONDS = 10 * 60;

/**
 * The longest sealed transaction: the longest `returnTo` accepted and a step-up's longest `acr`, sealed
 * (`cookie-size.test.ts` seals one and compares). The doctor checks cookie sizes with it.
 */
export const WORST_TRANSACTION_COOKIE_VALUE = 3500;

/** How many logins one browser keeps under way (tabs signing in at once); a login drops the oldest beyond it. */
export const MAX_PENDING_LOGINS = 4;

/**
 * The most bytes (names and values) of pending transactions a login leaves in the browser,
 * which sends them with every request to the API (`Path=/`): one worst-case transaction and
 * a few ordinary ones, far below what proxies accept for a whole `Cookie` header (8 KB is
 * common) and Node's 16 KB for all headers, whatever the number of abandoned logins (S27).
 */
export const MAX_PENDING_LOGIN_BYTES = 5 * 1024;

/** The `state` this BFF makes: 32 random bytes, base64url. Anything else is no login of ours. */
const STATE = /^[A-Za-z0-9_-]{43}$/;

/** Whether `value` has the shape of a `state` this BFF makes (and so can be part of a cookie name). */
export function isLoginState(value: unknown): value is string {
  return typeof value === 'string' && STATE.test(value);
}

/**
 * The name of a login's transaction cookie without its `state` suffix. `__Host-` when
 * Secure: host-only, `Path=/`, set over https only, so that neither a sibling subdomain
 * nor a plain-http page can plant a transaction of its own (login CSRF by cookie tossing).
 * Plain-http development has no such prefix: there, any page served from the same host
 * name, on any port, can set cookies the API receives.
 */
export function transactionCookiePrefix(baseName: string, secure: boolean): string {
  return `${secure ? '__Host-' : ''}${baseName}_tx_`;
}

interface Pending {
  readonly name: string;
  readonly bytes: number;
  readonly issuedAt: number;
}

/**
 * Seals login transactions into short-lived, encrypted, httpOnly cookies, one per login
 * and named after its `state`, so that two tabs signing in at once never overwrite each
 * other's (each login only adds its own cookie). Every login also drops the oldest pending
 * ones beyond {@link MAX_PENDING_LOGINS} or {@link MAX_PENDING_LOGIN_BYTES}, so that
 * abandoned logins cannot pile up into a `Cookie` header the server refuses (S27).
 */
export class TransactionCookies {
  readonly #cipher: SessionCipher;
  readonly #prefix: string;
  readonly #options: CookieOptions;

  /**
   * @param options.baseName the session cookie's name without its prefix (`COOKIE_NAME`).
   * @param options.secrets the first seals; every one opens (secret rotation).
   */
  constructor(options: { secrets: readonly string[]; baseName: string; secure: boolean }) {
    this.#cipher = new SessionCipher(options.secrets, 'login-transaction-cookie');
    this.#prefix = transactionCookiePrefix(options.baseName, options.secure);
    this.#options = {
      httpOnly: true,
      secure: options.secure,
      // Lax, whatever the topology: the return from the IdP is a cross-site top-level navigation.
      sameSite: 'lax',
      path: '/',
    };
  }

  nameFor(state: string): string {
    return `${this.#prefix}${state}`;
  }

  /**
   * Sets the cookie of a new login, and clears the pending ones it pushes out: the
   * oldest beyond the count or byte bound, and those that no longer open (expired,
   * tampered with, or planted). The new one is always kept.
   */
  async start(res: Response, cookies: ReadonlyMap<string, string>, transaction: LoginTransaction): Promise<void> {
    const name = this.nameFor(transaction.state);
    const sealed = await this.seal(transaction);
    setCookie(res, name, sealed, { ...this.#options, maxAge: TRANSACTION_TTL_SECONDS * 1000 });
    const { live, stale } = await this.#pending(cookies, name);
    let count = 1;
    let bytes = cookieBytes(name, sealed);
    let full = false;
    for (const pending of live) {
      full ||= count >= MAX_PENDING_LOGINS || bytes + pending.bytes > MAX_PENDING_LOGIN_BYTES;
      if (full) {
        res.clearCookie(pending.name, this.#options);
      } else {
        count += 1;
        bytes += pending.bytes;
      }
    }
    for (const pending of stale) res.clearCookie(pending, this.#options);
  }

  /** The transaction of `state`, cleared on use; undefined if there is none that opens for it. */
  async take(res: Response, cookies: ReadonlyMap<string, string>, state: string): Promise<LoginTransaction | undefined> {
    if (!isLoginState(state)) return undefined;
    const name = this.nameFor(state);
    const sealed = cookies.get(name);
    if (sealed === undefined) return undefined;
    res.clearCookie(name, this.#options);
    return this.open(sealed, state);
  }

  seal(transaction: LoginTransaction): Promise<string> {
    return this.#cipher.seal({ ...transaction }, { ttlSeconds: TRANSACTION_TTL_SECONDS });
  }

  /** Opens a sealed transaction; undefined if tampered with, expired or not for this state. */
  async open(sealed: string, state: string): Promise<LoginTransaction | undefined> {
    const payload = await this.#cipher.open(sealed);
    if (!payload) return undefined;
    const { nonce, codeVerifier, returnTo, stepUp, silent } = payload;
    if (payload['state'] !== state || typeof nonce !== 'string' || typeof codeVerifier !== 'string' || typeof returnTo !== 'string') return undefined;
    return { state, nonce, codeVerifier, returnTo, ...(stepUpOf(stepUp) ?? {}), ...(silent === true ? { silent } : {}) };
  }

  /** The other transaction cookies the browser sent: those that open, newest first, and the names of those that do not. */
  async #pending(cookies: ReadonlyMap<string, string>, except: string): Promise<{ live: Pending[]; stale: string[] }> {
    const live: Pending[] = [];
    const stale: string[] = [];
    for (const [name, sealed] of cookies) {
      const state = name.slice(this.#prefix.length);
      if (name === except || !name.startsWith(this.#prefix) || !isLoginState(state)) continue;
      const payload = await this.#cipher.open(sealed);
      if (payload?.['state'] === state && typeof payload.iat === 'number') live.push({ name, bytes: cookieBytes(name, sealed), issuedAt: payload.iat });
      else stale.push(name);
    }
    live.sort((a, b) => b.issuedAt - a.issuedAt);
    return { live, stale };
  }
}

/** A sealed transaction's step-up part, read field by field (it opened, so it is ours; its shape is still checked). */
function stepUpOf(value: unknown): Pick<LoginTransaction, 'stepUp'> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { acr, maxAge } = value as Record<string, unknown>;
  return {
    stepUp: {
      ...(typeof acr === 'string' ? { acr } : {}),
      ...(typeof maxAge === 'number' && Number.isInteger(maxAge) ? { maxAge } : {}),
    },
  };
}
