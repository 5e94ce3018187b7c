/**
 * When the worker sends checkpoints to the page. A cell marks what it may have changed; the
 * checkpoint is taken right after the cell's reply has gone out (or before the next cell
 * starts, whichever comes first), so a result never waits for it. The reply announces a
 * checkpoint that follows, and an announced one is always sent — even empty — because the
 * page holds a kill back until it arrives.
 *
 * `markDirty` and `announce` run on the hot path with a cell's patches in force: primordials only.
 */
import type { CheckpointTracker } from '../namespace/checkpoint.ts';
import type { Namespace } from '../namespace/namespace.ts';
import { append, asArray, list } from '../primordials.ts';
import type { Checkpoint, WorkerEvent } from '../protocol.ts';
import { engineGuard } from './lockdown/intrinsics.ts';

/** The checkpoint owed for what ran since the last one. */
interface PendingCheckpoint {
  /** Names that may have changed (a prototype-less list); undefined: everything (a full checkpoint). */
  dirty: string[] | undefined;
  /** Something ran that calls code: functions defined earlier may have touched their names. */
  callsAnything: boolean;
  /** The result said a checkpoint follows: one is sent, even an empty one. */
  announced: boolean;
}

export interface CheckpointSenderDeps {
  tracker: CheckpointTracker;
  namespace: Namespace;
  /** The engine's own timers (a cell's patches to setTimeout cannot reach them). */
  setTimeout: (fn: () => void, ms: number) => ReturnType<typeof setTimeout>;
  clearTimeout: (handle: ReturnType<typeof setTimeout>) => void;
  post: (event: WorkerEvent) => void;
  /** A checkpoint could not be taken: said on the session's stderr. */
  failed: (message: string) => void;
}

export class CheckpointSender {
  private pending?: PendingCheckpoint;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly deps: CheckpointSenderDeps) {}

  /** Records what changed (`'all'`: everything) for the next checkpoint. */
  markDirty(names: readonly string[] | 'all', callsAnything = false): void {
    let pending = this.pending;
    if (pending === undefined) {
      pending = {
        __proto__: null,
        dirty: list<string>(),
        callsAnything: false,
        announced: false,
      } as unknown as PendingCheckpoint;
      this.pending = pending;
    }
    if (names === 'all') pending.dirty = undefined;
    else if (pending.dirty) for (let i = 0; i < names.length; i++) append(pending.dirty, names[i]);
    if (callsAnything) pending.callsAnything = true;
    this.timer ??= this.deps.setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 0);
  }

  /**
   * Whether the cell's reply should say a checkpoint follows: only when something may have
   * changed (a cell like `1` or `f` sends none, so it promises none).
   */
  announce(): boolean {
    const pending = this.pending;
    if (pending && (pending.dirty === undefined || pending.dirty.length > 0 || pending.callsAnything)) {
      pending.announced = true;
      return true;
    }
    return false;
  }

  /** The namespace was replaced wholesale (a restore): the next checkpoint covers everything. */
  restart(): void {
    this.deps.tracker.reset();
    this.markDirty('all');
  }

  /**
   * Takes the pending checkpoint: without the guard when every name it covers holds a
   * primitive (CheckpointTracker.takePrimitives), else on the pristine built-ins.
   */
  flush(): void {
    const { deps } = this;
    if (this.timer !== undefined) {
      deps.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    const dirty = pending.dirty;
    let checkpoint =
      dirty === undefined ? undefined : deps.tracker.takePrimitives(deps.namespace, dirty, pending.callsAnything);
    if (checkpoint === undefined) {
      checkpoint = engineGuard().engine(() => {
        try {
          return deps.tracker.take(
            deps.namespace,
            dirty === undefined ? undefined : new Set(asArray(dirty)),
            pending.callsAnything,
          );
        } catch (error) {
          deps.failed(`[sandcell] could not checkpoint the namespace: ${String(error)}`);
          return undefined;
        }
      });
    }
    if (checkpoint === undefined) {
      // The page is told nothing changed, so a kill it holds back for this checkpoint can go ahead.
      if (pending.announced) {
        const empty = { __proto__: null, full: false, groups: list(), removed: list() } as unknown as Checkpoint;
        deps.post({ type: 'checkpoint', checkpoint: empty });
      }
      return;
    }
    if (pending.announced || checkpoint.groups.length > 0 || checkpoint.removed.length > 0) {
      deps.post({ type: 'checkpoint', checkpoint });
    }
  }
}
