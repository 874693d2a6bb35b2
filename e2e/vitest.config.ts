import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // One browser at a time on a 2-core machine; scenarios run in sequence.
    fileParallelism: false,
  },
});
