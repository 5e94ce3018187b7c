/**
 * The wire protocol between a Session (page) and its worker. Types only: both sides
 * import this module and nothing else of each other.
 *
 * Three channels, all private to the engine:
 * - the worker's own `postMessage` carries exactly one message, `InitMessage`, host → worker;
 * - `rpcPort` carries Comlink calls to `RuntimeApi`;
 * - `eventPort` carries `WorkerEvent`s worker → host (output batches, checkpoints), and
 *   host → worker answers to input requests.
 */
import type {
  CellError,
  ExecutionMode,
  ExecutionResult,
  PolicyConfig,
  SkippedVariable,
  VariableInfo,
} from './types.ts';

/** Index of each Int32 slot in the session's shared control buffer. */
export enum ControlSlot {
  /** Id of the cell the host wants stopped (0 = none). Compared with the running cell's id, so a stale request never hits a later cell. */
  Interrupt = 0,
  /** Input bridge: 0 idle, 1 waiting for an answer, 2 answered, 3 cancelled. */
  InputState = 1,
  /** Byte length of the answer written into the input buffer. */
  InputLength = 2,
}
export const CONTROL_SLOTS = 4;

/** Values of ControlSlot.InputState. */
export enum InputState {
  Idle = 0,
  Waiting = 1,
  Answered = 2,
  Failed = 3,
}

export interface InitMessage {
  type: 'sandcell:init';
  rpcPort: MessagePort;
  eventPort: MessagePort;
  /** Absent when the page is not cross-origin isolated (no SharedArrayBuffer). */
  control?: SharedArrayBuffer;
  /** Holds the text of an `input()` answer for the synchronous input path. */
  inputBuffer?: SharedArrayBuffer;
  config: RuntimeConfig;
}

export interface RuntimeConfig {
  sessionId: string;
  policy: PolicyConfig;
  cacheSize: number;
  maxOutputBytes?: number;
  hasInput: boolean;
  capabilities: string[];
  /** A Web Lock the worker holds for its whole life: the host is granted it the moment the worker dies, however it dies. */
  lifeLock?: string;
}

export interface ExecuteRequest {
  cellId: number;
  code: string;
  timeoutMs?: number;
}

/** What the worker reports for one cell; the host adds `restarted` and output accounting. */
export interface CellOutcome {
  status: ExecutionResult['status'];
  mode: ExecutionMode;
  durationMs: number;
  value?: unknown;
  hasValue: boolean;
  repr?: string;
  error?: CellError;
  /** Output batches sent for this cell; the host waits for all of them before resolving. */
  batches: number;
  outputDropped: number;
}

/** A namespace checkpoint: groups of variables that share no object with another group. */
export interface Checkpoint {
  /** Names whose groups this checkpoint replaces (dirty names); `full` replaces everything. */
  full: boolean;
  removed: string[];
  groups: CheckpointGroup[];
}

export interface CheckpointGroup {
  names: string[];
  /** Opaque snapshot payload (lib/namespace/snapshot-format) holding these names. */
  payload: unknown;
}

export interface RestoreReport {
  restored: string[];
  skipped: SkippedVariable[];
}

/** The worker runtime, as the host calls it through Comlink. */
export interface RuntimeApi {
  ready(): Promise<{ crossOriginIsolated: boolean }>;
  /** A pooled worker taken by a session: snapshots go under the adopting session's id from now on. */
  setSessionId(id: string): Promise<void>;
  execute(request: ExecuteRequest): Promise<CellOutcome>;
  /** Cooperative stop for a cell that is awaiting (the SharedArrayBuffer flag covers busy code). */
  interrupt(cellId: number): Promise<void>;
  getVariable(name: string): Promise<{ found: boolean; value?: unknown; error?: string }>;
  setVariables(values: Record<string, unknown>, strategy: string): Promise<void>;
  listVariables(): Promise<VariableInfo[]>;
  deleteVariable(name: string): Promise<boolean>;
  clearVariables(): Promise<void>;
  restoreCheckpoint(groups: CheckpointGroup[]): Promise<RestoreReport>;
  snapshot(): Promise<import('./types.ts').SnapshotInfo>;
  /** A `persist: true` snapshot: saved like snapshot(), then the previous persisted one is deleted. */
  persist(): Promise<import('./types.ts').SnapshotInfo>;
  restore(snapshotId?: string): Promise<import('./types.ts').RestoreInfo>;
  stats(): Promise<{
    executions: number;
    cache: { size: number; capacity: number; hits: number; misses: number };
    variables: number;
  }>;
}

/** Worker → host events on `eventPort`. */
export type WorkerEvent =
  | { type: 'started'; cellId: number; mode: ExecutionMode }
  | { type: 'output'; cellId: number; seq: number; events: import('./types.ts').OutputEvent[] }
  | { type: 'checkpoint'; cellId: number; checkpoint: Checkpoint }
  | { type: 'input-request'; cellId: number; requestId: number; prompt: string }
  | { type: 'capability-call'; cellId: number; callId: number; name: string; args: unknown[] };

/** Host → worker messages on `eventPort`. */
export type HostEvent =
  | { type: 'input-reply'; requestId: number; ok: boolean; text?: string; error?: string }
  | {
      type: 'capability-reply';
      callId: number;
      ok: boolean;
      value?: unknown;
      error?: { name: string; message: string };
    };
