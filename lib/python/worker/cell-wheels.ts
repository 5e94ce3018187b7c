/**
 * The worker's half of `await micropip.install(url)` in a cell (the engine's half is
 * lib/python/engine/sandcell_engine/wheels.py, which checks the URL and the policy first).
 *
 * The worker fetches the wheel itself, so a failure says what happened (an HTTP status, a
 * network error, a file that is not a zip) — Pyodide's loader only says "request failed" — and
 * then hands the bytes to Pyodide's `loadPackage`, answering its `fetch` of that one URL from
 * memory: one request per wheel. `loadPackage` resolves even when an install failed, so the
 * wheel counts as installed only when Pyodide lists it as loaded from that URL.
 */
import type { PyodideInterface } from 'pyodide';

/** Every zip (and so every wheel) starts with a local file header. */
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

function requestURL(input: RequestInfo | URL): string {
  if (typeof input === 'string') return input;
  if (input instanceof URL) return input.href;
  return input.url;
}

/**
 * Installs the wheel at `url` (absolute, checked by the engine) into the running Pyodide.
 * @throws {Error} `[sandcell] micropip.install: …` naming the URL and what went wrong
 */
export async function installWheelFromCell(
  scope: typeof globalThis,
  pyodide: PyodideInterface,
  url: string,
): Promise<void> {
  const fail = (why: string) => new Error(`[sandcell] micropip.install: the wheel ${url} ${why}`);
  const loadedFrom = () => Object.values(pyodide.loadedPackages as Record<string, string>).includes(url);
  if (loadedFrom()) return;
  const realFetch = scope.fetch;
  let response: Response;
  try {
    response = await realFetch.call(scope, url, { credentials: 'omit' });
  } catch (error) {
    throw fail(
      `could not be fetched (${error instanceof Error ? error.message : String(error)}) — the server must be reachable and send Access-Control-Allow-Origin (the session runs on an opaque origin)`,
    );
  }
  if (!response.ok) throw fail(`could not be fetched (HTTP ${response.status})`);
  const bytes = await response.arrayBuffer();
  const head = new Uint8Array(bytes, 0, Math.min(4, bytes.byteLength));
  if (head.length < 4 || ZIP_MAGIC.some((byte, i) => head[i] !== byte)) {
    throw fail(`is not a wheel (its ${bytes.byteLength} bytes are not a zip archive)`);
  }
  const errors: string[] = [];
  const served = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
    requestURL(input) === url
      ? Promise.resolve(new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } }))
      : realFetch.call(scope, input, init);
  scope.fetch = served as typeof fetch;
  try {
    await pyodide.loadPackage([url], {
      messageCallback: () => {},
      errorCallback: (message) => errors.push(message),
      checkIntegrity: false,
    });
  } catch (error) {
    errors.push(error instanceof Error ? error.message : String(error));
  } finally {
    // A cell may have replaced `fetch` meanwhile (`import js`): leave its choice in place.
    if (scope.fetch === served) scope.fetch = realFetch;
  }
  if (!loadedFrom()) {
    throw fail(`did not install${errors.length > 0 ? `: ${errors.join(' ').trim()}` : ''}`);
  }
}
