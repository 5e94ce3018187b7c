/** Provided by scripts/worker-source-plugin.mjs: the worker bundle as one classic script's text. */
declare module 'virtual:sandcell-worker-source' {
  const source: string;
  export default source;
}

/**
 * The Python worker bundle (scripts/worker-source-plugin.mjs), loaded only for Python sessions.
 * In the IIFE build `default` is undefined and `loadBeside(scriptURL)` imports the ES module
 * build's `sandcell.python-worker.js` from the script's folder.
 */
declare module 'virtual:sandcell-python-worker-source' {
  const source: string | undefined;
  export default source;
  export const loadBeside: ((scriptURL: string) => Promise<string>) | undefined;
}
