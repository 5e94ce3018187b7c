/**
 * Starts Pyodide inside a Python session's worker from the files the page handed over.
 *
 * The worker runs in an opaque-origin frame whose Content-Security-Policy blocks requests (and
 * its requests would need CORS headers on the runtime's files): so the page fetched Pyodide's
 * files from `python.indexURL` and sent their bytes in the init message. Pyodide's loader asks
 * `fetch` for each file by URL; while it boots, `fetch` answers those URLs from memory, and only
 * those. Its Emscripten glue (`pyodide.asm.mjs`) is bundled into this worker, which spares a
 * dynamic `import()` (a module script the frame could not load); it must be the build that
 * matches the served `pyodide.asm.wasm` — the same Pyodide version, which Pyodide checks.
 *
 * The engine (lib/python/engine) travels inside this worker bundle as text and is written
 * into Pyodide's file system: it is ours, not part of a Pyodide distribution a page may serve.
 */
// First: Pyodide reads what kind of worker it is in when its module is evaluated.
import './classic-probe.ts';
import { loadPyodide, type PyodideInterface } from 'pyodide';
import createPyodideModule from 'pyodide/pyodide.asm.mjs';
import type { PythonBoot } from '../../protocol.ts';
import { restoreImportScripts } from './classic-probe.ts';

/** Engine sources by path, e.g. `../engine/sandcell_engine/cells.py` → its text. */
const ENGINE_FILES = import.meta.glob('../engine/sandcell_engine/*.py', {
  query: '?raw',
  import: 'default',
  eager: true,
});
const ENGINE_ROOT = '/sandcell';

export interface BootOptions {
  /** Text written to file descriptors 1 and 2 (C code, and Python below `sys.stdout`). */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

function requestURL(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/**
 * Installs wheels with Pyodide's `loadPackage` (which also loads a binary wheel's shared
 * libraries). It resolves even when a package failed — it only reports through
 * `errorCallback` — so a wheel missing from its answer is an error here, never a silent
 * success.
 * @throws {Error} naming the wheels that did not install and what Pyodide said
 */
async function installWheels(pyodide: PyodideInterface, urls: string[]): Promise<void> {
  const errors: string[] = [];
  let loaded: Array<{ fileName: string }>;
  try {
    loaded = await pyodide.loadPackage(urls, {
      messageCallback: () => {},
      errorCallback: (message) => errors.push(message),
      checkIntegrity: false,
    });
  } catch (error) {
    errors.push(error instanceof Error ? error.message : String(error));
    loaded = [];
  }
  const installed = new Set(loaded.map((data) => data.fileName.toLowerCase()));
  const missing = urls.filter(
    (url) => !installed.has(decodeURIComponent(url.slice(url.lastIndexOf('/') + 1)).toLowerCase()),
  );
  if (missing.length > 0 || errors.length > 0) {
    throw new Error(
      `[sandcell] python.packages: ${missing.length > 0 ? missing.join(', ') : 'a wheel'} did not install${errors.length > 0 ? `: ${errors.join(' ').trim()}` : ''}`,
    );
  }
}

/** Loads Pyodide from `boot` and puts the engine package on `sys.path`. */
export async function bootPyodide(
  scope: typeof globalThis,
  boot: PythonBoot,
  options: BootOptions,
): Promise<PyodideInterface> {
  const served = new Map<string, ArrayBuffer>();
  for (const [name, bytes] of Object.entries(boot.files)) served.set(new URL(name, boot.indexURL).href, bytes);
  const realFetch = scope.fetch;
  scope.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const url = new URL(requestURL(input), boot.indexURL).href;
    const bytes = served.get(url);
    if (bytes) {
      const type = url.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
      return new Response(bytes, { headers: { 'Content-Type': type } });
    }
    if (url.startsWith(boot.indexURL)) {
      throw new Error(`[sandcell] the Python runtime asked for ${url}, which the page did not fetch for it`);
    }
    return realFetch.call(scope, input, init);
  };
  const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  const stream = (name: 'stdout' | 'stderr') => ({
    write: (buffer: Uint8Array) => {
      options[name](decoders[name].decode(buffer, { stream: true }));
      return buffer.length;
    },
  });
  let pyodide: PyodideInterface;
  try {
    pyodide = await loadPyodide({
      indexURL: boot.indexURL,
      lockFileContents: boot.lockFile,
      packageBaseUrl: boot.indexURL,
      createPyodideModule: createPyodideModule as never,
      env: { HOME: '/home/pyodide' },
    });
    // While `fetch` still answers from the page's bytes: the wheels of python.packages.
    if (boot.packages && boot.packages.length > 0) await installWheels(pyodide, boot.packages);
  } finally {
    scope.fetch = realFetch;
    restoreImportScripts();
  }
  pyodide.setStdout(stream('stdout'));
  pyodide.setStderr(stream('stderr'));
  const target = `${ENGINE_ROOT}/sandcell_engine`;
  pyodide.FS.mkdirTree(target);
  for (const [path, text] of Object.entries(ENGINE_FILES)) {
    pyodide.FS.writeFile(`${target}/${path.slice(path.lastIndexOf('/') + 1)}`, text);
  }
  // `import micropip` finds the engine's stand-in (sandcell_engine/micropip.py) last on the
  // path, so a real micropip installed with python.packages is the one a cell gets.
  const fallback = `${ENGINE_ROOT}/fallback`;
  pyodide.FS.mkdirTree(fallback);
  pyodide.FS.writeFile(`${fallback}/micropip.py`, ENGINE_FILES['../engine/sandcell_engine/micropip.py'] as string);
  pyodide.runPython(
    `import sys; sys.path.insert(0, ${JSON.stringify(ENGINE_ROOT)}); sys.path.append(${JSON.stringify(fallback)})`,
  );
  return pyodide;
}
