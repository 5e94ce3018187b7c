import type { Plugin } from 'vite';
export function workerSource(options?: { minify?: boolean; python?: boolean }): Plugin;
export function frameDocument(): Plugin;
