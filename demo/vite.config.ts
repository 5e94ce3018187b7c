/**
 * The playground app (`npm run demo`, `vite build --config demo/vite.config.ts`). It imports
 * the SDK from source (`../lib/index.ts`); the session worker's code comes from the same plugin
 * as in the library build. Dev server and preview both send COOP/COEP: the page is cross-origin isolated and
 * interrupts take the SharedArrayBuffer path.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { ISOLATION_HEADERS, PAGE_DEPS, pythonRuntime } from '../scripts/dev-env.mjs';
import { workerSource } from '../scripts/worker-source-plugin.mjs';

const demoRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: demoRoot,
  // Relative asset URLs: the built playground works from any folder of any static server.
  base: './',
  publicDir: false,
  server: { headers: ISOLATION_HEADERS, fs: { allow: [repoRoot] } },
  preview: { headers: ISOLATION_HEADERS },
  // Python tabs load the runtime from `python/` beside the page (dist/python/'s precompiled one
  // when `npm run build` made it, else the pyodide package's).
  plugins: [workerSource(), pythonRuntime({ prefix: '/python/', preferBuilt: true, emit: 'python/' })],
  optimizeDeps: { include: [...PAGE_DEPS] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
});
