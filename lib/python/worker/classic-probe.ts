/**
 * Pyodide refuses to start in a classic worker, which it detects when its module is evaluated,
 * by `importScripts` of a data: URL succeeding (it would need `import()` for its glue). Ours
 * is a classic worker, but Pyodide's glue is bundled (`createPyodideModule`), so nothing is
 * imported: the probe is made to fail until Pyodide has started. In a session's frame the CSP
 * blocks data: scripts anyway; this is for page-hosted (`unrestricted`) workers. Imported
 * before Pyodide's module, so it runs first.
 */
const scope = self as unknown as Record<string, unknown>;
const hadOwn = Object.hasOwn(scope, 'importScripts');
const original = Object.getOwnPropertyDescriptor(scope, 'importScripts');

Object.defineProperty(scope, 'importScripts', {
  configurable: true,
  writable: true,
  value: () => {
    throw new Error('[sandcell] importScripts is not available while Pyodide starts');
  },
});

/** Gives `importScripts` back (from the prototype, or as it was). */
export function restoreImportScripts(): void {
  if (hadOwn && original) Object.defineProperty(scope, 'importScripts', original);
  else delete scope.importScripts;
}
