import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // Two files at a time: the npm start test (its fixed ports, and the topology of its
    // defaults) beside the other browser tests, which use free ports. Within a file, in sequence.
    maxWorkers: 2,
  },
});
