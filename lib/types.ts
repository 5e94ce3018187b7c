/**
 * Public types of the sandcell API (the contract in API.md). Types only: shared by page
 * code, and re-exported from `lib/index.ts`.
 */
import type { SnapshotError } from './errors.ts';

/**
 * How a cell is run, decided by parsing it before it runs:
 * - `expression`: one expression (its value is the result);
 * - `sync`: statements, run synchronously;
 * - `top-level-await`: uses `await` (or `for await`) at top level; the result is awaited;
 * - `async-def`: defines async functions but does not await at top level;
 * - `blocking`: calls a blocking API (`Atomics.wait`, synchronous XHR, synchronous `input()`);
 * - `syntax-error`: does not parse; nothing ran.
 */
export type ExecutionMode = 'expression' | 'sync' | 'top-level-await' | 'async-def' | 'blocking' | 'syntax-error';

/**
 * Where a session is in its life: `starting` (worker booting) → `idle` ⇄ `busy` (a cell
 * runs) → `interrupting` (a stop was asked) → `restarting` (the worker was killed or died
 * and the namespace is being restored) → `idle`; `closed` at the end.
 */
export type SessionState = 'starting' | 'idle' | 'busy' | 'interrupting' | 'restarting' | 'closed';

/** What a cell may reach beyond pure computation. */
export interface PolicyConfig {
  /** fetch, XMLHttpRequest, WebSocket, EventSource, dynamic `import()` (no credentials). */
  network: boolean;
  /** IndexedDB, Cache Storage and other storage of the page's origin (runs the session on the page's origin). */
  storage: boolean;
  /** Workers, shared workers and broadcast channels started from a cell. */
  workers: boolean;
}

/** `sandbox` = all false; `standard` = network only; `unrestricted` = all true. */
export type PolicyName = 'sandbox' | 'standard' | 'unrestricted';

/** The language of a session's cells. */
export type SessionLanguage = 'javascript' | 'python';

/**
 * Something a cell produced, in the order it produced it. All of a cell's events arrive
 * before its `execute` resolves.
 * - `stream`: printed text (`console.log/info/debug` → stdout, `console.warn/error` → stderr);
 * - `display`: a MIME bundle from `display(value)` (render it with `renderDisplay`);
 * - `dropped`: output past `maxOutputBytes` was dropped; `bytes` says how much.
 */
export type OutputEvent =
  | { type: 'stream'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'display'; data: Record<string, string | unknown> }
  | { type: 'dropped'; bytes: number };

/** Options of a Python session (see API.md, "Python sessions"). */
export interface PythonOptions {
  /** Where the Python runtime's files are served; default: beside the SDK in `dist/`. */
  indexURL?: string;
  /** Loaded before the first cell: names from the lock file, or wheel URLs. */
  packages?: string[];
  /** A package lock (e.g. a full self-hosted Pyodide distribution's). */
  lockFileURL?: string;
}

/** Options of `createSession` (and `SessionManager.create`). Every one is optional. */
export interface SessionOptions {
  /** The language of the cells; default `'javascript'`. */
  language?: SessionLanguage;
  /** Only with `language: 'python'`. */
  python?: PythonOptions;
  /** Stable id (snapshots are stored under it); default: random. */
  id?: string;
  /** What the cell may reach; default `'sandbox'` (see {@link PolicyConfig}). */
  policy?: PolicyName | PolicyConfig;
  /** Default time limit per execute, in ms; default none. */
  timeoutMs?: number;
  /** How long a cooperative interrupt may take before the worker is killed, in ms; default 1000. */
  interruptGraceMs?: number;
  /** Save a snapshot to IndexedDB after each completed cell (coalesced, never delays a result); default false. */
  persist?: boolean;
  /** On create, restore the latest snapshot saved under `id` (needs `id`); default false. */
  restore?: boolean;
  /** Receives every output event of every cell. */
  onOutput?: (event: OutputEvent) => void;
  /** Answers `input(prompt)` in a cell. */
  onInput?: (prompt: string) => string | Promise<string>;
  /** Callable in the cell as `await host.<name>(...)`, with structured-cloneable arguments and result. */
  // biome-ignore lint/suspicious/noExplicitAny: host functions take any structured-cloneable arguments
  capabilities?: Record<string, (...args: any[]) => unknown>;
  /** Compiled-cell LRU entries; default 100. */
  cacheSize?: number;
  /** Per execute, in UTF-8 bytes; past it output is dropped and counted; default 16 MB. */
  maxOutputBytes?: number;
  /**
   * Where the page serves the session frame's document (`dist/sandcell-frame.html`), for pages
   * whose own Content-Security-Policy blocks the inline boot script of the default `srcdoc`
   * frame. Unused by `unrestricted` sessions, which need no frame. See the README.
   */
  frameURL?: string;
}

/** Options of one `execute` call. */
export interface ExecuteOptions {
  /** Time limit for this cell, in ms (overrides the session's `timeoutMs`). */
  timeoutMs?: number;
  /** Abort = interrupt this cell, or drop it from the queue; either way it resolves `'interrupted'`. */
  signal?: AbortSignal;
  /** Receives this cell's output events (besides the session's `onOutput`). */
  onOutput?: (event: OutputEvent) => void;
}

