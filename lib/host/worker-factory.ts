/**
 * Starts one session's worker. Kept in its own module so the script-tag build can swap
 * it for one that inlines the worker (an IIFE has no `import.meta.url` to find a file by).
 */
export function spawnWorker(name: string): Worker {
  return new Worker(new URL('../worker/entry.ts', import.meta.url), { type: 'module', name });
}
