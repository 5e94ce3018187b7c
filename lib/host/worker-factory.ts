/**
 * Starts one session's worker. Kept in its own module so the script-tag build can swap
 * it for one that inlines the worker (an IIFE has no `import.meta.url` to find a file by).
 */

/** How error messages name the worker script (its URL is resolved by the bundler, not known here). */
export const WORKER_SCRIPT = 'the worker script sandcell.worker.js';

export function spawnWorker(name: string): Worker {
  return new Worker(new URL('../worker/entry.ts', import.meta.url), { type: 'module', name });
}
