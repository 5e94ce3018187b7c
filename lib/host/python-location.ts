/**
 * Where the SDK's own script was loaded from, for the default `python.indexURL` (the runtime
 * built beside the SDK, `dist/python/`). Read when this module is evaluated: an ES module
 * knows its URL; the IIFE build (a classic script, where `import.meta` is empty) reads
 * `document.currentScript`, which is only set while the script first runs.
 */
const scriptURL: string | undefined =
  (import.meta as { url?: string }).url ??
  (typeof document !== 'undefined' && document.currentScript instanceof HTMLScriptElement
    ? document.currentScript.src
    : undefined);

/** The folder the Python runtime is served from, absolute and ending in `/`. */
export function resolvePythonIndexURL(indexURL: string | undefined): string {
  const base = typeof location === 'undefined' ? undefined : location.href;
  const folder = indexURL ?? new URL('python/', scriptURL ?? base).href;
  const absolute = new URL(folder, base).href;
  return absolute.endsWith('/') ? absolute : `${absolute}/`;
}
