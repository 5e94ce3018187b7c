/**
 * Library builds (the demo has its own config in `demo/vite.config.ts`):
 *
 * - `vite build` → `dist/sandcell.js` (ESM). The session's worker is emitted beside it as
 *   `dist/sandcell.worker.js` and found at run time through `new URL(…, import.meta.url)`.
 * - `vite build --mode iife` → `dist/sandcell.iife.js`, which defines `globalThis.Sandcell`.
 *   A classic script has no `import.meta`, so there the worker is inlined into the bundle
 *   and started from a Blob URL: one file, no setup, loadable from any static server.
 *
 * Both bundle every dependency: a page that loads `dist/` with no bundler has no way to
 * resolve bare imports such as `comlink`.
 */
import { defineConfig, type Plugin } from 'vite';

/**
 * `new Worker(new URL('./worker/entry.ts', import.meta.url), { type: 'module' })`, tolerant
 * of quotes, spacing and the options object, which is kept and passed on.
 */
const WORKER_URL_RE =
  /new\s+Worker\(\s*new\s+URL\(\s*(['"`])([^'"`]+)\1\s*,\s*import\.meta\.url\s*\)\s*(?:,\s*(\{[^}]*\})\s*)?\)/g;

/**
 * Rewrites each `new Worker(new URL(path, import.meta.url), options)` in the library into
 * Vite's inline worker (`import W from 'path?worker&inline'; new W(options)`), whose code
 * travels as a string in the bundle. Runs before Vite's own worker plugin, which would
 * otherwise emit a separate file that an IIFE has no URL to find.
 */
export function inlineWorkers(): Plugin {
  return {
    name: 'sandcell:inline-workers',
    enforce: 'pre',
    transform: {
      filter: { id: /\/lib\/.*\.ts$/, code: 'import.meta.url' },
      handler(code) {
        const imports: string[] = [];
        const rewritten = code.replace(WORKER_URL_RE, (_match, _quote: string, path: string, options?: string) => {
          const binding = `__SandcellInlineWorker${imports.length}`;
          imports.push(`import ${binding} from ${JSON.stringify(`${path}?worker&inline`)};`);
          return `new ${binding}(${options ?? ''})`;
        });
        if (imports.length === 0) return null;
        return { code: `${imports.join('\n')}\n${rewritten}`, map: null };
      },
    },
  };
}

export default defineConfig(({ mode }) => {
  const iife = mode === 'iife';
  return {
    // Assets and the worker are found relative to the bundle, wherever it is served from.
    base: './',
    publicDir: false,
    plugins: iife ? [inlineWorkers()] : [],
    worker: {
      format: 'es',
      rolldownOptions: {
        output: {
          // The worker is fetched at run time, never re-bundled by apps: ship it minified.
          minify: true,
          entryFileNames: 'sandcell.worker.js',
          chunkFileNames: 'sandcell.worker-[hash].js',
          assetFileNames: 'sandcell.worker-[hash][extname]',
        },
      },
    },
    build: {
      target: 'es2022',
      outDir: 'dist',
      // The IIFE build runs second and must not wipe what the ESM build wrote.
      emptyOutDir: !iife,
      sourcemap: !iife,
      minify: iife,
      lib: iife
        ? { entry: 'lib/index.ts', name: 'Sandcell', formats: ['iife'], fileName: () => 'sandcell.iife.js' }
        : { entry: 'lib/index.ts', formats: ['es'], fileName: () => 'sandcell.js' },
    },
  };
});
