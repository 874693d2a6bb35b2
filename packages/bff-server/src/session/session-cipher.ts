import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const VERSION = 'v1';
const INFO = 'bff session store v1';
const KEY_ID_INFO = 'bff session store v1 key id';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Thrown by the {@link SessionCipher} constructor when it is given no secret. */
export class SessionCipherConfigError extends Error {
  readonly code = 'SESSION_CIPHER_NO_SECRET';
  constructor() {
    super('SessionCipher needs at least one secret.');
    this.name = 'SessionCipherConfigError';
  }
}

interface Key {
  /** Public, derived separately from the key so that it reveals nothing about it. */
  readonly id: Buffer;
  readonly key: Buffer;
}

function derive(secret: string, info: string, bytes: number): Buffer {
  // No salt: the secrets are already uniformly random (the config demands 32+ random characters).
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, bytes));
}

/**
 * Encrypts and authenticates what the shared session store keeps (S19): AES-256-GCM with
 * a key per secret derived by HKDF-SHA256. The first secret encrypts, every secret
 * decrypts, so secrets rotate without ending sessions: prepend the new one, drop the old
 * one once the longest session has expired.
 *
 * Sealed form: `v1.<key id>.<iv>.<ciphertext and tag>`, each part base64url. The key id
 * picks the key without trying them all; the additional data (the session id) binds a
 * blob to its record, so it cannot be copied under another id.
 *
 * @example
 * const cipher = new SessionCipher([current, previous]);
 * const sealed = cipher.seal(JSON.stringify(session), session.id);
 * cipher.open(sealed, session.id); // the JSON, or undefined
 * @see https://www.rfc-editor.org/rfc/rfc5869 HKDF
 */
export class SessionCipher {
  readonly #keys: readonly Key[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new SessionCipherConfigError();
    this.#keys = secrets.map((secret) => ({ id: derive(secret, KEY_ID_INFO, 6), key: derive(secret, INFO, 32) }));
  }

  /** Encrypts `plaintext` under the first secret, authenticating `aad` with it. */
  seal(plaintext: string, aad: string): string {
    const [current] = this.#keys;
    if (!current) throw new SessionCipherConfigError();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return [VERSION, current.id.toString('base64url'), iv.toString('base64url'), body.toString('base64url')].join('.');
  }

  /**
   * Decrypts what {@link seal} produced with any of the secrets.
   * @returns undefined when the format is unknown, no secret matches, the data was
   *   altered, or `aad` is not the one it was sealed with.
   */
  open(sealed: string, aad: string): string | undefined {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) return undefined;
    const [, keyId, ivText, bodyText] = parts;
    if (keyId === undefined || ivText === undefined || bodyText === undefined) return undefined;
    if (!BASE64URL.test(keyId) || !BASE64URL.test(ivText) || !BASE64URL.test(bodyText)) return undefined;
    const id = Buffer.from(keyId, 'base64url');
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) return undefined;
    const ciphertext = body.subarray(0, body.length - TAG_BYTES);
    const tag = body.subarray(body.length - TAG_BYTES);
    // Two secrets could share a 48-bit id by chance: try each key that carries it.
    for (const key of this.#keys) {
      if (key.id.length !== id.length || !timingSafeEqual(key.id, id)) continue;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        // Authentication failed under this key; another key with the same id may still open it.
      }
    }
    return undefined;
  }
}
