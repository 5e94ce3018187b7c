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
import { wheelsFromLock } from './python-lock.ts';
import type { PackageEntry } from './python-packages.ts';

/** Files Pyodide loads at start-up (the Emscripten glue and the loader travel in the worker bundle). */
const BINARY_FILES = ['pyodide.asm.wasm', 'python_stdlib.zip'] as const;
const LOCK_FILE = 'pyodide-lock.json';

let workerSource: Promise<string> | undefined;
const runtimes = new Map<string, Promise<PythonBoot>>();
/** Wheels and lock files by absolute URL, fetched once per page (failures are not kept). */
const downloads = new Map<string, Promise<Response>>();

/**
 * The Python worker bundle (one classic script), loaded on first use.
 * @param scriptURL where the SDK's script was served from (the IIFE build loads the worker from beside it)
 */
export function pythonWorkerSource(scriptURL: string | undefined): Promise<string> {
  workerSource ??= loadWorkerSource(scriptURL).catch((error: unknown) => {
    workerSource = undefined;
    throw error;
  });
  return workerSource;
}

async function loadWorkerSource(scriptURL: string | undefined): Promise<string> {
  const module = await import('virtual:sandcell-python-worker-source');
  const source = module.default;
  if (source !== undefined) return source;
  if (!module.loadBeside || !scriptURL) {
    throw new Error(
      '[sandcell] the Python worker is not in this build, and the SDK cannot tell where its script was served from: use the ES module build (dist/sandcell.js), or load sandcell.iife.js with a <script src>',
    );
  }
  return module.loadBeside(scriptURL);
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

/**
 * What a Python worker boots from: the runtime, plus the wheels of `packages` (the entries of
 * `python.packages`, classified; fetched by the page, like the runtime, and installed by the
 * worker before the first cell).
 * @throws {Error} naming the package, the URL and what to do when one cannot be had
 */
export async function pythonBoot(
  indexURL: string,
  options: { packages?: readonly PackageEntry[]; lockFileURL?: string } = {},
): Promise<PythonBoot> {
  const runtime = await pythonRuntimeFiles(indexURL);
  const entries = options.packages ?? [];
  if (entries.length === 0 && options.lockFileURL === undefined) return runtime;
  const base = typeof location === 'undefined' ? undefined : location.href;
  const lockURL = options.lockFileURL === undefined ? indexURL + LOCK_FILE : new URL(options.lockFileURL, base).href;
  const lockFile =
    options.lockFileURL === undefined ? runtime.lockFile : await fetchText(lockURL, 'python.lockFileURL');
  const names = entries.flatMap((entry) => (entry.kind === 'name' ? [entry.name] : []));
  let fromLock: string[] = [];
  if (names.length > 0) {
    let lock: unknown;
    try {
      lock = JSON.parse(lockFile);
    } catch {
      throw new Error(`[sandcell] python.packages: ${lockURL} is not JSON (a Pyodide lock file was expected)`);
    }
    fromLock = wheelsFromLock(names, lock, lockURL);
  }
  const wheelURLs = [...new Set([...fromLock, ...entries.flatMap((e) => (e.kind === 'wheel' ? [e.url] : []))])];
  const files: Record<string, ArrayBuffer> = { ...runtime.files };
  const bytes = await Promise.all(
    wheelURLs.map((url) =>
      download(url).then(
        (response) => response.clone().arrayBuffer(),
        (error: Error) => {
          throw fromLock.includes(url)
            ? new Error(
                `[sandcell] python.packages: the wheel ${url} (named in ${lockURL}) could not be fetched (${error.message}). The pyodide npm package — and so dist/python/ — lists Pyodide's packages in its lock file but ships none of their wheels: serve a full Pyodide distribution of the same version and point python.lockFileURL at its pyodide-lock.json, or pass wheel URLs`,
              )
            : new Error(
                `[sandcell] python.packages: the wheel ${url} could not be fetched (${error.message}); serve it where the page can fetch it (same origin, or with CORS headers)`,
              );
        },
      ),
    ),
  );
  wheelURLs.forEach((url, index) => {
    files[url] = bytes[index];
  });
  return { indexURL, files, lockFile, packages: wheelURLs };
}

/** A response for `url`, fetched once per page; rejects with the reason (network error or HTTP status). */
function download(url: string): Promise<Response> {
  let response = downloads.get(url);
  if (!response) {
    response = fetch(url).then(
      (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        return r;
      },
      (error: unknown) => {
        throw new Error(error instanceof Error ? error.message : String(error));
      },
    );
    downloads.set(url, response);
    response.catch(() => downloads.delete(url));
  }
  return response;
}

async function fetchText(url: string, option: string): Promise<string> {
  try {
    return await (await download(url)).clone().text();
  } catch (error) {
    throw new Error(
      `[sandcell] ${option}: ${url} could not be fetched (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/** A plain Error (this chunk imports nothing the entry has): the worker link reports it as a failed start. */
function unreachable(url: string, detail: string): Error {
  return new Error(
    `[sandcell] the Python runtime could not be loaded: ${url} (${detail}). Serve the Pyodide files — dist/python/ after npm run build, or a self-hosted Pyodide distribution of the same version — and pass their folder as python.indexURL`,
  );
}
