/**
 * Public types of the sandcell API (see API.md). Types only: shared by page code,
 * and re-exported from `lib/index.ts`.
 */

/** How a cell is run, decided by parsing it before it runs. */
export type ExecutionMode = 'expression' | 'sync' | 'top-level-await' | 'async-def' | 'blocking' | 'syntax-error';

export type SessionState = 'starting' | 'idle' | 'busy' | 'interrupting' | 'restarting' | 'closed';

/** What a cell may reach beyond pure computation. */
export interface PolicyConfig {
  network: boolean;
  storage: boolean;
  workers: boolean;
}

export type PolicyName = 'sandbox' | 'standard' | 'unrestricted';

export type OutputEvent =
  | { type: 'stream'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'display'; data: Record<string, string | unknown> }
  | { type: 'dropped'; bytes: number };

export interface SessionOptions {
  /** Stable id (snapshots are stored under it); default: random. */
  id?: string;
  /** Default 'sandbox'. */
  policy?: PolicyName | PolicyConfig;
  /** Default time limit per execute, in ms; default none. */
  timeoutMs?: number;
  /** How long a cooperative interrupt may take before the worker is killed; default 1000. */
  interruptGraceMs?: number;
  /** Save a snapshot to IndexedDB after each completed cell; default false. */
  persist?: boolean;
  /** On create, restore the latest snapshot saved under `id`; default false. */
  restore?: boolean;
  onOutput?: (event: OutputEvent) => void;
  onInput?: (prompt: string) => string | Promise<string>;
  /** Callable in the cell as `await host.<name>(...)`. */
  // biome-ignore lint/suspicious/noExplicitAny: host functions take any structured-cloneable arguments
  capabilities?: Record<string, (...args: any[]) => unknown>;
  /** Compiled-cell LRU entries; default 100. */
  cacheSize?: number;
  /** Per execute; past it output is dropped and counted. */
  maxOutputBytes?: number;
}

export interface ExecuteOptions {
  timeoutMs?: number;
  /** Abort = interrupt this cell, or drop it from the queue; either way it resolves 'interrupted'. */
  signal?: AbortSignal;
  onOutput?: (event: OutputEvent) => void;
}

export interface CellError {
  name: string;
  message: string;
  stack?: string;
  /** 1-based, in the cell's own text. */
  line?: number;
  /** 1-based, in the cell's own text. */
  column?: number;
}

export interface ExecutionResult {
  status: 'ok' | 'error' | 'interrupted' | 'timeout';
  value?: unknown;
  repr?: string;
  error?: CellError;
  mode: ExecutionMode;
  durationMs: number;
  restarted?: boolean;
  outputDropped?: number;
}

export interface VariableInfo {
  name: string;
  type: string;
  repr: string;
}

export type MergeStrategy = 'overwrite' | 'preserve' | 'smart';

export interface NamespaceHandle {
  get(name: string): Promise<unknown>;
  set(values: Record<string, unknown>, options?: { strategy?: MergeStrategy }): Promise<void>;
  list(): Promise<VariableInfo[]>;
  delete(name: string): Promise<boolean>;
  clear(): Promise<void>;
}

export interface SkippedVariable {
  name: string;
  reason: string;
}

export interface SnapshotInfo {
  id: string;
  sessionId: string;
  createdAt: number;
  bytes: number;
  saved: string[];
  skipped: SkippedVariable[];
}

export interface RestoreInfo {
  snapshotId: string;
  restored: string[];
  skipped: SkippedVariable[];
}

export interface SessionStats {
  /** Cells run to completion (any status) since the session started. */
  executions: number;
  cache: { size: number; capacity: number; hits: number; misses: number };
  /** Times the worker was killed or crashed and the namespace restored. */
  restarts: number;
  /** User variables currently defined. */
  variables: number;
}
