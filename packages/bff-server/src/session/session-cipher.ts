import { hkdfSync, webcrypto } from 'node:crypto';
import { EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose';

/** Thrown by the {@link SessionCipher} constructor when it is given no secret. */
export class SessionCipherConfigError extends Error {
  readonly code = 'SESSION_CIPHER_NO_SECRET';
  constructor() {
    super('SessionCipher needs at least one secret.');
    this.name = 'SessionCipherConfigError';
  }
}

/** What is sealed: each purpose has keys of its own, so that nothing sealed for one opens as the other. */
export type SealPurpose = 'session-record' | 'login-transaction-cookie';

const HEADER = { alg: 'dir', enc: 'A256GCM' } as const;
const ALGORITHMS = { keyManagementAlgorithms: [HEADER.alg], contentEncryptionAlgorithms: [HEADER.enc] };

function deriveKey(secret: string, purpose: SealPurpose): Promise<webcrypto.CryptoKey> {
  // The secrets are already uniformly random (the config demands 32+ random characters): HKDF only separates the purposes.
  const bytes = new Uint8Array(hkdfSync('sha256', secret, 'bff', purpose, 32));
  // Imported once: jose would import raw key bytes again for every seal and open.
  return webcrypto.subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

/**
 * The one way this BFF seals what it keeps outside its memory with the session secrets:
 * session records in a shared store (S19) and login transaction cookies (S27). A sealed
 * value is an encrypted JWT (compact JWE, `dir` + `A256GCM`) under a key derived per
 * secret and purpose by HKDF-SHA256. The first secret seals, every secret opens, so
 * secrets rotate without ending sessions or logins: prepend the new one, drop the old
 * one once the longest session has expired.
 *
 * @example
 * const cipher = new SessionCipher([current, previous], 'session-record');
 * const sealed = await cipher.seal({ id, accessToken });
 * await cipher.open(sealed); // the claims, or undefined
 * @see https://www.rfc-editor.org/rfc/rfc7516 JWE
 * @see https://www.rfc-editor.org/rfc/rfc5869 HKDF
 */
export class SessionCipher {
  readonly #keys: Promise<readonly webcrypto.CryptoKey[]>;

  /**
   * @param purpose what is sealed; session records by default.
   * @throws {SessionCipherConfigError} when `secrets` is empty
   */
  constructor(secrets: readonly string[], purpose: SealPurpose = 'session-record') {
    if (secrets.length === 0) throw new SessionCipherConfigError();
    this.#keys = Promise.all(secrets.map((secret) => deriveKey(secret, purpose)));
  }

  /**
   * Encrypts `claims` under the first secret. With `ttlSeconds` it carries `iat` and an
   * `exp` that {@link open} enforces.
   */
  async seal(claims: JWTPayload, options: { readonly ttlSeconds?: number } = {}): Promise<string> {
    const [current] = await this.#keys;
    if (!current) throw new SessionCipherConfigError();
    const jwt = new EncryptJWT(claims).setProtectedHeader(HEADER);
    if (options.ttlSeconds !== undefined) jwt.setIssuedAt().setExpirationTime(`${options.ttlSeconds}s`);
    return jwt.encrypt(current);
  }

  /**
   * Decrypts what {@link seal} produced, with any of the secrets.
   * @returns undefined when it is no JWE of ours, no secret opens it, it was altered, or it has expired.
   */
  async open(sealed: string): Promise<JWTPayload | undefined> {
    for (const key of await this.#keys) {
      try {
        return (await jwtDecrypt(sealed, key, ALGORITHMS)).payload;
      } catch {
        // Not sealed with this key (or expired, or not a JWE at all): try the next one.
      }
    }
    return undefined;
  }
}
