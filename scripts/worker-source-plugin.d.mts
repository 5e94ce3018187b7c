import type { Plugin } from 'vite';
export function workerSource(options?: { minify?: boolean }): Plugin;
export function frameDocument(): Plugin;
