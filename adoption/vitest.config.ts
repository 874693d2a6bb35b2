import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/global-setup.ts'],
    // npm installs from a warm cache take 10-20 s on a busy 2-core machine; a cold one more.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
