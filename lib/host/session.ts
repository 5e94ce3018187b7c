/**
 * The page side of one session: its public API, the queue of cells, stopping a cell (the
 * shared flag, then the hard path: kill and restore) and persist scheduling. The worker over
 * its life — starting it, calls that outlive a restart, replacing it and restoring the
 * checkpoint — is the {@link SessionWorker}'s; one worker's channel and death watch are the
 * {@link WorkerLink}'s.
 */
import type { Remote } from 'comlink';
import { SessionClosedError, SnapshotError } from '../errors.ts';
import type { RuntimeApi, WorkerEvent } from '../protocol.ts';
import { isPythonRecord } from '../snapshot/python-record.ts';
import type {
  ExecuteOptions,
  ExecutionMode,
  ExecutionResult,
  NamespaceHandle,
  OutputEvent,
  RestartDetail,
  RestoreInfo,
  RestoreOptions,
  SessionEventMap,
  SessionLanguage,
  SessionOptions,
  SessionState,
  SessionStats,
  SnapshotInfo,
} from '../types.ts';
import { type CellJob, type HardReason, newCellJob, STOPPED_BEFORE_START } from './cell-job.ts';
import { hardPathResult, toResult } from './cell-result.ts';
import { createNamespaceHandle } from './namespace-handle.ts';
import {
  type HostSideOptions,
  validateExecuteOptions,
  validateRestoreArguments,
  validateSessionOptions,
} from './options.ts';
import { PersistScheduler } from './persist-scheduler.ts';
import { SessionSnapshots } from './session-snapshots.ts';
import { type CallOptions, SessionWorker } from './session-worker.ts';
import { TypedEventTarget } from './typed-event-target.ts';
import { WorkerGoneError } from './worker-link.ts';

const DEFAULT_GRACE_MS = 1000;
/**
 * How often a pending Python stop is stored again: Pyodide clears its interrupt buffer when it
 * reads it, and a cell that could not even call the SIGINT handler (at the recursion limit)
 * would otherwise lose the stop.
 */
const PYTHON_STOP_REPEAT_MS = 20;

/** @internal */
const POOLED = Symbol('sandcell.pooled');

declare global {
  // So the declarations type-check for apps compiled without the ESNext.Disposable lib too
  // (TypeScript merges this with the lib's own declaration where it exists).
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol;
  }
}

/** Set by Session's static block: lets the SessionManager adopt a pooled session without a public method. */
let adoptPooled: (session: Session, options: HostSideOptions) => void;

/**
 * A stateful, stoppable code session running in its own dedicated Web Worker.
 * Create one with {@link createSession} (or a {@link SessionManager}).
 *
 * Events (typed by {@link SessionEventMap}): `state`, `output`, `restart`, `snapshot`, `persist-error`.
 */
export class Session extends TypedEventTarget<SessionEventMap> {
  /** What `restore: true` brought back when the session started (undefined: nothing was saved under this id). */
  restoredOnStart?: RestoreInfo;
  /** Namespace access from the page: read, write, list and delete user variables. */
  readonly namespace: NamespaceHandle;
  /** The language cells are written in. */
  readonly language: SessionLanguage;
  private _id: string;
  /** Started by a SessionManager's pool: input goes through the host bridge, whose onInput is set at adoption. */
  private readonly pooled: boolean;
  private _state: SessionState = 'starting';
  private readonly options: SessionOptions;
  /** The session's worker, replaced on a hard path or a crash. */
  private readonly worker: SessionWorker;
  private readonly queue: CellJob[] = [];
  private running?: CellJob;
  private cellSeq = 0;
  private readonly persistence = new PersistScheduler({
    queueBusy: () => this.queue.length > 0,
    isClosed: () => this.isClosed(),
    save: async () =>
      this.snapshots.persist(await this.call((remote) => remote.encodeSnapshot(), { what: 'persist', retry: true })),
    saved: (info) => this.emit('snapshot', info),
    failed: (error) => this.emit('persist-error', error),
  });
  private closing?: Promise<void>;
  private readonly snapshots = new SessionSnapshots(() => this._id);

