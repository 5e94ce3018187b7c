import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { chromiumExecutable, ISOLATION_HEADERS, PAGE_DEPS, pythonRuntime } from './scripts/dev-env.mjs';
import { workerSource } from './scripts/worker-source-plugin.mjs';

const executablePath = chromiumExecutable();

export default defineConfig({
  server: { headers: ISOLATION_HEADERS },
  // The session worker's code, built once per run and served as a string (unminified: readable stacks).
  // And the Python runtime's files, where Python sessions look for them by default.
  plugins: [workerSource({ minify: false }), pythonRuntime()],
  optimizeDeps: { include: [...PAGE_DEPS] },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/python/**/*.test.ts'],
          environment: 'node',
          // Pyodide's wasm frames are large until V8 optimises them: a Python cell sitting at its
          // recursion limit (test/python/interrupts) overflowed Node's default ~1 MB stack when it
          // ran first. A test process's main thread has the OS's 8 MB; 4 MB of it for V8.
          execArgv: ['--stack-size=4000'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/setup/loopback-server.ts'],
          // Checks after every test that no worker or frame was left running.
          setupFiles: ['test/browser/setup/leak-check.ts'],
          // Generous: on a loaded machine the first test of a file also pays for starting workers
          // and transforming the worker bundle. A hang still fails, a slow start does not.
          testTimeout: 60_000,
          hookTimeout: 60_000,
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
