import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { SessionCipher, SessionCipherConfigError } from './session-cipher.js';

const A = 'a'.repeat(16) + 'secret-number-one-0123456789';
const B = 'b'.repeat(16) + 'secret-number-two-0123456789';

describe('SessionCipher', () => {
  it('opens what it sealed, a compact JWE (dir, A256GCM) that does not contain the plaintext', async () => {
    const cipher = new SessionCipher([A]);
    const sealed = await cipher.seal({ accessToken: 'at-123' });
    expect(sealed.split('.')).toHaveLength(5);
    expect(decodeProtectedHeader(sealed)).toEqual({ alg: 'dir', enc: 'A256GCM' });
    expect(sealed).not.toContain('at-123');
    expect(Buffer.from(sealed.replaceAll('.', ''), 'base64url').toString('latin1')).not.toContain('at-123');
    expect(await cipher.open(sealed)).toEqual({ accessToken: 'at-123' });
  });

  it('uses a fresh IV for every seal', async () => {
    const cipher = new SessionCipher([A]);
    expect(await cipher.seal({ same: true })).not.toBe(await cipher.seal({ same: true }));
  });

  it('refuses altered ciphertext, IV, tag or header, and foreign formats', async () => {
    const cipher = new SessionCipher([A]);
    const parts = (await cipher.seal({ data: 'x' })).split('.');
    const flip = (text: string) => {
      const bytes = Buffer.from(text, 'base64url');
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString('base64url');
    };
    for (const index of [0, 2, 3, 4]) {
      const altered = parts.map((part, i) => (i === index ? flip(part) : part));
      expect(await cipher.open(altered.join('.'))).toBeUndefined();
    }
    expect(await cipher.open('not sealed')).toBeUndefined();
    // The hand-rolled format of before (v1.<key id>.<iv>.<data>) is not read: its sessions are unknown.
    expect(await cipher.open('v1.AAAAAAAA.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
  });

  it('rotates: sealed with [a] opens with [b, a]; sealed with [b, a] does not open with [a]', async () => {
    const old = new SessionCipher([A]);
    const rotated = new SessionCipher([B, A]);
    expect(await rotated.open(await old.seal({ when: 'before rotation' }))).toEqual({ when: 'before rotation' });
    const sealedNew = await rotated.seal({ when: 'after rotation' });
    expect(await rotated.open(sealedNew)).toEqual({ when: 'after rotation' });
    expect(await old.open(sealedNew)).toBeUndefined();
  });

  it('does not open with an unrelated secret, nor what was sealed with the same secret for another purpose', async () => {
    expect(await new SessionCipher([B]).open(await new SessionCipher([A]).seal({ data: 'x' }))).toBeUndefined();
    const cookie = await new SessionCipher([A], 'login-transaction-cookie').seal({ data: 'x' });
    expect(await new SessionCipher([A], 'session-record').open(cookie)).toBeUndefined();
  });

  it('with a lifetime, refuses what has expired', async () => {
    const cipher = new SessionCipher([A]);
    const sealed = await cipher.seal({ data: 'x' }, { ttlSeconds: 60 });
    expect(await cipher.open(sealed)).toMatchObject({ data: 'x', iat: expect.any(Number), exp: expect.any(Number) });
    expect(await cipher.open(await cipher.seal({ data: 'x' }, { ttlSeconds: -1 }))).toBeUndefined();
  });

  it('needs at least one secret', () => {
    expect(() => new SessionCipher([])).toThrow(SessionCipherConfigError);
  });
});