  /**
   * Use {@link createSession}: a session made with `new` must be awaited with `ready()` first.
   * @param options as for {@link createSession}.
   */
  constructor(options?: SessionOptions);
  /** @internal A session for a SessionManager's warm pool. */
  constructor(options: SessionOptions, pooled: typeof POOLED);
  constructor(options: SessionOptions = {}, pooled?: typeof POOLED) {
    super();
    this.options = validateSessionOptions(options);
    this.language = this.options.language ?? 'javascript';
    this._id = this.options.id ?? `s-${crypto.randomUUID()}`;
    this.pooled = pooled === POOLED;
    const session = this;
    this.namespace = createNamespaceHandle((fn, what, retry) => this.call(fn, { what, retry }));
    this.worker = new SessionWorker({
      get id() {
        return session._id;
      },
      language: this.language,
      options: this.options,
      pooled: this.pooled,
      isCurrentCell: (cellId) => this.running?.cellId === cellId,
      onEvent: (event) => this.onWorkerEvent(event),
      onCrash: (message) => this.onCrash(message),
      closedError: () => (this.isClosed() ? this.closedError() : undefined),
    });
  }

  /** Stable id; snapshots are stored under it. */
  get id(): string {
    return this._id;
  }

  /** Lifecycle: starting → idle ⇄ busy → interrupting → restarting → idle; closed at the end. */
  get state(): SessionState {
    return this._state;
  }

  /** True when the SharedArrayBuffer interrupt path (and synchronous `input()`) is active. */
  get crossOriginIsolated(): boolean {
    return this.worker.crossOriginIsolated;
  }

  /** Resolves when the worker is up (and, with `restore: true`, the snapshot is back). */
  async ready(): Promise<this> {
    await this.worker.ready;
    if (this.options.restore) {
      try {
        this.restoredOnStart = await this.restoreFromStore();
      } catch (error) {
        // Nothing saved yet under this id is a fresh start, not a failure.
        if (!(error instanceof SnapshotError && error.cause === 'not-found')) throw error;
      }
    }
    if (this._state === 'starting') this.setState('idle');
    return this;
  }

  /**
   * Runs a cell after the cells queued before it.
   * @param code JavaScript source of the cell.
   * @param options a time limit, an AbortSignal, an output callback for this cell only.
   * @returns the outcome, for every outcome of the user's code (errors, interrupts, time-outs included).
   * @throws {TypeError} when `code` is not a string or an option is invalid.
   * @throws {SessionClosedError} when the session is (or gets) closed.
   */
  execute(code: string, options?: ExecuteOptions): Promise<ExecutionResult> {
    if (typeof code !== 'string') {
      return Promise.reject(
        new TypeError(
          `[sandcell] execute(code) needs a string of ${this.language === 'python' ? 'Python' : 'JavaScript'}, got ${code === null ? 'null' : typeof code}`,
        ),
      );
    }
    let opts: ExecuteOptions;
    try {
      opts = validateExecuteOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this._state === 'closed') return Promise.reject(this.closedError());
    return new Promise<ExecutionResult>((resolve, reject) => {
      const job = newCellJob(code, opts, resolve, reject, (aborted) => this.abortJob(aborted));
      if (!job) return resolve({ ...STOPPED_BEFORE_START });
      this.queue.push(job);
      void this.pump();
    });
  }

  /**
   * Stops the running cell (queued cells still run). With nothing running, clears the timers
   * and intervals that finished cells left behind.
   * @returns a promise that resolves once the running cell has settled.
   */
  async interrupt(): Promise<void> {
    const job = this.running;
    if (this._state === 'closed') return;
    if (!job) {
      await this.call((remote) => remote.interrupt(0), { what: 'interrupt', retry: true });
      return;
    }
    this.stopJob(job, 'interrupted');
    await job.settled;
  }

  /**
   * Saves the namespace to IndexedDB under this session's id.
   * @returns what was saved, and what was skipped with the reason.
   * @throws {SnapshotError} when it cannot be saved (the live session is untouched).
   */
  async snapshot(): Promise<SnapshotInfo> {
    const encoded = await this.call((remote) => remote.encodeSnapshot(), { what: 'snapshot()', retry: true });
    return this.snapshots.save(encoded);
  }

