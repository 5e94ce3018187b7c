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
  // Python sessions only: Pyodide's loader and glue plus the engine's sources (~1.4 MB).
  'virtual:sandcell-python-worker-source': 'lib/python/worker/entry.ts',
};

/**
 * Bundles one entry of lib/ into a single classic script (IIFE, strict, no globals of its own).
 * @param {string} entry relative to the repository root
 * @param {boolean} minify
 * @returns {Promise<{ code: string; files: string[] }>} the script, and the files it was built from
 */
async function bundleClassicScript(entry, minify) {
  const { build } = await import('vite');
  const output = await build({
    root,
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    plugins: [pyodideWithoutAssetURLs()],
    build: {
      write: false,
      target: 'es2022',
      minify,
      sourcemap: false,
      // One classic script with no exports: the IIFE keeps its top-level names out of the
      // global scope, where a cell could see or clobber them.
      lib: { entry: `${root}${entry}`, formats: ['iife'], name: 'sandcellScript' },
      rolldownOptions: {
        // Pyodide's files import Node modules on paths a browser never takes, and use direct eval:
        // warnings about them say nothing about our code.
        onLog(level, log, handler) {
          if (/node_modules[\\/]pyodide/.test(`${log.id ?? ''} ${log.message}`)) return;
          handler(level, log);
        },
      },
    },
  });
  const bundle = Array.isArray(output) ? output[0] : output;
  const chunk = bundle.output.find((item) => item.type === 'chunk');
  if (!chunk) throw new Error(`[sandcell] building ${entry} produced no code`);
  // Strict, as the modules it was bundled from were (rolldown's IIFE does not say so itself).
  return {
    code: `(function () {'use strict';\n${chunk.code}\n})();\n`,
    files: Object.keys(chunk.modules).filter((file) => !file.startsWith('\0')),
  };
}

/**
 * Pyodide's Emscripten glue names its wasm file with `new URL('pyodide.asm.wasm', import.meta.url)`,
 * which Vite would inline as a 9 MB data: URL, and an IIFE has no `import.meta`. The Python
 * worker never takes that path (Pyodide's loader passes `locateFile`; the page hands the bytes
 * over), so in Pyodide's files `import.meta.url` becomes the worker's own location.
 * @returns {import('vite').Plugin}
 */
function pyodideWithoutAssetURLs() {
  return {
    name: 'sandcell:pyodide-without-asset-urls',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]pyodide[\\/]/.test(id)) return undefined;
      return { code: code.replaceAll('import.meta.url', 'self.location.href'), map: null };
    },
  };
}

/**
 * Emits `sandcell-frame.html`: the session frame's document, for pages that serve it
 * themselves (the `frameURL` option). Its only script is the frame's boot code, inline (an
 * opaque-origin document has no 'self' to load a script file from).
 * @returns {import('vite').Plugin}
 */
export function frameDocument() {
  return {
    name: 'sandcell:frame-document',
    apply: 'build',
    async generateBundle() {
      const { code } = await bundleClassicScript('lib/frame/frame-document.ts', true);
      this.emitFile({
        type: 'asset',
        fileName: 'sandcell-frame.html',
        source:
          '<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">' +
          `<title>sandcell session</title><script>${code.replaceAll('</script', '<\\/script')}</script>\n`,
      });
    },
  };
}

/**
 * The Python worker in the one-file IIFE build, which leaves it out (it would carry 1 MB inline
 * for every page): `loadBeside(scriptURL)` imports the ES module build's
 * `sandcell.python-worker.js` from the folder the script was served from (dist/, where
 * `python/` is too). A dynamic `import()` works from a classic script.
 */
const PYTHON_BESIDE = `export default undefined;
export async function loadBeside(scriptURL) {
  const url = new URL("sandcell.python-worker.js", scriptURL).href;
  let module;
  try {
    module = await import(/* @vite-ignore */ url);
  } catch (error) {
    throw new Error("[sandcell] the Python worker " + url + " could not be loaded (" + (error && error.message || error) + "). The IIFE build loads it from beside sandcell.iife.js: serve dist/ whole (sandcell.python-worker.js and python/ next to the script), or use the ES module build");
  }
  if (typeof module.default !== "string") throw new Error("[sandcell] " + url + " is not sandcell's Python worker (from the same build as sandcell.iife.js)");
  return module.default;
}
`;

/**
 * @param {{ minify?: boolean; python?: boolean }} [options] minify the workers (default true: they
 *   are shipped as strings); `python: false` leaves the Python worker out (the one-file IIFE
 *   build, which would otherwise carry its 1 MB inline): it is loaded from beside the script
 * @returns {import('vite').Plugin}
 */
export function workerSource(options = {}) {
  const minify = options.minify ?? true;
  const python = options.python ?? true;
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
      if (!python && virtual === 'virtual:sandcell-python-worker-source') return { code: PYTHON_BESIDE, map: null };
      const { code, files } = await bundleClassicScript(WORKERS[virtual], minify);
      // Dev servers rebuild the string when a worker file changes.
      for (const file of files) this.addWatchFile(file);
      // `loadBeside` is the IIFE's (above); here the worker is the string itself.
      const beside =
        virtual === 'virtual:sandcell-python-worker-source' ? '\nexport const loadBeside = undefined;' : '';
      return { code: `export default ${JSON.stringify(code)};${beside}`, map: null };
    },
  };
}
