// A Vite plugin that turns a worker entry into a module exporting the worker's whole code as
// one string: `import('virtual:sandcell-worker-source')` resolves to `export default "…"`.
//
// Why a string: a session's worker is started from a blob: URL — inside its opaque-origin
// frame (where only a *classic* worker from a blob: starts, and the page's files would need
// CORS headers), or on the page for `unrestricted` sessions. So the worker is bundled as one
// classic script (IIFE, strict, no globals of its own), and the page hands its text over.
// As a plain JavaScript module it needs nothing from an app's bundler: no asset copying, no
// `new URL(…, import.meta.url)`, no worker plugin — Vite, webpack and esbuild carry it as code.
//
// Used by the library build (the string lands in its own chunk, loaded when the first
// session starts), the playground, Vitest and the benchmarks (built on first request).
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Virtual module id → worker entry, relative to the repository root. */
const WORKERS = {
  'virtual:sandcell-worker-source': 'lib/worker/entry.ts',
};

/**
 * @param {{ minify?: boolean }} [options] minify the worker (default true: it is shipped as a string)
 * @returns {import('vite').Plugin}
 */
export function workerSource(options = {}) {
  const minify = options.minify ?? true;
  return {
    name: 'sandcell:worker-source',
    resolveId(id) {
      if (Object.hasOwn(WORKERS, id)) return `\0${id}`;
      return undefined;
    },
    async load(id) {
      if (!id.startsWith('\0')) return undefined;
      const virtual = id.slice(1);
      if (!Object.hasOwn(WORKERS, virtual)) return undefined;
      const { build } = await import('vite');
      const output = await build({
        root,
        configFile: false,
        logLevel: 'warn',
        publicDir: false,
        build: {
          write: false,
          target: 'es2022',
          minify,
          sourcemap: false,
          // One classic script with no exports: the IIFE keeps its top-level names out of the
          // worker's global scope, where a cell could see or clobber them.
          lib: { entry: `${root}${WORKERS[virtual]}`, formats: ['iife'], name: 'sandcellWorker' },
        },
      });
      const bundle = Array.isArray(output) ? output[0] : output;
      const chunk = bundle.output.find((item) => item.type === 'chunk');
      if (!chunk) throw new Error(`[sandcell] building ${WORKERS[virtual]} produced no code`);
      // Dev servers rebuild the string when a worker file changes.
      for (const file of Object.keys(chunk.modules)) if (!file.startsWith('\0')) this.addWatchFile(file);
      // Strict, as the modules it was bundled from were (rolldown's IIFE does not say so itself).
      const source = `(function () {'use strict';\n${chunk.code}\n})();\n`;
      return { code: `export default ${JSON.stringify(source)};`, map: null };
    },
  };
}
