/**
 * One running worker of a session, seen from the page: starting it where its policy says
 * (its own frame, or the page), the session's port (Comlink calls and events, in order), its
 * interrupt flag and synchronous input, the watch on its death, and disposing of all of it.
 * A session replaces its link whole when the worker is killed or dies; nothing here outlives
 * the worker it was made for.
 */
import * as Comlink from 'comlink';
import { SandcellError } from '../errors.ts';
import type { HostEvent, RuntimeApi, RuntimeConfig, WorkerEvent, WorkerMessage } from '../protocol.ts';
import { startWorkerHost, type WorkerHost } from './hosting/worker-host.ts';

export interface WorkerLinkOptions {
  /** Shown in DevTools' thread list. */
  name: string;
  /** Resolves to the worker bundle's text (loaded once per page). */
  source: () => Promise<string>;
  config: RuntimeConfig;
  /** More of the config, loaded with the source (Python sessions: the runtime's files). */
  loadConfig?: () => Promise<Partial<RuntimeConfig>>;
  /** Give the worker shared memory (interrupt flag, synchronous input): only on a cross-origin-isolated page. */
  isolated: boolean;
  /** A frame document the page serves itself (see SessionOptions.frameURL). */
  frameURL?: string;
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
  private host?: WorkerHost;
  private readonly port: MessagePort;
  private readonly gone: Promise<never>;
  private markGone!: (error: Error) => void;
  private startFailed!: (error: Error) => void;
  private started = false;
  private _dead = false;
  private disposed = false;

  constructor(private readonly options: WorkerLinkOptions) {
    this.gone = new Promise<never>((_, reject) => (this.markGone = reject));
    // Nobody may be listening when the worker goes: that is not an unhandled rejection.
    this.gone.catch(() => {});
    const failedToStart = new Promise<never>((_, reject) => (this.startFailed = reject));
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.remote = Comlink.wrap<RuntimeApi>(this.port);
    this.port.addEventListener('message', (event: MessageEvent<WorkerMessage>) => {
      const message = event.data;
      // Comlink's replies (they carry an id) are Comlink's own listener's business.
      if (!message || typeof message !== 'object' || 'id' in message || this._dead) return;
      if (message.type === 'closing') this.failed(String(message.reason));
      else options.onEvent(message);
    });
    this.port.start();

    const boot = Promise.all([options.source(), options.loadConfig?.()]).then(([source, more]) => {
      if (this.disposed) throw new WorkerGoneError('[sandcell] the session was closed while its worker started');
      this.host = startWorkerHost({
        name: options.name,
        source,
        port: channel.port2,
        config: more ? { ...options.config, ...more } : options.config,
        isolated: options.isolated,
        frameURL: options.frameURL,
        onFailure: (message) => this.failed(message),
      });
      return this.remote.ready();
    });
    // The worker's code did not load (a bundler that dropped its chunk, a page from file://…).
    boot.catch(() => {});
    boot.then(undefined, (error: unknown) => {
      if (!(error instanceof SandcellError)) this.failed(error instanceof Error ? error.message : String(error));
    });
    // A start-up that failed in the worker (an error thrown by its runtime's ready()) says so as any other.
    const answered = boot.catch((error: unknown) => {
      throw error instanceof SandcellError
        ? error
        : cannotStart(error instanceof Error ? error.message : String(error));
    });
    this.ready = Promise.race([answered, failedToStart]).then((answer) => {
      this.started = true;
      this.host?.started();
      return answer;
    });
    this.ready.catch(() => this.dispose());
  }

  /** True once the worker is ended or known dead. */
  get dead(): boolean {
    return this._dead;
  }

  /** Where the worker runs: its own opaque-origin frame, or the page (undefined until it started). */
  get hostKind(): 'frame' | 'page' | undefined {
    return this.host?.kind;
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
    return this.host?.requestStop(cellId) ?? false;
  }

  /** Tells a worker whose loops only load the flag that `cellId`'s deadline passed (see WorkerHost.markDeadline). */
  markDeadline(cellId: number): void {
    if (!this._dead) this.host?.markDeadline(cellId);
  }

  /** Whether the worker was given shared memory (its loops then check the flag, and need {@link markDeadline}). */
  get isolated(): boolean {
    return this.options.isolated;
  }

  /** Answers a synchronous `input()` through shared memory. */
  answerSyncInput(ok: boolean, text: string): void {
    if (!this._dead) this.host?.answerSyncInput(ok, text);
  }

  /** Ends the worker (removes its frame, or terminates it) and closes its channel; calls in flight reject. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const wasDead = this._dead;
    this._dead = true;
    this.host?.dispose();
    if (!wasDead) this.markGone(new WorkerGoneError('[sandcell] the worker was stopped'));
    this.startFailed(new WorkerGoneError('[sandcell] the worker was stopped before it started'));
    this.remote[Comlink.releaseProxy]();
    this.port.close();
  }

  /** The worker or its frame failed: it could not start (ready rejects), or it died (onDeath). */
  private failed(message: string): void {
    if (this._dead) return;
    if (!this.started) {
      this.startFailed(cannotStart(message));
      return;
    }
    this._dead = true;
    this.markGone(new WorkerGoneError(`[sandcell] ${message}`));
    this.options.onDeath(message);
  }
}

function cannotStart(detail: string): SandcellError {
  const fromFile = typeof location !== 'undefined' && location.protocol === 'file:';
  const advice = fromFile
    ? ' This page was opened from file://, where browsers do not start workers: serve it over http(s) (e.g. `npx vite` or `python3 -m http.server`).'
    : '';
  return new SandcellError(`[sandcell] the session's worker could not start: ${detail}.${advice}`);
}