  /**
   * Brings back a snapshot: merged into the current variables by default (names it holds are
   * overwritten, the rest stay), or in place of them with `{ mode: 'replace' }`.
   * @param snapshotId default: the latest snapshot of this session's id.
   * @param options `mode`: `'merge'` (default) or `'replace'`.
   * @throws {SnapshotError} when it cannot be read (not found, corrupt, IndexedDB unavailable);
   *   nothing is cleared then, even in replace mode.
   */
  async restore(snapshotId?: string, options?: RestoreOptions): Promise<RestoreInfo> {
    const mode = validateRestoreArguments(snapshotId, options);
    return this.restoreFromStore(snapshotId, mode);
  }

  private async restoreFromStore(snapshotId?: string, mode: 'merge' | 'replace' = 'merge'): Promise<RestoreInfo> {
    const { info, payload } = await this.snapshots.load(snapshotId);
    const savedBy: SessionLanguage = isPythonRecord(payload) ? 'python' : 'javascript';
    if (savedBy !== this.language) {
      throw new SnapshotError(
        `[sandcell] snapshot ${info.id} was saved by a ${savedBy} session and cannot be restored into a ${this.language} session`,
        'corrupt',
      );
    }
    if (mode === 'replace') await this.call((remote) => remote.clearVariables(), { what: 'restore()', retry: true });
    const report = await this.worker.restoreSnapshot(payload);
    return { snapshotId: info.id, restored: report.restored, skipped: report.skipped };
  }

  /** Counters: executions, compiled-cell cache, restarts, variables. */
  async stats(): Promise<SessionStats> {
    const s = await this.call((remote) => remote.stats(), { what: 'stats()', retry: true });
    return { ...s, restarts: this.worker.restarts };
  }

  /** Terminates the worker; queued and later calls reject with SessionClosedError. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      const error = this.closedError();
      this.setState('closed');
      const pending = [...this.queue];
      this.queue.length = 0;
      for (const job of pending) this.settleJob(job, undefined, error);
      if (this.running) this.settleJob(this.running, undefined, error);
      this.worker.dispose();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ── the pool ────────────────────────────────────────────────────────────────────

  /**
   * A pooled session (started with a manager's defaults) takes the id and the host-side options
   * of a `create()` call. Options that shape the worker must already match (see `workerShape`).
   */
  private adopt(options: HostSideOptions): void {
    if (options.id !== undefined) this._id = options.id;
    // Mutated in place: the host bridge reads onInput and capabilities from this same object.
    const target = this.options as Record<string, unknown>;
    for (const [key, value] of Object.entries(options)) if (key !== 'id' && value !== undefined) target[key] = value;
  }

  static {
    adoptPooled = (session, options) => session.adopt(options);
  }

  private onCrash(message: string): void {
    if (this._state === 'closed') return;
    const job = this.running;
    if (job?.finishHard) {
      job.finishHard('crashed', message);
      return;
    }
    // Died between cells: come back quietly with the checkpointed namespace.
    this.setState('restarting');
    void this.worker.replace(this.worker.link).then(
      () => {
        this.emit('restart', this.restartDetail('crashed', message));
        if (!this.running) this.setState('idle');
      },
      (error: unknown) => {
        // The new worker could not start: said here, as the next call will say it (it rejects with the cause).
        if (this.isClosed()) return;
        const cause = error instanceof Error ? error.message.replace(/^\[sandcell\] /, '') : String(error);
        this.emit('restart', { reason: 'crashed', message: `${message}; then ${cause}` });
      },
    );
  }

  private restartDetail(reason: HardReason, message?: string): RestartDetail {
    const detail: RestartDetail = { reason, message };
    const skipped = this.worker.restartSkipped;
    if (skipped.length > 0) detail.skipped = skipped;
    return detail;
  }

  // ── the queue ───────────────────────────────────────────────────────────────────

