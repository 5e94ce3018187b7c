/**
 * Library builds (the playground has its own config in `demo/vite.config.ts`):
 *
 * - `vite build` → `dist/sandcell.js` (ESM). The session's worker travels as a string in its
 *   own chunk, `dist/sandcell.worker.js` (see scripts/worker-source-plugin.mjs), imported
 *   when the first session starts: an app's bundler carries it like any other module.
 * - The Python worker (Pyodide's loader and glue, the engine) is a chunk of its own,
 *   `dist/sandcell.python-worker.js`, imported only by Python sessions; the Python runtime's
 *   files are `dist/python/` (scripts/build-python.mjs), fetched by the page at session start.
 * - `vite build --mode iife` → `dist/sandcell.iife.js`, which defines `globalThis.Sandcell`.
 *   One file: the worker string is inlined, so a page needs nothing but the script tag. It
 *   runs JavaScript sessions only (a Python session's start fails saying so).
 * - `dist/sandcell-frame.html`: the session frame's document, for pages that serve it
 *   themselves (the `frameURL` option; see the README's "Hosting the session frame").
 *
 * Both bundle every dependency: a page that loads `dist/` with no bundler has no way to
 * resolve bare imports such as `comlink`, so `package.json` lists them as devDependencies.
 */
import { defineConfig, type Plugin } from 'vite';
import { frameDocument, workerSource } from './scripts/worker-source-plugin.mjs';

/**
 * `dist/sandcell.iife.d.ts`, the types of the `sandcell/iife` entry: the script declares the
 * global `Sandcell`, typed as the ESM entry's exports. A TypeScript page that loads the
 * script references it with `/// <reference types="sandcell/iife" />`.
 */
export function iifeGlobalTypes(globalName: string): Plugin {
  return {
    name: 'sandcell:iife-global-types',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: 'sandcell.iife.d.ts',
        source: [
          `// The global that <script src="sandcell.iife.js"> defines: the same exports as \`import * from 'sandcell'\`.`,
          `import type * as sandcell from './index.d.ts';`,
          'declare global {',
          `  var ${globalName}: typeof sandcell;`,
          '}',
          '',
        ].join('\n'),
      });
    },
  };
}

export default defineConfig(({ mode }) => {
  const iife = mode === 'iife';
  return {
    base: './',
    publicDir: false,
    // The frame document for the `frameURL` option is emitted once, by the ESM build.
    // The IIFE leaves the Python worker out: one file cannot load it on demand.
    plugins: iife ? [workerSource({ python: false }), iifeGlobalTypes('Sandcell')] : [workerSource(), frameDocument()],
    // A classic script has no import.meta: the SDK's location comes from document.currentScript.
    define: iife ? { 'import.meta.url': 'undefined' } : {},
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
      rolldownOptions: {
        output: iife
          ? { inlineDynamicImports: true }
          : {
              chunkFileNames: (chunk) =>
                chunk.moduleIds.some((id) => id.includes('sandcell-worker-source'))
                  ? 'sandcell.worker.js'
                  : chunk.moduleIds.some((id) => id.includes('sandcell-python-worker-source'))
                    ? 'sandcell.python-worker.js'
                    : 'sandcell-[name]-[hash].js',
            },
      },
    },
  };
});
