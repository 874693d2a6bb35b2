import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import type { CookieOptions } from 'express';

/** What a login needs to remember between `/api/login` and `/api/callback` (S1). */
export interface LoginTransaction {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
}

const TRANSACTION_TTL_SECONDS = 10 * 60;

/**
 * Seals login transactions into short-lived, encrypted, httpOnly cookies. Each
 * login gets its own cookie, named after its `state`, so that two tabs signing in
 * at once do not overwrite each other's transaction.
 */
export class TransactionCookies {
  readonly #key: Uint8Array;
  readonly #prefix: string;
  readonly #options: CookieOptions;

  constructor(options: { secret: string; cookieName: string; secure: boolean; callbackPath: string }) {
    this.#key = new Uint8Array(hkdfSync('sha256', options.secret, 'bff', 'login-transaction-cookie', 32));
    // `__Host-` needs Path=/; the transaction cookie is scoped to the callback path instead.
    this.#prefix = `${options.secure ? '__Secure-' : ''}${options.cookieName.replace(/^__Host-/, '')}_tx_`;
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
    return new EncryptJWT({ ...transaction })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setIssuedAt()
      .setExpirationTime(`${TRANSACTION_TTL_SECONDS}s`)
      .encrypt(this.#key);
  }

  /** Opens a sealed transaction; undefined if absent, tampered with, expired or not for this state. */
  async open(sealed: string | undefined, state: string): Promise<LoginTransaction | undefined> {
    if (!sealed) return undefined;
    try {
      const { payload } = await jwtDecrypt(sealed, this.#key, { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] });
      const { nonce, codeVerifier, returnTo } = payload;
      if (payload['state'] !== state || typeof nonce !== 'string' || typeof codeVerifier !== 'string' || typeof returnTo !== 'string') return undefined;
      return { state, nonce, codeVerifier, returnTo };
    } catch {
      return undefined;
    }
  }
}