  private async pump(): Promise<void> {
    if (this.running || this._state === 'closed') return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    try {
      await this.runJob(job);
    } catch (error) {
      this.settleJob(job, undefined, error);
    } finally {
      // settleJob already let go of the job; a cell queued since may be running by now.
      if (this.running === job) this.running = undefined;
      if (!this.isClosed() && !this.running) {
        if (this._state !== 'starting') this.setState('idle');
        void this.pump();
      }
    }
  }

  private async runJob(job: CellJob): Promise<void> {
    try {
      await this.worker.ready;
      if (this._state === 'starting') await this.ready();
    } catch (error) {
      if (this.isClosed()) throw this.closedError();
      throw error;
    }
    if (this.isClosed()) throw this.closedError();
    const cellId = ++this.cellSeq;
    job.cellId = cellId;
    this.setState('busy');
    const started = performance.now();
    const timeoutMs = job.options.timeoutMs ?? this.options.timeoutMs;
    const grace = this.options.interruptGraceMs ?? DEFAULT_GRACE_MS;
    const hard = new Promise<{ reason: HardReason; message?: string }>((resolve) => {
      job.finishHard = (reason, message) => resolve({ reason, message });
    });
    // The worker enforces timeoutMs itself; this watchdog is for code that escapes it.
    const watchdog =
      timeoutMs !== undefined ? setTimeout(() => this.stopJob(job, 'timeout', 0), timeoutMs + grace) : undefined;
    const link = this.worker.link;
    // A Python worker is busy while its cell runs: the page raises the stop at the deadline. A
    // JavaScript worker with shared memory has loops that only load the flag: the page says when
    // the deadline passed and the worker, by its own clock, stops the cell.
    const deadline =
      timeoutMs === undefined
        ? undefined
        : this.language === 'python'
          ? setTimeout(() => this.stopJob(job, 'timeout'), timeoutMs)
          : link.isolated
            ? setTimeout(() => link.markDeadline(cellId), timeoutMs)
            : undefined;
    // A stop asked for while the job was still waiting for the worker applies now.
    if (job.pendingStop) this.stopJob(job, job.pendingStop);
    try {
      const first = await Promise.race([
        link
          .call((remote) => remote.execute({ cellId, code: job.code, timeoutMs }))
          .then(
            (outcome) => ({ outcome }),
            // The worker went away under the cell: the hard path below (finishHard) decides the result.
            (error) => (error instanceof WorkerGoneError ? hard.then((h) => ({ hard: h })) : Promise.reject(error)),
          ),
        hard.then((h) => ({ hard: h })),
      ]);
      if ('outcome' in first) {
        job.finishHard = undefined;
        if (first.outcome.checkpointFollows) this.worker.checkpoint.expect();
        // One port carries output and replies in order: every output event of the cell is already delivered.
        const result = toResult(first.outcome);
        if (result.status === 'interrupted' && job.stopReason === 'timeout') result.status = 'timeout';
        this.settleJob(job, result);
        if (this.options.persist) this.persistence.schedule();
        return;
      }
      const { reason, message } = first.hard;
      // A crashed worker sends nothing more; a live one has the last completed cell's checkpoint in flight.
      if (reason !== 'crashed') await this.worker.checkpoint.arrived();
      this.setState('restarting');
      await this.worker.replace(link);
      // The page never learnt the cell's mode from the worker it killed: the new worker's parser says.
      const mode = await this.worker.link
        .call((remote) => remote.detectMode(job.code))
        .catch((): ExecutionMode => 'sync');
      const result = hardPathResult(reason, mode, performance.now() - started, message);
      this.settleJob(job, result);
      this.emit('restart', this.restartDetail(reason, message));
    } finally {
      if (watchdog !== undefined) clearTimeout(watchdog);
      if (deadline !== undefined) clearTimeout(deadline);
      job.finishHard = undefined;
    }
  }

