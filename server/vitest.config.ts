import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two files at a time (vitest's default on two cores is one): they mostly wait on real servers.
    maxWorkers: 2,
  },
});
