import { describe, expect, it } from 'vitest';
import { isAuthFailureReason, isLoginErrorCode } from './index.js';
import { meOutputSchema } from './schemas/index.js';

describe('the protocol', () => {
  it('recognises only the published failure codes', () => {
    expect(isAuthFailureReason('session_expired')).toBe(true);
    expect(isAuthFailureReason('too_many_streams')).toBe(true);
    expect(isAuthFailureReason('nope')).toBe(false);
    expect(isLoginErrorCode('state_mismatch')).toBe(true);
    expect(isLoginErrorCode(42)).toBe(false);
  });

  it('me is the user, the session deadlines and a logout URL', () => {
    const me = {
      user: { sub: 'alice', name: 'Alice', email: null, groups: [], roles: [] },
      session: { expiresAt: '2026-01-01T00:00:00.000Z', accessTokenExpiresAt: '2026-01-01T00:00:00.000Z' },
      logoutUrl: 'https://api.example.com/api/logout?sid=x',
    };
    expect(meOutputSchema.parse(me)).toEqual(me);
    expect(meOutputSchema.safeParse({ ...me, logoutUrl: 'not a url' }).success).toBe(false);
  });
});

describe('the zod-free entry', () => {
  it('loads without zod: an Angular bundle stays free of it', async () => {
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    const sources = ['index.ts', 'paths.ts', 'errors.ts', 'dev-defaults.ts', 'audit.ts'].map((f) =>
      readFile(fileURLToPath(new URL(f, import.meta.url)), 'utf8'),
    );
    for (const source of await Promise.all(sources)) {
      expect(source).not.toMatch(/from 'zod'/);
      expect(source).not.toMatch(/^export \{[^}]*\} from '\.\/schemas/m);
    }
  });
});
