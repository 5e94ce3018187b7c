/**
 * The wire protocol between a session on the page and its worker. Types only (and the slot
 * numbers of the shared buffer): both sides import this module and nothing else of each other.
 *
 * Two channels, both private to the engine:
 * - the worker's own `postMessage` carries exactly one message, {@link InitMessage};
 * - the session's port carries everything else, in both directions and in order: the page's
 *   Comlink calls ({@link RpcRequest}) and answers to the worker's requests
 *   ({@link HostMessage}), and the worker's replies, output, checkpoints and requests
 *   ({@link WorkerMessage}). One port is one order: a cell's output always arrives before
 *   its result, and its checkpoint before the next cell's result.
 */
import type {
  CellError,
  ExecutionMode,
  ExecutionResult,
  OutputEvent,
  PolicyConfig,
  SkippedVariable,
  VariableInfo,
} from './types.ts';

// ── the shared control buffer ─────────────────────────────────────────────────────

/** Index of each Int32 slot in the session's shared control buffer. */
export const ControlSlot = {
  /** Id of the cell the host wants stopped (0 = none). Compared with the running cell's id, so a stale request never hits a later cell. */
  Interrupt: 0,
  /** Input bridge: one of {@link InputState}. */
  InputState: 1,
  /** Byte length of the answer written into the input buffer. */
  InputLength: 2,
  /**
   * Python sessions: Pyodide's interrupt buffer (`setInterruptBuffer`). Every stop stores SIGINT
   * (2) here besides the cell id in `Interrupt`; Pyodide clears it when it reads it, so the page
   * stores it again every ~20 ms while a Python stop is pending. JavaScript workers ignore it.
   */
  Signal: 3,
} as const;
/** The value a stop stores in `ControlSlot.Signal`. */
export const SIGINT = 2;
export const CONTROL_SLOTS = 4;

/**
 * How long one function or class definition may run while a restore re-creates it (its
 * class body, static blocks, computed keys). Real ones take microseconds; the worker stops a
 * `static { for(;;){} }` at this limit and gives the definition up.
 */
export const RESTORE_TIME_LIMIT_MS = 1_000;

/** Values of the `ControlSlot.InputState` slot. */
export const InputState = {
  Idle: 0,
  Waiting: 1,
  Answered: 2,
  Failed: 3,
  /**
   * A stop arrived while input() waited. The host moves Waiting → Stopping (compare-exchange)
   * before it notifies, so a worker that had announced its input but not yet reached
   * Atomics.wait does not sleep through the stop: its wait returns at once on the changed value.
   */
  Stopping: 4,
} as const;

// ── start-up ──────────────────────────────────────────────────────────────────────

/** The one message on the worker's own `postMessage`: everything the worker needs to start. */
export interface InitMessage {
  type: 'sandcell:init';
  /** The session's port (see the module comment). */
  port: MessagePort;
  /** Absent when the page is not cross-origin isolated (no SharedArrayBuffer). */
  control?: SharedArrayBuffer;
  /** Holds the text of an `input()` answer for the synchronous input path. */
  inputBuffer?: SharedArrayBuffer;
  config: RuntimeConfig;
}

/** What shapes a worker: fixed for its life (see `workerShape` on the host). */
export interface RuntimeConfig {
  sessionId: string;
  policy: PolicyConfig;
  cacheSize: number;
  maxOutputBytes?: number;
  /** Whether `input()` has a host handler to ask (a pooled worker always has one: the bridge answers). */
  hasInput: boolean;
  /** Names callable as `host.<name>()`. */
  capabilities: string[];
  /** A Web Lock the worker holds for its whole life: the host is granted it the moment the worker dies, however it dies. */
  lifeLock?: string;
  /** Python sessions only: the Pyodide runtime, fetched by the page (the worker's opaque origin would need CORS). */
  python?: PythonBoot;
}

/** What a Python worker boots from: Pyodide's files, as the page fetched them from `python.indexURL`. */
export interface PythonBoot {
  /** Absolute, ending in `/`: the URLs Pyodide asks for are served from `files` by the worker. */
  indexURL: string;
  /** File name under `indexURL` → its bytes (`pyodide.asm.wasm`, `python_stdlib.zip`). */
  files: Record<string, ArrayBuffer>;
  /** `pyodide-lock.json`'s text (or `python.lockFileURL`'s). */
  lockFile: string;
  /**
   * Wheels to install before the first cell, by absolute URL, dependencies first (from
   * `python.packages`); their bytes are in `files` under the same URLs.
   */
  packages?: string[];
}

