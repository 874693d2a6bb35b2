import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { CookieOptions } from 'express';

import type { LoginTransaction } from '../oidc/flows.js';

const TRANSACTION_TTL_SECONDS = 10 * 60;

/**
 * The longest sealed transaction: the longest `returnTo` accepted, sealed
 * (`cookie-size.test.ts` seals one and compares). The doctor checks cookie sizes with it.
 */
export const WORST_TRANSACTION_COOKIE_VALUE = 3300;

/** The name of a login's transaction cookie without its `state` suffix. */
export function transactionCookiePrefix(baseName: string, secure: boolean): string {
  return `${secure ? '__Secure-' : ''}${baseName}_tx_`;
}

/**
 * Seals login transactions into short-lived, encrypted, httpOnly cookies. Each
 * login gets its own cookie, named after its `state`, so that two tabs signing in
 * at once do not overwrite each other's transaction.
 */
export class TransactionCookies {
  readonly #keys: readonly Uint8Array[];
  readonly #prefix: string;
  readonly #options: CookieOptions;

  /** @param baseName the session cookie's name without its prefix (`COOKIE_NAME`). */
  /** @param secrets the first seals; every one opens (secret rotation). */
  constructor(options: { secrets: readonly string[]; baseName: string; secure: boolean; callbackPath: string }) {
    this.#keys = options.secrets.map((secret) => new Uint8Array(hkdfSync('sha256', secret, 'bff', 'login-transaction-cookie', 32)));
    // `__Host-` needs Path=/; the transaction cookie is scoped to the callback path instead, so it gets `__Secure-`.
    this.#prefix = transactionCookiePrefix(options.baseName, options.secure);
    this.#options = {
      httpOnly: true,
      secure: options.secure,
      // Lax, whatever the topology: the return from the IdP is a cross-site top-level navigation.
      sameSite: 'lax',
      path: options.callbackPath,
    };
  }

  nameFor(state: string): string {
    return `${this.#prefix}${state}`;
  }

  get setOptions(): CookieOptions {
    return { ...this.#options, maxAge: TRANSACTION_TTL_SECONDS * 1000 };
  }

  get clearOptions(): CookieOptions {
    return this.#options;
  }

  async seal(transaction: LoginTransaction): Promise<string> {
    const [key] = this.#keys;
    if (!key) throw new Error('no session secret');
    return new EncryptJWT({ ...transaction })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt()
      .setExpirationTime(`${TRANSACTION_TTL_SECONDS}s`)
      .encrypt(key);
  }

  /** Opens a sealed transaction; undefined if absent, tampered with, expired or not for this state. */
  async open(sealed: string | undefined, state: string): Promise<LoginTransaction | undefined> {
    if (!sealed) return undefined;
    for (const key of this.#keys) {
      try {
        const { payload } = await jwtDecrypt(sealed, key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
        const { nonce, codeVerifier, returnTo } = payload;
        if (payload['state'] !== state || typeof nonce !== 'string' || typeof codeVerifier !== 'string' || typeof returnTo !== 'string') return undefined;
        return { state, nonce, codeVerifier, returnTo };
      } catch {
        // not sealed with this key: try the next one
      }
    }
    return undefined;
  }
}
