/**
 * One running worker of a session, seen from the page: spawning it, its init message, the
 * session's port (Comlink calls and events, in order), the shared control buffers, the
 * watch on its death, and disposing of all of it. A session replaces its link whole when
 * the worker is killed or dies; nothing here outlives the worker it was made for.
 */
import * as Comlink from 'comlink';
import { SandcellError } from '../errors.ts';
import {
  CONTROL_SLOTS,
  ControlSlot,
  type HostEvent,
  type InitMessage,
  InputState,
  type RuntimeApi,
  type RuntimeConfig,
  type WorkerEvent,
  type WorkerMessage,
} from '../protocol.ts';
import { spawnWorker, WORKER_SCRIPT } from './worker-factory.ts';

const INPUT_BUFFER_BYTES = 1 << 20;

export interface WorkerLinkOptions {
  /** Shown in DevTools' thread list. */
  name: string;
  config: Omit<RuntimeConfig, 'lifeLock'>;
  /** Give the worker the shared buffers (interrupt flag, synchronous input): only on a cross-origin-isolated page. */
  isolated: boolean;
  /** Every message of the worker that is not an RPC reply, in the order it was sent. */
  onEvent: (event: WorkerEvent) => void;
  /** The worker died on its own (crash, out of memory, closed itself) after it had started. Called at most once. */
  onDeath: (message: string) => void;
}

/** Rejects a call in flight when its worker is gone (see {@link WorkerLink.call}). */
export class WorkerGoneError extends SandcellError {
  override name = 'WorkerGoneError';
}

export class WorkerLink {
  /** The runtime in the worker, through Comlink. Prefer {@link WorkerLink.call}, which settles when the worker dies. */
  readonly remote: Comlink.Remote<RuntimeApi>;
  /** Resolves once the worker's runtime answered; rejects with a SandcellError when the worker cannot start. */
  readonly ready: Promise<{ crossOriginIsolated: boolean }>;
  private worker: Worker | undefined;
  private readonly port: MessagePort;
  private readonly control?: Int32Array;
  private readonly inputBuffer?: SharedArrayBuffer;
  private readonly lifeWatch = new AbortController();
  private readonly gone: Promise<never>;
  private markGone!: (error: Error) => void;
  private started = false;
  private _dead = false;
  private disposed = false;
  private readonly encoder = new TextEncoder();