// ── RPC: the calls the page makes (Comlink's wire format) ─────────────────────────

/**
 * A value in Comlink's wire format. The worker sends only `RAW` values and `HANDLER`/`throw`
 * (a thrown error); it accepts only `RAW` arguments.
 */
export type WireValue =
  | { type: 'RAW'; value: unknown }
  | { type: 'HANDLER'; name: 'throw'; value: { isError: true; value: WireError } | { isError: false; value: unknown } };

/**
 * The Comlink requests the worker understands: `APPLY` of a {@link RuntimeApi} method and
 * `RELEASE` of the proxy. Comlink's other types (GET, SET, CONSTRUCT, ENDPOINT) are refused.
 */
export type RpcRequest =
  | { id: string; type: 'APPLY'; path: string[]; argumentList: WireValue[] }
  | { id: string; type: 'RELEASE' };

/** The worker's answer to one {@link RpcRequest}, matched by `id` on the page (by Comlink). */
export type RpcReply = WireValue & { id: string };

/** An error as it crosses the boundary (see `errorToWire`/`errorFromWire` in errors.ts). */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  /** `SnapshotError`'s cause. */
  cause?: string;
}

/** The worker runtime, as the page calls it through Comlink. */
export interface RuntimeApi {
  /** Resolves once the runtime is up. */
  ready(): Promise<{ crossOriginIsolated: boolean }>;
  execute(request: ExecuteRequest): Promise<CellOutcome>;
  /** The mode a cell has (from the compiled-cell cache): the page asks after the hard path took a cell. */
  detectMode(code: string): Promise<ExecutionMode>;
  /** Cooperative stop for a cell that is awaiting (the SharedArrayBuffer flag covers busy code); 0 = clear leftover timers. */
  interrupt(cellId: number): Promise<void>;
  getVariable(name: string): Promise<{ found: boolean; value?: unknown; error?: string }>;
  setVariables(values: Record<string, unknown>, strategy: string): Promise<void>;
  listVariables(): Promise<VariableInfo[]>;
  deleteVariable(name: string): Promise<boolean>;
  clearVariables(): Promise<void>;
  /** `givenUp`: definitions not to run again (a restore before died or stalled in them), reported as skipped. */
  restoreCheckpoint(groups: CheckpointGroup[], givenUp?: SkippedVariable[]): Promise<RestoreReport>;
  /** The whole namespace as a snapshot record, for the page to store (the worker stores nothing). */
  encodeSnapshot(): Promise<EncodedSnapshot>;
  /** Puts a stored record's variables back (merged into the namespace). */
  restoreSnapshot(record: unknown, givenUp?: SkippedVariable[]): Promise<RestoreReport>;
  stats(): Promise<RuntimeStats>;
}

export interface ExecuteRequest {
  cellId: number;
  code: string;
  timeoutMs?: number;
}

/** What the worker reports for one cell; the page adds `restarted`. */
export interface CellOutcome {
  status: ExecutionResult['status'];
  mode: ExecutionMode;
  durationMs: number;
  /** Absent when the value cannot be cloned (then only `repr` describes it). */
  value?: unknown;
  hasValue: boolean;
  repr?: string;
  error?: CellError;
  outputDropped: number;
  /**
   * A `checkpoint` event follows this reply on the same port. The checkpoint is taken after the
   * reply so results never wait for it; a page about to kill the worker waits for it instead,
   * or the variables of this completed cell would be lost to the restart.
   */
  checkpointFollows?: boolean;
}

/** A snapshot record with what the encoder knows about it (stored with it as its info). */
export interface EncodedSnapshot {
  /** The record (lib/snapshot/format.ts), validated again when it is read back. */
  record: unknown;
  saved: string[];
  skipped: SkippedVariable[];
  bytes: number;
}

export interface RuntimeStats {
  executions: number;
  cache: { size: number; capacity: number; hits: number; misses: number };
  variables: number;
}

export interface RestoreReport {
  restored: string[];
  skipped: SkippedVariable[];
}

