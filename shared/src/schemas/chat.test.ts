import { describe, expect, it } from 'vitest';
import { chatSendInputSchema } from './index.js';

describe("the app's schemas", () => {
  it('trims chat text and refuses empty or oversized messages', () => {
    expect(chatSendInputSchema.parse({ text: '  hi  ' })).toEqual({ text: 'hi' });
    expect(chatSendInputSchema.safeParse({ text: '   ' }).success).toBe(false);
    expect(chatSendInputSchema.safeParse({ text: 'x'.repeat(2001) }).success).toBe(false);
  });

  it('drops any author a caller tries to smuggle into chat input', () => {
    expect(chatSendInputSchema.parse({ text: 'hi', author: { sub: 'mallory' } })).toEqual({ text: 'hi' });
  });

  it('the root entry loads without zod: the client bundle stays free of it', async () => {
    const { readFile } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    const sources = ['../index.ts', '../chat.ts'].map((f) => readFile(fileURLToPath(new URL(f, import.meta.url)), 'utf8'));
    for (const source of await Promise.all(sources)) {
      expect(source).not.toMatch(/from 'zod'/);
      expect(source).not.toMatch(/^export \{[^}]*\} from '\.\/schemas/m);
    }
  });
});
