import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumExecutable, ISOLATION_HEADERS } from './scripts/chromium.ts';

const executablePath = chromiumExecutable();

export default defineConfig({
  server: { headers: ISOLATION_HEADERS },
  optimizeDeps: {
    // Worker-only dependencies: pre-bundled up front, or Vitest reloads mid-run on a cold cache.
    include: [
      'comlink',
      'acorn',
      'acorn-walk',
      'magic-string',
      '@jridgewell/trace-mapping',
      'object-inspect',
      'idb-keyval',
    ],
  },
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
