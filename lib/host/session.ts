/**
 * The page side of one session: its public API, the queue of cells, stopping a cell (the
 * shared flag, then kill and restore), persist scheduling, and the checkpoint the worker
 * sends after each cell so a killed or crashed worker comes back with the user's variables.
 * The worker itself, its channel and its death watch are the {@link WorkerLink}'s.
 */
import type { Remote } from 'comlink';
import { SandcellError, SessionClosedError, SnapshotError } from '../errors.ts';
import { describeValue } from '../namespace/describe-value.ts';
import type { CheckpointGroup, RestoreReport, RuntimeApi, WorkerEvent } from '../protocol.ts';
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
  SkippedVariable,
  SnapshotInfo,
} from '../types.ts';
import { fromWorker, toResult } from './cell-result.ts';
import { CheckpointKeeper } from './checkpoint-keeper.ts';
import { type HostBridge, startHostBridge } from './host-bridge.ts';
import { javascriptWorkerSource } from './hosting/worker-source.ts';
import { createNamespaceHandle } from './namespace-handle.ts';
import { type HostSideOptions, resolvePolicy, validateExecuteOptions, validateSessionOptions } from './options.ts';
import { PersistScheduler } from './persist-scheduler.ts';
import { resolvePythonIndexURL } from './python-location.ts';
import { MAX_RESTORE_ATTEMPTS, RestoreWatch, stalledIn } from './restore-watch.ts';
import { SessionSnapshots } from './session-snapshots.ts';
import { WorkerGoneError, WorkerLink } from './worker-link.ts';

const DEFAULT_GRACE_MS = 1000;
const DEFAULT_CACHE_SIZE = 100;
/**
 * How often a pending Python stop is stored again: Pyodide clears its interrupt buffer when it
 * reads it, and a cell that could not even call the SIGINT handler (at the recursion limit)
 * would otherwise lose the stop.
 */
const PYTHON_STOP_REPEAT_MS = 20;

type HardReason = 'interrupted' | 'timeout' | 'crashed';

interface Job {
  code: string;
  options: ExecuteOptions;
  resolve: (result: ExecutionResult) => void;
  reject: (error: unknown) => void;
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

/** A call to the worker: whether it may simply run again on a new worker if the current one dies under it. */
interface CallOptions {
  /** What the call is, for the error when it cannot be retried. */
  what: string;
  /** Safe to repeat: it only reads, or writes what it would write again. */
  retry: boolean;
}

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
export class Session extends EventTarget {
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
  private _isolated: boolean;
  private readonly options: SessionOptions;
  private link!: WorkerLink;
  private bridge!: HostBridge;
  private linkReady!: Promise<void>;
  private readonly queue: Job[] = [];
  private running?: Job;
  private cellSeq = 0;
  private restarts = 0;
  private readonly checkpoint = new CheckpointKeeper();
  /** What the last restart could not restore, with the reason (on the `restart` event). */
  private restartSkipped: SkippedVariable[] = [];
  /** The restore running on a worker now: its death is the restore's to handle, not a crash. */
  private restoreWatch?: { link: WorkerLink; watch: RestoreWatch };
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
    this._isolated = typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true;
    this.namespace = createNamespaceHandle((fn, what, retry) => this.call(fn, { what, retry }));
    this.linkReady = this.startWorker();
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
    return this._isolated;
  }

  /** Resolves when the worker is up (and, with `restore: true`, the snapshot is back). */
  async ready(): Promise<this> {
    await this.linkReady;
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
      let markSettled!: () => void;
      const settled = new Promise<void>((r) => (markSettled = r));
      const job: Job = { code, options: opts, resolve, reject, cellId: 0, settled, markSettled };
      if (opts.signal) {
        if (opts.signal.aborted) {
          resolve({ status: 'interrupted', mode: 'sync', durationMs: 0 });
          return;
        }
        const onAbort = () => this.abortJob(job);
        opts.signal.addEventListener('abort', onAbort, { once: true });
        job.removeAbortListener = () => opts.signal?.removeEventListener('abort', onAbort);
      }
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
    if (snapshotId !== undefined && (typeof snapshotId !== 'string' || snapshotId === '')) {
      throw new TypeError(
        `[sandcell] restore(snapshotId) needs a snapshot id string, got ${describeValue(snapshotId)}`,
      );
    }
    const mode = options?.mode ?? 'merge';
    if (options !== undefined && (typeof options !== 'object' || options === null))
      throw new TypeError(
        `[sandcell] restore(snapshotId, options) needs an options object, got ${describeValue(options)}`,
      );
    if (mode !== 'merge' && mode !== 'replace')
      throw new TypeError(`[sandcell] restore() mode must be 'merge' or 'replace', got ${describeValue(mode)}`);
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
    const report = await this.restoreSnapshotOnWorker(payload);
    return { snapshotId: info.id, restored: report.restored, skipped: report.skipped };
  }