  constructor(private readonly options: WorkerLinkOptions) {
    let controlBuffer: SharedArrayBuffer | undefined;
    if (options.isolated) {
      controlBuffer = new SharedArrayBuffer(CONTROL_SLOTS * 4);
      this.control = new Int32Array(controlBuffer);
      this.inputBuffer = new SharedArrayBuffer(INPUT_BUFFER_BYTES);
    }
    this.gone = new Promise<never>((_, reject) => (this.markGone = reject));
    // Nobody may be listening when the worker goes: that is not an unhandled rejection.
    this.gone.catch(() => {});
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.remote = Comlink.wrap<RuntimeApi>(this.port);
    this.port.addEventListener('message', (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      // Comlink's replies (they carry an id) are Comlink's own listener's business.
      if (!message || typeof message !== 'object' || 'id' in message || this._dead) return;
      options.onEvent(message);
    });
    this.port.start();

    const lifeLock =
      typeof navigator !== 'undefined' && navigator.locks ? `sandcell:alive:${crypto.randomUUID()}` : undefined;
    const init: InitMessage = {
      type: 'sandcell:init',
      port: channel.port2,
      control: controlBuffer,
      inputBuffer: this.inputBuffer,
      config: { ...options.config, lifeLock },
    };
    let startFailed!: (error: Error) => void;
    const failedToStart = new Promise<never>((_, reject) => (startFailed = reject));
    try {
      this.worker = spawnWorker(options.name);
    } catch (error) {
      // Chromium throws here for a page opened from file:// (a worker needs an http(s) origin).
      this.ready = Promise.reject(cannotStart(error instanceof Error ? error.message : String(error)));
      this.dispose();
      return;
    }
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (!this.started) {
        // A script that never loaded (404, wrong MIME type, blocked): a plain Event, no message.
        startFailed(cannotStart(event instanceof ErrorEvent && event.message ? event.message : undefined));
      } else {
        this.died(`the worker crashed: ${(event as ErrorEvent).message || 'unknown error'}`);
      }
    });
    // Chromium fires `close` on a port whose other side's context is gone (a worker killed for memory, say).
    this.port.addEventListener('close', () => this.died('the worker stopped unexpectedly (out of memory?)'));
    this.worker.postMessage(init, [channel.port2]);
    this.ready = Promise.race([this.remote.ready(), failedToStart]).then((answer) => {
      this.started = true;
      if (lifeLock) this.watchLifeLock(lifeLock);
      return answer;
    });
    this.ready.catch(() => this.dispose());
  }

  /** True once the worker is terminated or known dead. */
  get dead(): boolean {
    return this._dead;
  }

  /**
   * Runs an RPC call on this worker; rejects with {@link WorkerGoneError} if the worker is
   * killed or dies before answering (Comlink alone would leave the call pending forever).
   */
  call<T>(fn: (remote: Comlink.Remote<RuntimeApi>) => Promise<T>): Promise<T> {
    if (this._dead) return Promise.reject(new WorkerGoneError('[sandcell] the worker is gone'));
    return Promise.race([fn(this.remote), this.gone]);
  }

  /** Answers one of the worker's requests on the session's port. */
  post(event: HostEvent): void {
    if (!this._dead) this.port.postMessage(event);
  }

  /** Raises the interrupt flag for `cellId` (and wakes a synchronous `input()`); false without shared memory. */
  requestStop(cellId: number): boolean {
    if (!this.control) return false;
    Atomics.store(this.control, ControlSlot.Interrupt, cellId);
    Atomics.notify(this.control, ControlSlot.InputState);
    return true;
  }

  /** Whether the worker is blocked in a synchronous `input()` waiting for the answer. */
  waitsForSyncInput(): boolean {
    return this.control !== undefined && Atomics.load(this.control, ControlSlot.InputState) === InputState.Waiting;
  }

  /** Writes the answer of a synchronous `input()` into the shared buffer and wakes the worker. */
  answerSyncInput(ok: boolean, text: string): void {
    if (!this.control || !this.inputBuffer || this._dead) return;
    const bytes = new Uint8Array(this.inputBuffer);
    const encoded = this.encoder.encode(text);
    const length = Math.min(encoded.byteLength, bytes.byteLength);
    // The worker reads exactly InputLength bytes; a longer answer is cut rather than overflowing.
    bytes.set(encoded.subarray(0, length));
    Atomics.store(this.control, ControlSlot.InputLength, length);
    Atomics.store(this.control, ControlSlot.InputState, ok ? InputState.Answered : InputState.Failed);
    Atomics.notify(this.control, ControlSlot.InputState);
  }

  /** Terminates the worker and closes its channel; calls in flight reject. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const wasDead = this._dead;
    this._dead = true;
    this.lifeWatch.abort();
    this.worker?.terminate();
    if (!wasDead) this.markGone(new WorkerGoneError('[sandcell] the worker was stopped'));
    this.remote[Comlink.releaseProxy]();
    this.port.close();
    this.worker = undefined;
  }

  private died(message: string): void {
    if (this._dead) return;
    this._dead = true;
    this.markGone(new WorkerGoneError(`[sandcell] ${message}`));
    this.options.onDeath(message);
  }

  /** The worker took this lock before answering ready(); ours is granted only when it is released — at its death. */
  private watchLifeLock(lifeLock: string): void {
    navigator.locks
      .request(lifeLock, { signal: this.lifeWatch.signal }, () =>
        this.died('the worker stopped unexpectedly (out of memory, or it closed itself)'),
      )
      .catch(() => {});
  }
}

function cannotStart(detail: string | undefined): SandcellError {
  const url = WORKER_SCRIPT;
  const where =
    typeof location !== 'undefined' && location.protocol === 'file:'
      ? ' This page was opened from file://, where browsers do not start workers: serve it over http(s) (e.g. `npx vite` or `python3 -m http.server`).'
      : ` Check that ${url} is served next to the SDK (a bundler must copy it; see the README's "Loading" section).`;
  return new SandcellError(
    `[sandcell] the session's worker could not start (${url})${detail ? `: ${detail}` : ''}.${where}`,
  );
}
