/**
 * A session's worker over its whole life: starting it, the calls the page makes to it, and
 * replacing it — a hard path or a crash kills it, a new one starts and gets the checkpoint
 * back, giving up on any definition that ends or stalls the new worker. The queue of cells
 * and the session's state are the Session's; this module only knows workers.
 */
import type { Remote } from 'comlink';
import { SandcellError } from '../errors.ts';
import type { CheckpointGroup, RestoreReport, RuntimeApi, WorkerEvent } from '../protocol.ts';
import type { SessionLanguage, SessionOptions, SkippedVariable } from '../types.ts';
import { fromWorker } from './cell-result.ts';
import { CheckpointKeeper } from './checkpoint-keeper.ts';
import { type HostBridge, startHostBridge } from './host-bridge.ts';
import { javascriptWorkerSource } from './hosting/worker-source.ts';
import { resolvePolicy } from './options.ts';
import { resolvePythonIndexURL, sdkScriptURL } from './python-location.ts';
import { classifyPackage } from './python-packages.ts';
import { MAX_RESTORE_ATTEMPTS, RestoreWatch, stalledIn } from './restore-watch.ts';
import { WorkerGoneError, WorkerLink } from './worker-link.ts';

const DEFAULT_CACHE_SIZE = 100;

/** What the worker needs to know of its session. */
export interface SessionWorkerOwner {
  readonly id: string;
  readonly language: SessionLanguage;
  /** The session's options; a pooled session's are completed in place at adoption. */
  readonly options: SessionOptions;
  /** Started for a SessionManager's pool: its onInput is only known at adoption. */
  readonly pooled: boolean;
  /** Whether the cell with this id is the one running now (input and capability calls check it). */
  isCurrentCell(cellId: number): boolean;
  /** Output, input and capability events of the current worker. */
  onEvent(event: WorkerEvent): void;
  /** The current worker died outside a restore. */
  onCrash(message: string): void;
  /** The error calls get once the session is closed; undefined while it is open. */
  closedError(): Error | undefined;
}

/** A call to the worker: whether it may simply run again on a new worker if the current one dies under it. */
export interface CallOptions {
  /** What the call is, for the error when it cannot be retried. */
  what: string;
  /** Safe to repeat: it only reads, or writes what it would write again. */
  retry: boolean;
}

type RestoreOutcome = { report: RestoreReport } | { givenUp?: SkippedVariable; message: string; link: WorkerLink };

export class SessionWorker {
  /** The current worker's link. */
  link!: WorkerLink;
  /** Settles when the current (or coming) worker is up and restored. */
  ready: Promise<void>;
  /** Workers replaced so far (stats). */
  restarts = 0;
  /** The namespace a new worker is given back. */
  readonly checkpoint = new CheckpointKeeper();
  /** What the last restart could not restore, with the reason (on the `restart` event). */
  restartSkipped: SkippedVariable[] = [];
  private bridge!: HostBridge;
  private isolated: boolean;
  /** The restore running on a worker now: its death is the restore's to handle, not a crash. */
  private restoreWatch?: { link: WorkerLink; watch: RestoreWatch };

  constructor(private readonly owner: SessionWorkerOwner) {
    this.isolated = typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true;
    this.ready = this.start();
  }

  /** True when the SharedArrayBuffer interrupt path (and synchronous `input()`) is active. */
  get crossOriginIsolated(): boolean {
    return this.isolated;
  }

