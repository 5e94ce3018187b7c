/**
 * The page's part of a Python session's start: the Python worker bundle and Pyodide's files.
 * Loaded on demand (a dynamic import), so a page that only runs JavaScript never loads this
 * module, the Python worker or a byte of the runtime.
 *
 * The page fetches the runtime's files from `python.indexURL` and hands their bytes to the
 * worker in its init message: the worker runs in an opaque-origin frame, whose requests would
 * need CORS headers on every file (and which the `sandbox` policy's CSP blocks anyway). One
 * fetch per page and URL: later sessions, pooled ones and hard-path restarts reuse the bytes.
 */
import type { PythonBoot } from '../protocol.ts';

/** Files Pyodide loads at start-up (the Emscripten glue and the loader travel in the worker bundle). */
const BINARY_FILES = ['pyodide.asm.wasm', 'python_stdlib.zip'] as const;
const LOCK_FILE = 'pyodide-lock.json';

let workerSource: Promise<string> | undefined;
const runtimes = new Map<string, Promise<PythonBoot>>();

/** The Python worker bundle (one classic script), loaded on first use. */
export function pythonWorkerSource(): Promise<string> {
  workerSource ??= import('virtual:sandcell-python-worker-source').then(
    (module) => module.default,
    (error: unknown) => {
      workerSource = undefined;
      throw error;
    },
  );
  return workerSource;
}

/**
 * Pyodide's files under `indexURL` (absolute, ending in `/`), fetched once per page.
 * @throws {Error} naming the file and what to do when one cannot be fetched
 */
export function pythonRuntimeFiles(indexURL: string): Promise<PythonBoot> {
  let files = runtimes.get(indexURL);
  if (!files) {
    files = fetchRuntime(indexURL);
    runtimes.set(indexURL, files);
    files.catch(() => runtimes.delete(indexURL));
  }
  return files;
}

async function fetchFile(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw unreachable(url, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw unreachable(url, `HTTP ${response.status}`);
  return response;
}

async function fetchRuntime(indexURL: string): Promise<PythonBoot> {
  const [lock, ...binaries] = await Promise.all([
    fetchFile(indexURL + LOCK_FILE).then((response) => response.text()),
    ...BINARY_FILES.map((name) => fetchFile(indexURL + name).then((response) => response.arrayBuffer())),
  ]);
  const files: Record<string, ArrayBuffer> = {};
  BINARY_FILES.forEach((name, index) => {
    files[name] = binaries[index];
  });
  return { indexURL, files, lockFile: lock };
}

/** A plain Error (this chunk imports nothing the entry has): the worker link reports it as a failed start. */
function unreachable(url: string, detail: string): Error {
  return new Error(
    `[sandcell] the Python runtime could not be loaded: ${url} (${detail}). Serve the Pyodide files — dist/python/ after npm run build, or a self-hosted Pyodide distribution of the same version — and pass their folder as python.indexURL`,
  );
}
