import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two files at a time (vitest's default on two cores is one): most of a file's time is
    // waiting on real servers (the IdP, Redis, slapd, timers), not computing.
    maxWorkers: 2,
  },
});