  /**
   * Puts a snapshot record into the current worker. A definition that ends or stalls the worker
   * is given up on: the worker is replaced (with the checkpoint, as any restart) and the record
   * restored again without it. A worker replaced for another reason (a cell's hard path) just
   * gets the record again.
   */
  private async restoreSnapshotOnWorker(payload: unknown): Promise<RestoreReport> {
    const givenUp: SkippedVariable[] = [];
    for (let attempt = 1; ; ) {
      if (this.isClosed()) throw this.closedError();
      await this.linkReady;
      if (this.isClosed()) throw this.closedError();
      const outcome = await this.watchedRestore((remote) => remote.restoreSnapshot(payload, givenUp));
      if ('report' in outcome) return outcome.report;
      if (this.isClosed()) throw this.closedError();
      if (this.link !== outcome.link) continue;
      if (attempt >= MAX_RESTORE_ATTEMPTS) {
        this.onCrash(outcome.message);
        throw new SandcellError(
          `[sandcell] restore() gave up: ${attempt} workers in a row ended or stalled while restoring the snapshot (last: ${outcome.message}); the session restarted with its variables from before restore()`,
        );
      }
      attempt++;
      if (outcome.givenUp) givenUp.push(outcome.givenUp);
      // The worker is gone or stuck: replaced the way a crash between cells is (a running cell ends as crashed).
      this.onCrash(outcome.message);
      await this.replaceWorker(outcome.link);
    }
  }

