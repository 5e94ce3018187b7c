/**
 * The page side of one session: owns the worker, queues cells, stops them (flag, then
 * kill and restore), routes output, and keeps the checkpoint the worker sends after
 * each cell so a killed or crashed worker comes back with the user's variables.
 */
import * as Comlink from 'comlink';
import { SessionClosedError, SnapshotError } from '../errors.ts';
import {
  type CellOutcome,
  type CheckpointGroup,
  CONTROL_SLOTS,
  ControlSlot,
  type InitMessage,
  type RuntimeApi,
  type WorkerEvent,
} from '../protocol.ts';
import type {
  ExecuteOptions,
  ExecutionMode,
  ExecutionResult,
  NamespaceHandle,
  OutputEvent,
  RestoreInfo,
  SessionOptions,
  SessionState,
  SessionStats,
  SnapshotInfo,
} from '../types.ts';
import { type HostBridge, startHostBridge } from './host-bridge.ts';
import { createNamespaceHandle } from './namespace-handle.ts';
import { resolvePolicy, validateExecuteOptions, validateSessionOptions } from './options.ts';
import { spawnWorker } from './worker-factory.ts';

const DEFAULT_GRACE_MS = 1000;
const DEFAULT_CACHE_SIZE = 100;
const INPUT_BUFFER_BYTES = 1 << 20;

type HardReason = 'interrupted' | 'timeout' | 'crashed';

/** Options a running worker can take on without a restart (see {@link Session.adopt}). */
export type HostSideOptions = Pick<
  SessionOptions,
  'id' | 'onOutput' | 'onInput' | 'timeoutMs' | 'interruptGraceMs' | 'persist' | 'restore' | 'capabilities'
>;

interface Job {
  code: string;
  options: ExecuteOptions;
  resolve: (result: ExecutionResult) => void;
  reject: (error: unknown) => void;
  cellId: number;
  mode: ExecutionMode;
  /** Set when a hard restart or crash decides the cell's outcome instead of the worker. */
  finishHard?: (reason: HardReason, message?: string) => void;
  /** A stop that arrived before the cell was sent to the worker. */
  pendingStop?: 'interrupted' | 'timeout';
  settled: Promise<void>;
  markSettled: () => void;
  removeAbortListener?: () => void;
}

/** One running worker and the channels to it; replaced whole on restart. */
interface WorkerLink {
  worker: Worker;
  remote: Comlink.Remote<RuntimeApi>;
  rpcPort: MessagePort;
  events: MessagePort;
  bridge: HostBridge;
  /** Cancels the host's wait on the worker's life lock when the host itself ends the worker. */
  lifeWatch: AbortController;
  dead: boolean;
}

interface OutputRoute {
  received: number;
  expected?: number;
  onOutput?: (event: OutputEvent) => void;
  done?: () => void;
}

function randomId(): string {
  return `s-${crypto.randomUUID()}`;
}

/**
 * A stateful, stoppable code session running in its own dedicated Web Worker.
 * Create one with {@link createSession}.
 */
export class Session extends EventTarget {
  /** What `restore: true` brought back when the session started (undefined: nothing was saved under this id). */
  restoredOnStart?: RestoreInfo;
  /** Stable id; snapshots are stored under it. */
  get id(): string {
    return this._id;
  }
  /** Settable only by {@link Session.adopt}: a pooled session takes its id when a manager hands it out. */
  private _id: string;
  /** Started by a SessionManager's pool: input goes through the host bridge, whose onInput is set at adoption. */
  private readonly pooled: boolean;
  /** Namespace access from the host: read, write, list and delete user variables. */
  readonly namespace: NamespaceHandle;
  private _state: SessionState = 'starting';
  private _isolated: boolean;
  private readonly options: SessionOptions;
  private readonly control?: Int32Array;
  private readonly controlBuffer?: SharedArrayBuffer;
  private readonly inputBuffer?: SharedArrayBuffer;
  private link!: WorkerLink;
  private linkReady!: Promise<void>;
  private readonly queue: Job[] = [];
  private running?: Job;
  private cellSeq = 0;
  private generation = 0;
  private restarts = 0;
  private checkpoint: CheckpointGroup[] = [];
  private readonly routes = new Map<number, OutputRoute>();
  private persistDirty = false;
  private persistInFlight = false;
  private closing?: Promise<void>;