  /**
   * Runs a call on the current worker, waiting out a start or restart. A call the worker's
   * death cuts short runs again on the new worker when it is safe to repeat, else it rejects
   * with a SandcellError saying so; errors from the worker come back as the SDK's classes.
   */
  async call<T>(fn: (remote: Remote<RuntimeApi>) => Promise<T>, options: CallOptions): Promise<T> {
    for (;;) {
      await this.readyIfOpen();
      const link = this.link;
      try {
        return await link.call(fn);
      } catch (error) {
        if (!(error instanceof WorkerGoneError)) throw fromWorker(error);
        this.throwIfClosed();
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

  /**
   * Kills `link`'s worker, starts a new one and restores the checkpoint; calls wait for all of
   * it. Once per link, however many ask (a cell's hard path and a restore that ended the worker).
   */
  replace(link: WorkerLink): Promise<void> {
    if (this.link !== link) return this.ready;
    this.discard();
    this.restarts++;
    this.ready = this.startRestoring(this.checkpoint.groups);
    return this.ready;
  }

  /**
   * Puts a snapshot record into the current worker. A definition that ends or stalls the worker
   * is given up on: the worker is replaced (with the checkpoint, as any restart) and the record
   * restored again without it. A worker replaced for another reason (a cell's hard path) just
   * gets the record again.
   */
  async restoreSnapshot(payload: unknown): Promise<RestoreReport> {
    const givenUp: SkippedVariable[] = [];
    for (let attempt = 1; ; ) {
      await this.readyIfOpen();
      const outcome = await this.watchedRestore((remote) => remote.restoreSnapshot(payload, givenUp));
      if ('report' in outcome) return outcome.report;
      this.throwIfClosed();
      if (this.link !== outcome.link) continue;
      if (attempt >= MAX_RESTORE_ATTEMPTS) {
        this.owner.onCrash(outcome.message);
        throw new SandcellError(
          `[sandcell] restore() gave up: ${attempt} workers in a row ended or stalled while restoring the snapshot (last: ${outcome.message}); the session restarted with its variables from before restore()`,
        );
      }
      attempt++;
      if (outcome.givenUp) givenUp.push(outcome.givenUp);
      // The worker is gone or stuck: replaced the way a crash between cells is (a running cell ends as crashed).
      this.owner.onCrash(outcome.message);
      await this.replace(outcome.link);
    }
  }

  /** Ends the current worker for good (the session closed). */
  dispose(): void {
    this.bridge?.dispose();
    this.link?.dispose();
  }

  /** Starts a worker (a new link), and resolves once it answers. */
  private async start(): Promise<void> {
    const { owner } = this;
    const options = owner.options;
    const python = owner.language === 'python';
    const indexURL = python ? resolvePythonIndexURL(options.python?.indexURL) : undefined;
    const link = new WorkerLink({
      name: `sandcell:${owner.id}`,
      source: python
        ? () => import('./python-files.ts').then((m) => m.pythonWorkerSource(sdkScriptURL()))
        : javascriptWorkerSource,
      loadConfig: indexURL
        ? () =>
            import('./python-files.ts').then(async (m) => ({
              python: await m.pythonBoot(indexURL, {
                // Checked when the session was created (options.ts): classifying cannot throw here.
                packages: (options.python?.packages ?? []).map((entry) => classifyPackage(entry, location.href)),
                lockFileURL: options.python?.lockFileURL,
              }),
            }))
        : undefined,
      isolated: this.isolated,
      frameURL: options.frameURL,
      config: {
        sessionId: owner.id,
        policy: resolvePolicy(options.policy),
        cacheSize: options.cacheSize ?? DEFAULT_CACHE_SIZE,
        maxOutputBytes: options.maxOutputBytes,
        // A pooled worker learns its onInput only at adoption; without one, the bridge answers with a clear error.
        hasInput: owner.pooled || typeof options.onInput === 'function',
        capabilities: Object.keys(options.capabilities ?? {}),
      },
      onEvent: (event) => {
        if (link === this.link) this.onEvent(event);
      },
      onDeath: (message) => {
        // A worker that dies in a restore is the restore's to handle (it gives up on the definition that did it).
        if (link === this.link && this.restoreWatch?.link !== link) owner.onCrash(message);
      },
    });
    this.link = link;
    this.bridge = startHostBridge({
      channel: link,
      options,
      isCurrentCell: (cellId) => owner.isCurrentCell(cellId),
    });
    const { crossOriginIsolated } = await link.ready;
    this.isolated = this.isolated && crossOriginIsolated;
  }

  private onEvent(event: WorkerEvent): void {
    switch (event.type) {
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
      default:
        this.owner.onEvent(event);
    }
  }

  private discard(): void {
    this.bridge.dispose();
    this.link.dispose();
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
      await this.start();
      if (checkpoint.length === 0) return;
      const outcome = await this.watchedRestore((remote) => remote.restoreCheckpoint(checkpoint, givenUp));
      if ('report' in outcome) {
        this.restartSkipped = outcome.report.skipped;
        return;
      }
      this.throwIfClosed();
      if (outcome.givenUp) givenUp.push(outcome.givenUp);
      this.discard();
      if (attempt >= MAX_RESTORE_ATTEMPTS) {
        const reason = `the restart gave up restoring: ${attempt} workers in a row ended or stalled while restoring (last: ${outcome.message})`;
        const given = new Map(givenUp.map((g) => [g.name, g.reason]));
        this.restartSkipped = [...new Set(checkpoint.flatMap((group) => group.names))].map((name) => ({
          name,
          reason: given.get(name) ?? reason,
        }));
        // The namespace is empty now: the next checkpoint must not be merged onto the old one.
        this.checkpoint.groups = [];
        await this.start();
        return;
      }
    }
  }

  /**
   * Runs a restore on the current worker, watching which definition it runs. When the worker
   * dies or stalls, says which definition to give up on (if it was in one).
   */
  private async watchedRestore(run: (remote: Remote<RuntimeApi>) => Promise<RestoreReport>): Promise<RestoreOutcome> {
    const link = this.link;
    const watch = new RestoreWatch();
    this.restoreWatch = { link, watch };
    try {
      return await Promise.race([
        link.call(run).then((report) => ({ report })),
        watch.stalled.then((name) => ({ givenUp: stalledIn(name), message: `it stalled restoring ${name}`, link })),
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

  /** Waits for the worker to be up, rejecting if the session is or gets closed meanwhile. */
  private async readyIfOpen(): Promise<void> {
    this.throwIfClosed();
    await this.ready;
    this.throwIfClosed();
  }

  private throwIfClosed(): void {
    const closed = this.owner.closedError();
    if (closed) throw closed;
  }
}