  /** Counters: executions, compiled-cell cache, restarts, variables. */
  async stats(): Promise<SessionStats> {
    const s = await this.call((remote) => remote.stats(), { what: 'stats()', retry: true });
    return { ...s, restarts: this.restarts };
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
      this.bridge?.dispose();
      this.link?.dispose();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ── typed events ────────────────────────────────────────────────────────────────

  override addEventListener<K extends keyof SessionEventMap>(
    type: K,
    listener: ((event: SessionEventMap[K]) => void) | { handleEvent(event: SessionEventMap[K]): void } | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
  }

  override removeEventListener<K extends keyof SessionEventMap>(
    type: K,
    listener: ((event: SessionEventMap[K]) => void) | { handleEvent(event: SessionEventMap[K]): void } | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
  override removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void {
    super.removeEventListener(type, listener, options);
  }

  private emit<K extends keyof SessionEventMap & string>(type: K, detail: SessionEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
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

  // ── worker lifecycle ────────────────────────────────────────────────────────────

  /** Starts a worker (a new link), and resolves once it answers. */
  private async startWorker(): Promise<void> {
    const python = this.language === 'python';
    const indexURL = python ? resolvePythonIndexURL(this.options.python?.indexURL) : undefined;
    const link = new WorkerLink({
      name: `sandcell:${this.id}`,
      source: python ? () => import('./python-files.ts').then((m) => m.pythonWorkerSource()) : javascriptWorkerSource,
      loadConfig: indexURL
        ? () => import('./python-files.ts').then(async (m) => ({ python: await m.pythonRuntimeFiles(indexURL) }))
        : undefined,
      isolated: this._isolated,
      frameURL: this.options.frameURL,
      config: {
        sessionId: this.id,
        policy: resolvePolicy(this.options.policy),
        cacheSize: this.options.cacheSize ?? DEFAULT_CACHE_SIZE,
        maxOutputBytes: this.options.maxOutputBytes,
        // A pooled worker learns its onInput only at adoption; without one, the bridge answers with a clear error.
        hasInput: this.pooled || typeof this.options.onInput === 'function',
        capabilities: Object.keys(this.options.capabilities ?? {}),
      },
      onEvent: (event) => {
        if (link === this.link) this.onWorkerEvent(event);
      },
      onDeath: (message) => {
        // A worker that dies in a restore is the restore's to handle (it gives up on the definition that did it).
        if (link === this.link && this.restoreWatch?.link !== link) this.onCrash(message);
      },
    });
    this.link = link;
    this.bridge = startHostBridge({
      channel: link,
      options: this.options,
      isCurrentCell: (cellId) => this.running?.cellId === cellId,
    });
    const { crossOriginIsolated } = await link.ready;
    this._isolated = this._isolated && crossOriginIsolated;
  }

  /**
   * Kills `link`'s worker, starts a new one and restores the checkpoint; calls wait for all of
   * it. Once per link, however many ask (a cell's hard path and a restore that ended the worker).
   */
  private replaceWorker(link: WorkerLink): Promise<void> {
    if (this.link !== link) return this.linkReady;
    this.bridge.dispose();
    this.link.dispose();
    this.restarts++;
    this.linkReady = this.startRestoring(this.checkpoint.groups);
    return this.linkReady;
  }

  /**
   * Starts a worker and brings the checkpoint back on it. A definition that ends or stalls the
   * worker is given up on, and a new worker restores without it; after MAX_RESTORE_ATTEMPTS
   * the session comes up empty. It always comes up: `restartSkipped` says what was left out.
   */
  private async startRestoring(checkpoint: CheckpointGroup[]): Promise<void> {
    this.restartSkipped = [];
    const givenUp: SkippedVariable[] = [];
    for (let attempt = 1; ; attempt++) {
      await this.startWorker();
      if (checkpoint.length === 0) return;
      const outcome = await this.watchedRestore((remote) => remote.restoreCheckpoint(checkpoint, givenUp));
      if ('report' in outcome) {
        this.restartSkipped = outcome.report.skipped;
        return;
      }
      if (this.isClosed()) throw this.closedError();
      if (outcome.givenUp) givenUp.push(outcome.givenUp);
      this.bridge.dispose();
      this.link.dispose();
      if (attempt >= MAX_RESTORE_ATTEMPTS) {
        const reason = `the restart gave up restoring: ${attempt} workers in a row ended or stalled while restoring (last: ${outcome.message})`;
        const given = new Map(givenUp.map((g) => [g.name, g.reason]));
        this.restartSkipped = [...new Set(checkpoint.flatMap((group) => group.names))].map((name) => ({
          name,
          reason: given.get(name) ?? reason,
        }));
        // The namespace is empty now: the next checkpoint must not be merged onto the old one.
        this.checkpoint.groups = [];
        await this.startWorker();
        return;
      }
    }
  }

  /**
   * Runs a restore on the current worker, watching which definition it runs. When the worker
   * dies or stalls, says which definition to give up on (if it was in one).
   */
  private async watchedRestore(
    run: (remote: Remote<RuntimeApi>) => Promise<RestoreReport>,
  ): Promise<{ report: RestoreReport } | { givenUp?: SkippedVariable; message: string; link: WorkerLink }> {
    const link = this.link;
    const watch = new RestoreWatch();
    this.restoreWatch = { link, watch };
    try {
      return await Promise.race([
        link.call(run).then((report) => ({ report })),
        watch.stalled.then((name) => {
          const givenUp = stalledIn(name);
          return { givenUp, message: `it stalled restoring ${name}`, link };
        }),
      ]);
    } catch (error) {
      if (!(error instanceof WorkerGoneError)) throw fromWorker(error);
      const message = error.message.replace(/^\[sandcell\] /, '');
      return { givenUp: watch.diedIn(message), message, link };
    } finally {
      watch.dispose();
      if (this.restoreWatch?.watch === watch) this.restoreWatch = undefined;
    }
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
    void this.replaceWorker(this.link).then(
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
    if (this.restartSkipped.length > 0) detail.skipped = this.restartSkipped;
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

  private async runJob(job: Job): Promise<void> {
    try {
      await this.linkReady;
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
    // A Python worker is busy while its cell runs: the page raises the stop at the deadline.
    const deadline =
      timeoutMs !== undefined && this.language === 'python'
        ? setTimeout(() => this.stopJob(job, 'timeout'), timeoutMs)
        : undefined;
    const link = this.link;
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
        if (first.outcome.checkpointFollows) this.checkpoint.expect();
        // One port carries output and replies in order: every output event of the cell is already delivered.
        const result = toResult(first.outcome);
        if (result.status === 'interrupted' && job.stopReason === 'timeout') result.status = 'timeout';
        this.settleJob(job, result);
        if (this.options.persist) this.persistence.schedule();
        return;
      }
      const { reason, message } = first.hard;
      // A crashed worker sends nothing more; a live one has the last completed cell's checkpoint in flight.
      if (reason !== 'crashed') await this.checkpoint.arrived();
      this.setState('restarting');
      await this.replaceWorker(link);
      // The page never learnt the cell's mode from the worker it killed: the new worker's parser says.
      const mode = await this.link.call((remote) => remote.detectMode(job.code)).catch((): ExecutionMode => 'sync');
      const result: ExecutionResult = {
        status: reason === 'crashed' ? 'error' : reason,
        mode,
        durationMs: performance.now() - started,
        restarted: true,
      };
      if (reason === 'crashed') {
        result.error = {
          name: 'WorkerCrash',
          message: `[sandcell] ${message ?? 'the worker crashed'}; the session restarted with the variables of the last completed cell`,
        };
      }
      this.settleJob(job, result);
      this.emit('restart', this.restartDetail(reason, message));
    } finally {
      if (watchdog !== undefined) clearTimeout(watchdog);
      if (deadline !== undefined) clearTimeout(deadline);
      job.finishHard = undefined;
    }
  }

  /** Asks the running cell to stop: the shared flag and a message, then the hard path after the grace. */
  private stopJob(job: Job, reason: 'interrupted' | 'timeout', graceOverride?: number): void {
    if (this.running !== job) return;
    if (!job.finishHard) {
      job.pendingStop = reason;
      return;
    }
    if (this._state === 'busy') this.setState('interrupting');
    const firstStop = job.stopReason === undefined;
    job.stopReason ??= reason;
    const grace = graceOverride ?? this.options.interruptGraceMs ?? DEFAULT_GRACE_MS;
    const link = this.link;
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

  private abortJob(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settleJob(job, { status: 'interrupted', mode: 'sync', durationMs: 0 });
    } else if (this.running === job) {
      this.stopJob(job, 'interrupted');
    }
  }

  private settleJob(job: Job, result?: ExecutionResult, error?: unknown): void {
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

  private onWorkerEvent(event: WorkerEvent): void {
    switch (event.type) {
      case 'output':
        this.onOutput(event.cellId, event.events);
        return;
      case 'checkpoint':
        this.checkpoint.receive(event.checkpoint);
        return;
      case 'input-request':
      case 'capability-call':
        this.bridge.handle(event);
        return;
      case 'restoring':
        this.restoreWatch?.watch.progress(event.name);
        return;
    }
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

  /**
   * Runs a call on the session's current worker, waiting out a start or restart. A call the
   * worker's death cuts short runs again on the new worker when it is safe to repeat, else it
   * rejects with a SandcellError saying so; errors from the worker come back as the SDK's classes.
   */
  private async call<T>(fn: (remote: Remote<RuntimeApi>) => Promise<T>, options: CallOptions): Promise<T> {
    for (;;) {
      if (this.isClosed()) throw this.closedError();
      await this.linkReady;
      if (this.isClosed()) throw this.closedError();
      const link = this.link;
      try {
        return await link.call(fn);
      } catch (error) {
        if (!(error instanceof WorkerGoneError)) throw fromWorker(error);
        if (this.isClosed()) throw this.closedError();
        if (!options.retry) {
          throw new SandcellError(
            `[sandcell] the session's worker restarted while ${options.what} was in flight; it may or may not have taken effect — check and call it again`,
          );
        }
        // A dead link is replaced (synchronously) before its calls hear of its end; the loop waits for the new one.
        if (this.link === link)
          throw new SandcellError(`[sandcell] the session's worker is gone; ${options.what} did not run`);
      }
    }
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
