import { describe, expect, it } from 'vitest';
import { SessionCipher, SessionCipherConfigError } from './session-cipher.js';

const A = 'a'.repeat(16) + 'secret-number-one-0123456789';
const B = 'b'.repeat(16) + 'secret-number-two-0123456789';
const ID = 'session-id-1';

describe('SessionCipher', () => {
  it('opens what it sealed, and the sealed text does not contain the plaintext', () => {
    const cipher = new SessionCipher([A]);
    const sealed = cipher.seal('{"accessToken":"at-123"}', ID);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('at-123');
    expect(cipher.open(sealed, ID)).toBe('{"accessToken":"at-123"}');
  });

  it('uses a fresh IV for every seal', () => {
    const cipher = new SessionCipher([A]);
    expect(cipher.seal('same', ID)).not.toBe(cipher.seal('same', ID));
  });

  it('refuses a blob moved to another session id (AAD)', () => {
    const cipher = new SessionCipher([A]);
    expect(cipher.open(cipher.seal('data', ID), 'session-id-2')).toBeUndefined();
  });

  it('refuses altered ciphertext, IV or key id, and foreign formats', () => {
    const cipher = new SessionCipher([A]);
    const sealed = cipher.seal('data', ID);
    const [version, keyId, iv, body] = sealed.split('.') as [string, string, string, string];
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64url');
    };
    expect(cipher.open([version, keyId, iv, flip(body)].join('.'), ID)).toBeUndefined();
    expect(cipher.open([version, keyId, flip(iv), body].join('.'), ID)).toBeUndefined();
    expect(cipher.open([version, flip(keyId), iv, body].join('.'), ID)).toBeUndefined();
    expect(cipher.open(['v2', keyId, iv, body].join('.'), ID)).toBeUndefined();
    expect(cipher.open('not sealed', ID)).toBeUndefined();
    expect(cipher.open('v1.a.b', ID)).toBeUndefined();
  });

  it('rotates: sealed with [a] opens with [b, a]; sealed with [b, a] does not open with [a]', () => {
    const old = new SessionCipher([A]);
    const rotated = new SessionCipher([B, A]);
    expect(rotated.open(old.seal('before rotation', ID), ID)).toBe('before rotation');
    const sealedNew = rotated.seal('after rotation', ID);
    expect(rotated.open(sealedNew, ID)).toBe('after rotation');
    expect(old.open(sealedNew, ID)).toBeUndefined();
  });

  it('does not open with an unrelated secret', () => {
    expect(new SessionCipher([B]).open(new SessionCipher([A]).seal('data', ID), ID)).toBeUndefined();
  });

  it('needs at least one secret', () => {
    expect(() => new SessionCipher([])).toThrow(SessionCipherConfigError);
  });
});
