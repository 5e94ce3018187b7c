/**
 * Which wheels a `python.packages` name takes, from a Pyodide lock file: the package and its
 * dependencies. Pure logic, loaded with the Python loader (lib/host/python-files.ts) only.
 */

/** What the lock file says about one package (the fields used here). */
interface LockPackage {
  name?: string;
  file_name?: string;
  depends?: string[];
}

/** PEP 503's normalised name, the lock file's keys. */
export function canonicalName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/**
 * The wheel URLs that install `names` from a lock file, dependencies before what needs them,
 * each once.
 * @param lock the lock file, parsed
 * @param lockURL where it came from: wheels are named relative to it, and errors name it
 * @throws {Error} for a name the lock file does not list, saying what to pass instead
 */
export function wheelsFromLock(names: readonly string[], lock: unknown, lockURL: string): string[] {
  const packages = (lock as { packages?: Record<string, LockPackage> } | null)?.packages;
  if (!packages || typeof packages !== 'object') {
    throw new Error(`[sandcell] python.packages: ${lockURL} is not a Pyodide lock file (no "packages")`);
  }
  const urls: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string, neededBy: string | undefined) => {
    const key = canonicalName(name);
    if (seen.has(key)) return;
    seen.add(key);
    const entry = Object.hasOwn(packages, key) ? packages[key] : undefined;
    if (!entry?.file_name) {
      const why = neededBy ? ` (a dependency of ${neededBy})` : '';
      throw new Error(
        `[sandcell] python.packages: no package named '${name}'${why} in ${lockURL}. sandcell has no package index (no PyPI, no CDN): pass the URL of its wheel (…/${name}-<version>-py3-none-any.whl) served by your app, or a lockFileURL that lists it`,
      );
    }
    for (const dependency of entry.depends ?? []) visit(dependency, name);
    urls.push(new URL(entry.file_name, lockURL).href);
  };
  for (const name of names) visit(name, undefined);
  return urls;
}
