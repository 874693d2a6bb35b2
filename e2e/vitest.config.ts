import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    // One browser at a time on a 2-core machine; scenarios run in sequence. The `npm start`
    // test (no browser) runs beside them in a vitest of its own (package.json's test script),
    // taking turns with the topology of npm start's defaults for the fixed ports.
    fileParallelism: false,
  },
});
