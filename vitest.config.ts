import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumExecutable, ISOLATION_HEADERS, WORKER_ONLY_DEPS } from './scripts/dev-env.mjs';

const executablePath = chromiumExecutable();

export default defineConfig({
  server: { headers: ISOLATION_HEADERS },
  optimizeDeps: { include: [...WORKER_ONLY_DEPS] },
  worker: { format: 'es' },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({ launchOptions: executablePath ? { executablePath } : {} }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