  /** Asks the running cell to stop: the shared flag and a message, then the hard path after the grace. */
  private stopJob(job: CellJob, reason: 'interrupted' | 'timeout', graceOverride?: number): void {
    if (this.running !== job) return;
    if (!job.finishHard) {
      job.pendingStop = reason;
      return;
    }
    if (this._state === 'busy') this.setState('interrupting');
    const firstStop = job.stopReason === undefined;
    job.stopReason ??= reason;
    const grace = graceOverride ?? this.options.interruptGraceMs ?? DEFAULT_GRACE_MS;
    const link = this.worker.link;
    if (!link.requestStop(job.cellId)) {
      // No SharedArrayBuffer: a busy worker cannot see any request, so stopping means the hard path.
      job.finishHard(reason);
      return;
    }
    if (this.language === 'python' && firstStop) {
      const repeat = setInterval(() => link.requestStop(job.cellId), PYTHON_STOP_REPEAT_MS);
      void job.settled.then(() => clearInterval(repeat));
    }
    link.call((remote) => remote.interrupt(job.cellId)).catch(() => {});
    if (grace === 0) {
      job.finishHard(reason);
      return;
    }
    const timer = setTimeout(() => job.finishHard?.(reason), grace);
    void job.settled.then(() => clearTimeout(timer));
  }

  private abortJob(job: CellJob): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settleJob(job, { ...STOPPED_BEFORE_START });
    } else if (this.running === job) {
      this.stopJob(job, 'interrupted');
    }
  }

  private settleJob(job: CellJob, result?: ExecutionResult, error?: unknown): void {
    job.removeAbortListener?.();
    // Idle before the caller hears the result, so a state read right after `await execute()` is current.
    if (job === this.running && this.queue.length === 0 && !this.isClosed() && this._state !== 'starting')
      this.setState('idle');
    // The caller may queue the next cell and interrupt() it as soon as it hears this result:
    // that must reach the new cell, not this settled one, so the job stops being the running one now.
    if (job === this.running) this.running = undefined;
    if (error !== undefined) job.reject(error);
    else if (result) job.resolve(result);
    job.markSettled();
    if (!this.running && this.queue.length > 0 && !this.isClosed()) void this.pump();
  }

  // ── events from the worker ──────────────────────────────────────────────────────

  /** Output of the current worker (its checkpoints, input and capability calls are the SessionWorker's). */
  private onWorkerEvent(event: WorkerEvent): void {
    if (event.type === 'output') this.onOutput(event.cellId, event.events);
  }

  private onOutput(cellId: number, events: OutputEvent[]): void {
    if (!Array.isArray(events)) return;
    const job = this.running?.cellId === cellId ? this.running : undefined;
    for (const event of events) {
      if (!event || typeof event !== 'object') continue;
      job?.options.onOutput?.(event);
      this.options.onOutput?.(event);
      this.emit('output', event);
    }
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────

  private setState(state: SessionState): void {
    if (this._state === state || this._state === 'closed') return;
    this._state = state;
    this.emit('state', state);
  }

  /** A fresh read of the state (TypeScript narrows `_state` across awaits otherwise). */
  private isClosed(): boolean {
    return this._state === 'closed';
  }

  private closedError(): SessionClosedError {
    return new SessionClosedError(`[sandcell] session ${this.id} is closed; create a new session to run more code`);
  }

  /** A call to the worker (see {@link SessionWorker.call}). */
  private call<T>(fn: (remote: Remote<RuntimeApi>) => Promise<T>, options: CallOptions): Promise<T> {
    return this.worker.call(fn, options);
  }
}

/** @internal For SessionManager: starts a session for the warm pool (input is answered through the bridge). */
export function startPooledSession(defaults: SessionOptions): Session {
  return new Session(defaults, POOLED);
}

/** @internal For SessionManager: hands a pooled session to a `create()` call. */
export function adoptSession(session: Session, options: HostSideOptions): void {
  adoptPooled(session, options);
}

/**
 * Opens a session: starts its worker and resolves once it is ready for a first cell.
 * @param options policy, time limits, persistence, output/input handlers, capabilities (see {@link SessionOptions}).
 * @returns the session, ready for a first cell (with `restore: true`, after the snapshot is back).
 * @throws {TypeError} for invalid options (naming the option and the value).
 * @throws {SandcellError} when the worker cannot start (the message says why and what to do).
 */
export async function createSession(options?: SessionOptions): Promise<Session> {
  const session = new Session(options);
  try {
    return await session.ready();
  } catch (error) {
    await session.close();
    throw error;
  }
}