// ── checkpoints ───────────────────────────────────────────────────────────────────

/** A namespace checkpoint: groups of variables that share no object with another group. */
export interface Checkpoint {
  /** `full` replaces everything held; otherwise the groups replace those holding any of their names. */
  full: boolean;
  /** Names no longer in the namespace. */
  removed: string[];
  groups: CheckpointGroup[];
}

export interface CheckpointGroup {
  names: string[];
  /** A snapshot record (lib/snapshot/format.ts) holding these names. */
  payload: unknown;
}

// ── messages on the session's port ────────────────────────────────────────────────

/** Worker → page, besides RPC replies. */
export type WorkerEvent =
  | { type: 'output'; cellId: number; events: OutputEvent[] }
  /**
   * The worker is about to end itself (a cell called `close()`, or the engine fails closed). Sent
   * because nothing else tells: a worker that closes itself fires no event anywhere, and in an
   * opaque-origin frame there is no Web Lock to watch.
   */
  | { type: 'closing'; reason: string }
  | { type: 'checkpoint'; checkpoint: Checkpoint }
  /**
   * A restore is running the definition of `name` now (null: none). Should the worker die or
   * stall, the page knows which definition to give up on, and restores again without it.
   */
  | { type: 'restoring'; name: string | null }
  /** `sync`: the worker blocks in `Atomics.wait` and reads the answer from the shared buffer (see `FrameMessage`). */
  | { type: 'input-request'; cellId: number; requestId: number; prompt: string; sync: boolean }
  | { type: 'capability-call'; cellId: number; requestId: number; name: string; args: unknown[] };

/** Page → worker, besides RPC requests: answers to the worker's requests. */
export type HostEvent =
  | { type: 'input-reply'; requestId: number; ok: true; text: string }
  | { type: 'input-reply'; requestId: number; ok: false; error: string }
  | { type: 'capability-reply'; requestId: number; ok: true; value: unknown }
  | { type: 'capability-reply'; requestId: number; ok: false; error: WireError };

/** Everything the worker sends on the session's port. */
export type WorkerMessage = RpcReply | WorkerEvent;

/** Everything the page sends on the session's port. */
export type HostMessage = RpcRequest | HostEvent;

// ── the session's frame (sandbox/standard sessions) ───────────────────────────────

/**
 * Page → frame, once, by `window.postMessage` (the frame's origin is opaque: target `'*'`):
 * the worker's code and what its init message carries. The frame makes the shared buffers
 * (a SharedArrayBuffer made by the page cannot be posted into an opaque-origin frame), starts
 * the worker from a blob: URL, and sends it the {@link InitMessage}.
 */
export interface FrameInit {
  type: 'sandcell:frame-init';
  /** The worker bundle, one classic script. */
  workerSource: string;
  /** The session's port, passed on to the worker. */
  port: MessagePort;
  /** The page ↔ frame control channel: {@link FrameReport}s to the page. */
  control: MessagePort;
  /**
   * {@link FrameCommand}s from the page: served by a small worker of the frame that shares its
   * buffers (a stop then waits for no main thread: the frame's answered in ~2 ms, a worker's port
   * in ~0.2 ms, at load 12), or by the frame itself when that worker cannot start.
   */
  commands: MessagePort;
  config: RuntimeConfig;
  /** Make the shared buffers: the page is cross-origin isolated (the frame then is too). */
  shared: boolean;
  /**
   * The Content-Security-Policy the frame puts in force (a meta element) before it starts the
   * worker, which inherits it. A `srcdoc` frame already carries it; a served frame document
   * (the `frameURL` option) gets it this way.
   */
  csp: string;
}

/** Page → frame on the control port: what the page cannot do to shared memory it does not own. */
export type FrameCommand =
  | { type: 'stop'; cellId: number }
  /** The cell's deadline passed by the page's clock: the flag goes to `-cellId` (see lib/executor/interrupt.ts). */
  | { type: 'deadline'; cellId: number }
  | { type: 'input-answer'; ok: boolean; text: string };

/** Frame → page on the control port. */
export type FrameReport =
  /** The boot script runs and has the init message. */
  | { type: 'booted' }
  /** The worker failed: before it answered (`started: false`: it could not start) or after (it crashed). */
  | { type: 'worker-error'; message: string };
