/**
 * `persist: true`: one snapshot after a burst of cells. It is taken when the queue has
 * drained, never more than one in flight, and always after the result was delivered; a cell
 * finishing while one is in flight asks for one more afterwards.
 */
import { SnapshotError } from '../errors.ts';
import type { SnapshotInfo } from '../types.ts';

export interface PersistDeps {
  /** Cells still waiting: the snapshot waits for the last of them. */
  queueBusy(): boolean;
  isClosed(): boolean;
  /** Encodes the namespace in the worker and writes it to the store. */
  save(): Promise<SnapshotInfo>;
  saved(info: SnapshotInfo): void;
  failed(error: SnapshotError): void;
}

export class PersistScheduler {
  private dirty = false;
  private inFlight = false;

  constructor(private readonly deps: PersistDeps) {}

  /** A cell completed: persist once the queue has drained. */
  schedule(): void {
    this.dirty = true;
    if (this.deps.queueBusy() || this.inFlight) return;
    this.dirty = false;
    this.inFlight = true;
    void this.deps
      .save()
      .then(
        (info) => this.deps.saved(info),
        (error) => {
          if (!this.deps.isClosed())
            this.deps.failed(error instanceof SnapshotError ? error : new SnapshotError(String(error), 'unavailable'));
        },
      )
      .finally(() => {
        this.inFlight = false;
        if (this.dirty && !this.deps.isClosed()) this.schedule();
      });
  }
}
