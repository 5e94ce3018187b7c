// What every dev server, test runner and benchmark here needs alike: which Chromium to
// launch, the headers that make a page cross-origin isolated, and the worker-only
// dependencies Vite must pre-bundle. One copy, imported by the configs and the scripts.
import { existsSync } from 'node:fs';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * `CHROMIUM_PATH` if set, else a system Chromium where one exists, else undefined (Playwright
 * then uses its own download, which `scripts/ensure-browser.mjs` installs when missing).
 * @returns {string | undefined}
 */
export function chromiumExecutable() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`[sandcell] CHROMIUM_PATH points to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  return SYSTEM_CHROMIUM.find((path) => existsSync(path));
}

/** Headers that make a page cross-origin isolated, so SharedArrayBuffer exists. */
export const ISOLATION_HEADERS = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
});

/** Page-side dependencies of the SDK, pre-bundled up front so a cold Vite cache does not reload the page mid-run. */
export const PAGE_DEPS = Object.freeze(['comlink', 'idb-keyval']);

/** The runtime files a Python session's page fetches from `python.indexURL` (lib/host/python-files.ts). */
const PYTHON_RUNTIME_FILES = ['pyodide.asm.wasm', 'python_stdlib.zip', 'pyodide-lock.json'];

/**
 * Serves the Python runtime to dev servers and browser tests where a page built from lib/
 * looks for it by default: beside lib/host/python-location.ts, as `dist/python/` sits beside
 * the built SDK. The files are the pyodide package's own (stock standard library: the
 * precompiled one is a build step, see scripts/build-python.mjs).
 *
 * The playground passes `{ prefix: '/python/', preferBuilt: true, emit: 'python/' }`: served
 * beside its page in dev, copied beside it by `vite build`, and taken from `dist/python/`
 * (precompiled, a faster boot) when `npm run build` made one.
 * @param {{ prefix?: string; preferBuilt?: boolean; emit?: string }} [options]
 * @returns {import('vite').Plugin}
 */
export function pythonRuntime(options = {}) {
  const prefix = options.prefix ?? '/lib/host/python/';
  const files = new Set(PYTHON_RUNTIME_FILES);
  /** @returns {Promise<string>} the folder the files come from */
  async function runtimeFolder() {
    const { createRequire } = await import('node:module');
    const { dirname, join } = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const built = fileURLToPath(new URL('../dist/python/', import.meta.url));
    if (options.preferBuilt && PYTHON_RUNTIME_FILES.every((file) => existsSync(join(built, file)))) return built;
    return dirname(createRequire(import.meta.url).resolve('pyodide/package.json'));
  }
  return {
    name: 'sandcell:python-runtime',
    async configureServer(server) {
      const { join } = await import('node:path');
      const { createReadStream, statSync } = await import('node:fs');
      const folder = await runtimeFolder();
      server.middlewares.use((request, response, next) => {
        const path = (request.url ?? '').split('?')[0];
        if (!path.startsWith(prefix) || !files.has(path.slice(prefix.length))) return next();
        const file = join(folder, path.slice(prefix.length));
        const type = file.endsWith('.wasm')
          ? 'application/wasm'
          : file.endsWith('.json')
            ? 'application/json'
            : 'application/zip';
        response.writeHead(200, {
          'Content-Type': type,
          'Content-Length': statSync(file).size,
          'Cross-Origin-Resource-Policy': 'same-origin',
        });
        createReadStream(file).pipe(response);
      });
    },
    async generateBundle() {
      const emit = options.emit;
      if (emit === undefined) return;
      const { join } = await import('node:path');
      const { readFileSync } = await import('node:fs');
      const folder = await runtimeFolder();
      for (const file of PYTHON_RUNTIME_FILES) {
        this.emitFile({ type: 'asset', fileName: `${emit}${file}`, source: readFileSync(join(folder, file)) });
      }
    },
  };
}
