/** Provided by scripts/worker-source-plugin.mjs: the worker bundle as one classic script's text. */
declare module 'virtual:sandcell-worker-source' {
  const source: string;
  export default source;
}
