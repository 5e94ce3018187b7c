/**
 * `python.packages`: what each entry means (checked when the session is created; which wheels
 * a name takes is lib/host/python-lock.ts, loaded with the Python loader). Pure logic; the
 * page fetches the files (lib/host/python-files.ts) and the worker installs them with
 * Pyodide's `loadPackage` before the first cell (lib/python/worker/pyodide-boot.ts).
 *
 * An entry is either a wheel's URL (it ends in `.whl`: taken as it is, relative to the page)
 * or a package name, looked up in the lock file (`python.lockFileURL`, else the runtime's own
 * `pyodide-lock.json`) with its dependencies. There is no package index: the npm package's
 * runtime lists Pyodide's packages in its lock file but ships none of their wheels, so a name
 * works only where a full Pyodide distribution is served.
 */

/** A wheel file name: `name-version(-build)?-python-abi-platform.whl` (PEP 427). */
const WHEEL_FILE = /^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?-[^-/]+(?:-[^-/]+){3,4}\.whl$/;
/** A project name as PEP 508 allows it (no version specifiers: there is no resolver). */
const PACKAGE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

export type PackageEntry = { kind: 'wheel'; url: string } | { kind: 'name'; name: string };

/**
 * What one `python.packages` entry is.
 * @param base the page's URL, which a relative wheel URL is resolved against
 * @throws {TypeError} saying what is wrong with the entry and what to pass instead
 */
export function classifyPackage(entry: unknown, base: string | undefined): PackageEntry {
  if (typeof entry !== 'string' || entry.trim() === '') {
    throw new TypeError(
      `[sandcell] python.packages entries must be package names or wheel URLs (strings), got ${JSON.stringify(entry)}`,
    );
  }
  const looksLikeURL = /[/:]/.test(entry) || entry.endsWith('.whl');
  if (!looksLikeURL) {
    if (!PACKAGE_NAME.test(entry)) {
      throw new TypeError(
        `[sandcell] python.packages: '${entry}' is not a package name; version constraints and extras need a resolver sandcell does not have — pass the exact name from the lock file, or the URL of a wheel`,
      );
    }
    return { kind: 'name', name: entry };
  }
  let url: URL;
  try {
    url = new URL(entry, base);
  } catch {
    throw new TypeError(`[sandcell] python.packages: '${entry}' is not a URL the page can resolve`);
  }
  const file = decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
  if (url.search !== '' || url.hash !== '' || !WHEEL_FILE.test(file)) {
    throw new TypeError(
      `[sandcell] python.packages: '${entry}' is not the URL of a wheel — it must end in a wheel's file name (name-version-py3-none-any.whl), with no query or fragment`,
    );
  }
  return { kind: 'wheel', url: url.href };
}
