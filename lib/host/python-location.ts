/**
 * Where the SDK's own script was loaded from, for the default `python.indexURL` (the runtime
 * built beside the SDK, `dist/python/`). Read when this module is evaluated. The IIFE build
 * (a classic script) has `document.currentScript`, set only while the script first runs. The
 * ESM build does not read `import.meta.url`: webpack replaces it with the build machine's
 * `file:` path (which then ships inside the app's bundle); the engine's own stack names the
 * file as it was served. An app that bundles the SDK serves `dist/python/` wherever it likes
 * and names it with `python.indexURL`.
 */
function ownScriptURL(): string | undefined {
  if (typeof document !== 'undefined' && document.currentScript instanceof HTMLScriptElement)
    return document.currentScript.src;
  const stack = new Error('sandcell: where am I').stack ?? '';
  return /((?:https?|blob):[^\s()@]+?):\d+:\d+/.exec(stack)?.[1];
}

const scriptURL = ownScriptURL();

/** Where the SDK's own script was served from, if the engine says (the IIFE build's Python worker is beside it). */
export function sdkScriptURL(): string | undefined {
  return scriptURL;
}

/** The folder the Python runtime is served from, absolute and ending in `/`. */
export function resolvePythonIndexURL(indexURL: string | undefined): string {
  const base = typeof location === 'undefined' ? undefined : location.href;
  const folder = indexURL ?? new URL('python/', scriptURL ?? base).href;
  const absolute = new URL(folder, base).href;
  return absolute.endsWith('/') ? absolute : `${absolute}/`;
}