/** An error raised by the cell's code. */
export interface CellError {
  /** The error's class name (`TypeError`, `ReferenceError`, … or `Uncaught` for a thrown non-Error). */
  name: string;
  message: string;
  /** The stack, with only the cell's frames, at positions in the cells as written. */
  stack?: string;
  /** 1-based, in the cell's own text. */
  line?: number;
  /** 1-based, in the cell's own text. */
  column?: number;
}

/** The outcome of one cell. `execute` resolves with one for every outcome of the user's code. */
export interface ExecutionResult {
  status: 'ok' | 'error' | 'interrupted' | 'timeout';
  /** Structured clone of the last expression value, when it can be cloned. */
  value?: unknown;
  /** Text rendering of the value; present whenever the cell ends in an expression (even one whose value is undefined), absent otherwise. */
  repr?: string;
  /** Present when `status` is `'error'`. */
  error?: CellError;
  mode: ExecutionMode;
  /** Wall time of the cell in the worker (the whole hard path when `restarted`). */
  durationMs: number;
  /** The worker was killed (or died) and the namespace restored from the last checkpoint. */
  restarted?: boolean;
  /** Bytes of output dropped past `maxOutputBytes`. */
  outputDropped?: number;
}

/** One user variable, as `namespace.list()` shows it. */
export interface VariableInfo {
  name: string;
  /** `number`, `string`, `Array`, `Map`, a class name, `function`, … */
  type: string;
  /** Short text rendering of the value. */
  repr: string;
}

/**
 * How `namespace.set` treats names that exist: `overwrite` replaces, `preserve` keeps existing
 * names, `smart` keeps an existing value when the incoming one is `undefined`/`null` and merges
 * plain objects one level deep.
 */
export type MergeStrategy = 'overwrite' | 'preserve' | 'smart';

/** The page's access to a session's variables (`session.namespace`). */
export interface NamespaceHandle {
  /** A structured clone of the variable's value (undefined when there is no such variable). */
  get(name: string): Promise<unknown>;
  /** Writes variables (values structured-cloned into the session); default strategy `overwrite`. */
  set(values: Record<string, unknown>, options?: { strategy?: MergeStrategy }): Promise<void>;
  /** User variables only (not `_`, not engine internals). */
  list(): Promise<VariableInfo[]>;
  /** True when the variable existed. */
  delete(name: string): Promise<boolean>;
  /** Removes every user variable; engine internals stay. */
  clear(): Promise<void>;
}

/** A variable a snapshot or restore left out, and why. */
export interface SkippedVariable {
  name: string;
  reason: string;
}

/** A saved snapshot. */
export interface SnapshotInfo {
  /** Pass it to `restore()` or `deleteSnapshot()`. */
  id: string;
  sessionId: string;
  /** `Date.now()` when it was saved. */
  createdAt: number;
  /** Estimated size of the saved data. */
  bytes: number;
  /** Names saved. */
  saved: string[];
  /** Names that could not be saved, with the reason. */
  skipped: SkippedVariable[];
}

/** How `session.restore()` treats the variables the session has now. */
export interface RestoreOptions {
  /**
   * `'merge'` (default): the snapshot's names overwrite theirs, every other variable stays.
   * `'replace'`: the namespace is cleared first, so afterwards it holds only what the snapshot
   * held (engine internals are kept). The snapshot is read and checked before anything is cleared.
   */
  mode?: 'merge' | 'replace';
}

/** What a restore brought back. */
export interface RestoreInfo {
  snapshotId: string;
  restored: string[];
  skipped: SkippedVariable[];
}

/** Counters of a session (`session.stats()`). */
export interface SessionStats {
  /** Cells run to completion (any status) since the worker started. */
  executions: number;
  /** The compiled-cell LRU cache. */
  cache: { size: number; capacity: number; hits: number; misses: number };
  /** Times the worker was killed or crashed and the namespace restored. */
  restarts: number;
  /** User variables currently defined. */
  variables: number;
}

/** Why a session restarted its worker. */
export interface RestartDetail {
  reason: 'interrupted' | 'timeout' | 'crashed';
  message?: string;
  /**
   * Variables the restart could not bring back, with the reason: a function or class whose
   * definition ran past its time limit or ended the worker while it was re-created (it is
   * given up on, and the session comes up without it). Absent when everything came back.
   */
  skipped?: SkippedVariable[];
}

/**
 * The events a Session dispatches, by name: `session.addEventListener('snapshot', (e) => e.detail)`
 * is typed by this map.
 */
export interface SessionEventMap {
  /** The session's state changed. */
  state: CustomEvent<SessionState>;
  /** A cell produced output (also delivered to `onOutput`). */
  output: CustomEvent<OutputEvent>;
  /** The worker was killed or died; the namespace was restored from the last checkpoint. */
  restart: CustomEvent<RestartDetail>;
  /** A `persist: true` snapshot was saved. */
  snapshot: CustomEvent<SnapshotInfo>;
  /** A `persist: true` snapshot could not be saved (the live session is untouched). */
  'persist-error': CustomEvent<SnapshotError>;
}
