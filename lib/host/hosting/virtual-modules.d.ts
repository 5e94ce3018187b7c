/** Provided by scripts/worker-source-plugin.mjs: the worker bundle as one classic script's text. */
declare module 'virtual:sandcell-worker-source' {
  const source: string;
  export default source;
}

/** The Python worker bundle (scripts/worker-source-plugin.mjs), loaded only for Python sessions. */
declare module 'virtual:sandcell-python-worker-source' {
  const source: string;
  export default source;
}
