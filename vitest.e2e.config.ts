// End-to-end tests in a real VS Code (code-server + Chromium). Run with `npm run test:e2e`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // One VS Code at a time: the machine has two cores.
    fileParallelism: false,
  },
});
