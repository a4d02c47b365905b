import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/e2e/**'],
    // The CLI tests spawn the built binary; two cores, so keep workers modest.
    maxWorkers: 2,
    testTimeout: 20_000,
  },
});
