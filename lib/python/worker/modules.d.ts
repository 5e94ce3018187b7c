/** Pyodide's Emscripten module factory (the file ships without its own declaration). */
declare module 'pyodide/pyodide.asm.mjs' {
  const createPyodideModule: (settings: object) => Promise<unknown>;
  export default createPyodideModule;
}

/** Vite's glob import (the worker bundle is built by Vite: see scripts/worker-source-plugin.mjs). */
interface ImportMeta {
  glob(pattern: string, options: { query: '?raw'; import: 'default'; eager: true }): Record<string, string>;
}
