/**
 * One cell on its way through a session's queue: the caller's promise, why and how it is being
 * stopped, and a promise that settles after the caller heard the result (what `interrupt()`
 * waits for).
 */
import type { ExecuteOptions, ExecutionResult } from '../types.ts';

/** Why the hard path (kill and restore) decided a cell's outcome. */
export type HardReason = 'interrupted' | 'timeout' | 'crashed';

export interface CellJob {
  code: string;
  options: ExecuteOptions;
  resolve: (result: ExecutionResult) => void;
  reject: (error: unknown) => void;
  /** Given when the cell is sent to a worker (0 while queued). */
  cellId: number;
  /** Set when a hard restart or crash decides the cell's outcome instead of the worker. */
  finishHard?: (reason: HardReason, message?: string) => void;
  /** A stop that arrived before the cell was sent to the worker. */
  pendingStop?: 'interrupted' | 'timeout';
  /** Why the first stop of the running cell was asked for (a Python worker reports both as interrupted). */
  stopReason?: 'interrupted' | 'timeout';
  settled: Promise<void>;
  markSettled: () => void;
  removeAbortListener?: () => void;
}

/** The result of a cell stopped before it reached a worker. */
export const STOPPED_BEFORE_START: Readonly<ExecutionResult> = Object.freeze({
  status: 'interrupted',
  mode: 'sync',
  durationMs: 0,
});

/**
 * A job for `execute(code, options)`, its abort signal wired to `onAbort`.
 * @returns undefined when the signal has already aborted (the cell never runs).
 */
export function newCellJob(
  code: string,
  options: ExecuteOptions,
  resolve: (result: ExecutionResult) => void,
  reject: (error: unknown) => void,
  onAbort: (job: CellJob) => void,
): CellJob | undefined {
  const signal = options.signal;
  if (signal?.aborted) return undefined;
  let markSettled!: () => void;
  const settled = new Promise<void>((r) => (markSettled = r));
  const job: CellJob = { code, options, resolve, reject, cellId: 0, settled, markSettled };
  if (signal) {
    const abort = () => onAbort(job);
    signal.addEventListener('abort', abort, { once: true });
    job.removeAbortListener = () => signal.removeEventListener('abort', abort);
  }
  return job;
}