  /** @internal Use {@link createSession}. */
  constructor(options: SessionOptions = {}, internal: { pooled?: boolean } = {}) {
    super();
    this.options = validateSessionOptions(options);
    this._id = options.id ?? randomId();
    this.pooled = internal.pooled === true;
    this._isolated = typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true;
    if (this._isolated) {
      this.controlBuffer = new SharedArrayBuffer(CONTROL_SLOTS * 4);
      this.control = new Int32Array(this.controlBuffer);
      this.inputBuffer = new SharedArrayBuffer(INPUT_BUFFER_BYTES);
    }
    this.namespace = createNamespaceHandle((fn) => this.call(fn));
    this.linkReady = this.startWorker();
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
        this.restoredOnStart = await this.link.remote.restore();
      } catch (error) {
        const rebuilt = asSnapshotError(error);
        // Nothing saved yet under this id is a fresh start, not a failure.
        if (!(rebuilt instanceof SnapshotError && rebuilt.cause === 'not-found')) throw rebuilt;
      }
    }
    if (this._state === 'starting') this.setState('idle');
    return this;
  }

  /**
   * Runs a cell after the cells queued before it.
   * @param code JavaScript source of the cell.
   * @returns the outcome, for every outcome of the user's code (errors, interrupts, time-outs included).
   * @throws {TypeError} when `code` is not a string or an option is invalid.
   * @throws {SessionClosedError} when the session is (or gets) closed.
   */
  execute(code: string, options?: ExecuteOptions): Promise<ExecutionResult> {
    if (typeof code !== 'string') {
      return Promise.reject(
        new TypeError(
          `[sandcell] execute(code) needs a string of JavaScript, got ${code === null ? 'null' : typeof code}`,
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
      const job: Job = { code, options: opts, resolve, reject, cellId: 0, mode: 'sync', settled, markSettled };
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
   * Stops the running cell (queued cells still run).
   * @returns a promise that resolves once the running cell has settled.
   */
  async interrupt(): Promise<void> {
    const job = this.running;
    if (this._state === 'closed') return;
    if (!job) {
      // Nothing running: Stop still ends the timers and intervals finished cells left behind.
      await this.call((remote) => remote.interrupt(0));
      return;
    }
    this.stopJob(job, 'interrupted');
    await job.settled;
  }

  /** Saves the namespace to IndexedDB under this session's id. @throws {SnapshotError} */
  async snapshot(): Promise<SnapshotInfo> {
    return this.call((remote) => remote.snapshot()).catch((error) => {
      throw asSnapshotError(error);
    });
  }

  /** Brings back a snapshot (default: the latest of this session id). @throws {SnapshotError} */
  async restore(snapshotId?: string): Promise<RestoreInfo> {
    if (snapshotId !== undefined && (typeof snapshotId !== 'string' || snapshotId === '')) {
      throw new TypeError(
        `[sandcell] restore(snapshotId) needs a snapshot id string, got ${JSON.stringify(snapshotId)}`,
      );
    }
    return this.call((remote) => remote.restore(snapshotId)).catch((error) => {
      throw asSnapshotError(error);
    });
  }

  /** Counters: executions, compiled-cell cache, restarts, variables. */
  async stats(): Promise<SessionStats> {
    const s = await this.call((remote) => remote.stats());
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
      this.killLink();
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /**
   * @internal Used by SessionManager: a pooled session (started with the manager's defaults)
   * takes the id and the host-side options of a `create()` call. Options that shape the
   * worker (policy, capability names, cacheSize, maxOutputBytes) must already match.
   */
  adopt(options: HostSideOptions): void {
    if (options.id !== undefined) this._id = options.id;
    // Mutated in place: the host bridge reads onInput and capabilities from this same object.
    const target = this.options as Record<string, unknown>;
    for (const [key, value] of Object.entries(options)) if (key !== 'id' && value !== undefined) target[key] = value;
    // Not awaited (a pooled create() must not wait a round trip): the RPC port is ordered, so every
    // later call reaches the worker after the new id. A worker that dies meanwhile is respawned with it.
    this.call((remote) => remote.setSessionId(this._id)).catch(() => undefined);
  }

  // ── worker lifecycle ────────────────────────────────────────────────────────────

  private async startWorker(): Promise<void> {
    const generation = ++this.generation;
    const worker = spawnWorker(`sandcell:${this.id}`);
    const rpc = new MessageChannel();
    const events = new MessageChannel();
    const policy = resolvePolicy(this.options.policy);
    const capabilities = Object.keys(this.options.capabilities ?? {});
    const init: InitMessage = {
      type: 'sandcell:init',
      rpcPort: rpc.port2,
      eventPort: events.port2,
      control: this.controlBuffer,
      inputBuffer: this.inputBuffer,
      config: {
        sessionId: this.id,
        policy,
        cacheSize: this.options.cacheSize ?? DEFAULT_CACHE_SIZE,
        maxOutputBytes: this.options.maxOutputBytes,
        // A pooled worker learns its onInput only at adoption; without one, the bridge answers with a clear error.
        hasInput: this.pooled || typeof this.options.onInput === 'function',
        capabilities,
        lifeLock:
          typeof navigator !== 'undefined' && navigator.locks ? `sandcell:alive:${crypto.randomUUID()}` : undefined,
      },
    };
    worker.postMessage(init, [rpc.port2, events.port2]);
    const remote = Comlink.wrap<RuntimeApi>(rpc.port1);
    const link: WorkerLink = {
      worker,
      remote,
      rpcPort: rpc.port1,
      events: events.port1,
      dead: false,
      lifeWatch: new AbortController(),
      bridge: startHostBridge({
        port: events.port1,
        options: this.options,
        control: this.control,
        inputBuffer: this.inputBuffer,
        isCurrentCell: (cellId) => this.running?.cellId === cellId,
      }),
    };
    this.link = link;
    events.port1.addEventListener('message', (event: MessageEvent) => {
      if (generation === this.generation) this.onWorkerEvent(event.data);
    });
    events.port1.start();
    const onDeath = (message: string) => {
      if (link.dead || generation !== this.generation) return;
      this.onCrash(message);
    };
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      onDeath(`the worker crashed: ${event.message || 'unknown error'}`);
    });
    // Chromium fires `close` on a port whose other side's context is gone (a worker killed for memory, say).
    events.port1.addEventListener('close', () => onDeath('the worker stopped unexpectedly (out of memory?)'));
    const { crossOriginIsolated } = await remote.ready();
    this._isolated = this._isolated && crossOriginIsolated;
    const lifeLock = init.config.lifeLock;
    if (lifeLock) {
      // The worker took this lock before answering ready(); ours is granted only when it is released.
      navigator.locks
        .request(lifeLock, { signal: link.lifeWatch.signal }, () =>
          onDeath('the worker stopped unexpectedly (out of memory, or it closed itself)'),
        )
        .catch(() => {});
    }
  }

  private killLink(): void {
    const link = this.link;
    if (!link || link.dead) return;
    link.dead = true;
    link.lifeWatch.abort();
    link.bridge.dispose();
    link.worker.terminate();
    link.remote[Comlink.releaseProxy]();
    link.rpcPort.close();
    link.events.close();
  }

  /** Kill, respawn, restore the checkpoint. Returns what was skipped on restore. */
  private async respawn(): Promise<void> {
    this.killLink();
    this.restarts++;
    this.linkReady = this.startWorker();
    await this.linkReady;
    if (this.checkpoint.length > 0) await this.link.remote.restoreCheckpoint(this.checkpoint);
  }

  private onCrash(message: string): void {
    if (this._state === 'closed') return;
    const job = this.running;
    if (job?.finishHard) {
      job.finishHard('crashed', message);
    } else {
      // Died between cells: come back quietly with the checkpointed namespace.
      this.setState('restarting');
      this.linkReady = this.respawn().then(() => {
        this.dispatchEvent(new CustomEvent('restart', { detail: { reason: 'crashed', message } }));
        if (!this.running) this.setState('idle');
      });
    }
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
      this.running = undefined;
      if (!this.isClosed()) {
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
      if (this._state === 'closed') throw this.closedError();
      throw error;
    }
    if (this.isClosed()) throw this.closedError();
    const cellId = ++this.cellSeq;
    job.cellId = cellId;
    this.setState('busy');
    const started = performance.now();
    const timeoutMs = job.options.timeoutMs ?? this.options.timeoutMs;
    const grace = this.options.interruptGraceMs ?? DEFAULT_GRACE_MS;
    const route: OutputRoute = { received: 0, onOutput: job.options.onOutput };
    this.routes.set(cellId, route);

    const hard = new Promise<{ reason: HardReason; message?: string }>((resolve) => {
      job.finishHard = (reason, message) => resolve({ reason, message });
    });
    // The worker enforces timeoutMs itself; this watchdog is for code that escapes it.
    const watchdog =
      timeoutMs !== undefined ? setTimeout(() => this.stopJob(job, 'timeout', 0), timeoutMs + grace) : undefined;
    const link = this.link;
    // A stop asked for while the job was still waiting for the worker applies now.
    if (job.pendingStop) this.stopJob(job, job.pendingStop);
    try {
      const first = await Promise.race([
        link.remote.execute({ cellId, code: job.code, timeoutMs }).then((outcome) => ({ outcome })),
        hard.then((h) => ({ hard: h })),
      ]);
      if ('outcome' in first) {
        job.finishHard = undefined;
        await this.waitForOutput(route, first.outcome.batches);
        this.settleJob(job, this.toResult(first.outcome, job));
        this.schedulePersist();
        return;
      }
      const { reason, message } = first.hard;
      this.setState('restarting');
      await this.respawn();
      const result: ExecutionResult = {
        status: reason === 'crashed' ? 'error' : reason,
        mode: job.mode,
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
      this.dispatchEvent(new CustomEvent('restart', { detail: { reason, message } }));
    } finally {
      if (watchdog !== undefined) clearTimeout(watchdog);
      this.routes.delete(cellId);
      job.finishHard = undefined;
    }
  }

  private toResult(outcome: CellOutcome, job: Job): ExecutionResult {
    const result: ExecutionResult = { status: outcome.status, mode: outcome.mode, durationMs: outcome.durationMs };
    job.mode = outcome.mode;
    if ('value' in outcome) result.value = outcome.value;
    if (outcome.repr !== undefined) result.repr = outcome.repr;
    if (outcome.error) result.error = outcome.error;
    if (outcome.outputDropped > 0) result.outputDropped = outcome.outputDropped;
    return result;
  }

  /** Asks the running cell to stop: the shared flag and a message, then the hard path after the grace. */
  private stopJob(job: Job, reason: 'interrupted' | 'timeout', graceOverride?: number): void {
    if (this.running !== job) return;
    if (!job.finishHard) {
      job.pendingStop = reason;
      return;
    }
    if (this._state === 'busy') this.setState('interrupting');
    const grace = graceOverride ?? this.options.interruptGraceMs ?? DEFAULT_GRACE_MS;
    if (!this.control) {
      // No SharedArrayBuffer: a busy worker cannot see any request, so stopping means the hard path.
      job.finishHard(reason);
      return;
    }
    Atomics.store(this.control, ControlSlot.Interrupt, job.cellId);
    // Wakes a synchronous input() that is waiting on the input slot.
    Atomics.notify(this.control, ControlSlot.InputState);
    this.link.remote.interrupt(job.cellId).catch(() => {});
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
      this.settleJob(job, { status: 'interrupted', mode: job.mode, durationMs: 0 });
    } else if (this.running === job) {
      this.stopJob(job, 'interrupted');
    }
  }

  private settleJob(job: Job, result?: ExecutionResult, error?: unknown): void {
    job.removeAbortListener?.();
    // Idle before the caller hears the result, so a state read right after `await execute()` is current.
    if (job === this.running && this.queue.length === 0 && !this.isClosed() && this._state !== 'starting')
      this.setState('idle');
    if (error !== undefined) job.reject(error);
    else if (result) job.resolve(result);
    job.markSettled();
  }

  // ── events from the worker ──────────────────────────────────────────────────────

  private onWorkerEvent(message: WorkerEvent): void {
    if (!message || typeof message !== 'object') return;
    switch (message.type) {
      case 'started': {
        const job = this.running;
        if (job && job.cellId === message.cellId && typeof message.mode === 'string') job.mode = message.mode;
        return;
      }
      case 'output':
        this.onOutputBatch(message.cellId, message.events);
        return;
      case 'checkpoint':
        this.onCheckpoint(message.checkpoint);
        return;
      default:
        // input requests and capability calls are the bridge's.
        return;
    }
  }

  private onOutputBatch(cellId: number, events: OutputEvent[]): void {
    if (!Array.isArray(events)) return;
    const route = this.routes.get(cellId);
    for (const event of events) {
      if (!event || typeof event !== 'object') continue;
      route?.onOutput?.(event);
      this.options.onOutput?.(event);
      this.dispatchEvent(new CustomEvent('output', { detail: event }));
    }
    if (route) {
      route.received++;
      if (route.expected !== undefined && route.received >= route.expected) route.done?.();
    }
  }

  private waitForOutput(route: OutputRoute, batches: number): Promise<void> {
    if (route.received >= batches) return Promise.resolve();
    route.expected = batches;
    return new Promise((resolve) => (route.done = resolve));
  }

  private onCheckpoint(checkpoint: { full: boolean; removed: string[]; groups: CheckpointGroup[] }): void {
    if (!checkpoint || !Array.isArray(checkpoint.groups) || !Array.isArray(checkpoint.removed)) return;
    if (checkpoint.full) {
      this.checkpoint = checkpoint.groups;
      return;
    }
    const replaced = new Set<string>(checkpoint.removed);
    for (const group of checkpoint.groups) for (const name of group.names) replaced.add(name);
    this.checkpoint = this.checkpoint
      .filter((group) => !group.names.some((name) => replaced.has(name)))
      .concat(checkpoint.groups);
  }

  // ── persistence ─────────────────────────────────────────────────────────────────

  /**
   * One snapshot after a burst of cells: it is taken when the queue has drained, never
   * more than one in flight, and always after the result was delivered.
   */
  private schedulePersist(): void {
    if (!this.options.persist) return;
    this.persistDirty = true;
    if (this.queue.length > 0 || this.persistInFlight) return;
    this.persistDirty = false;
    this.persistInFlight = true;
    void this.call((remote) => remote.persist())
      .then(
        (info) => this.dispatchEvent(new CustomEvent('snapshot', { detail: info })),
        (error) => {
          if (!this.isClosed())
            this.dispatchEvent(new CustomEvent('persist-error', { detail: asSnapshotError(error) }));
        },
      )
      .finally(() => {
        this.persistInFlight = false;
        if (this.persistDirty && !this.isClosed()) this.schedulePersist();
      });
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────

  private setState(state: SessionState): void {
    if (this._state === state || this._state === 'closed') return;
    this._state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }

  /** A fresh read of the state (TypeScript narrows `_state` across awaits otherwise). */
  private isClosed(): boolean {
    return this._state === 'closed';
  }

  private closedError(): SessionClosedError {
    return new SessionClosedError(`[sandcell] session ${this.id} is closed; create a new session to run more code`);
  }

  private async call<T>(fn: (remote: Comlink.Remote<RuntimeApi>) => Promise<T>): Promise<T> {
    if (this._state === 'closed') throw this.closedError();
    await this.linkReady;
    if (this.isClosed()) throw this.closedError();
    return fn(this.link.remote);
  }
}

/** Errors cross from the worker as plain Errors: give SnapshotErrors their class and cause back. */
function asSnapshotError(error: unknown): unknown {
  if (error instanceof SnapshotError || !(error instanceof Error) || error.name !== 'SnapshotError') return error;
  const cause = (error as { cause?: unknown }).cause;
  const known = ['quota', 'unavailable', 'corrupt', 'not-found'] as const;
  const rebuilt = new SnapshotError(error.message, known.find((c) => c === cause) ?? 'unavailable');
  rebuilt.stack = error.stack;
  return rebuilt;
}

/**
 * Opens a session: starts its worker and resolves once it is ready for a first cell.
 * @throws {TypeError} for invalid options (naming the option and the value).
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
