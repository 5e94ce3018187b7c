/**
 * The page's copy of a session's namespace, as checkpoints: what a killed or crashed worker is
 * restored from. The worker sends a checkpoint after a cell's reply (so results never wait for
 * it); a reply says when one follows, and a kill waits for it so the cell before is not lost.
 */
import { applyCheckpoint } from '../namespace/apply-checkpoint.ts';
import type { Checkpoint, CheckpointGroup } from '../protocol.ts';

/**
 * How long a kill waits for the checkpoint of the cell that completed just before. The worker
 * posts it right after that cell's reply, before it can start the next cell, so it is normally
 * already on its way; the limit only matters when the encoder itself is stuck (a cell's proxy
 * whose trap never returns). It is wide because a large namespace on a slow or busy machine
 * takes seconds to encode (a cell of 200,000 objects: 2.9 to 5.9 s after its reply in
 * WebKitGTK on a loaded 2-core machine), and a kill past the limit restarted the session
 * without the variables of a cell the user saw succeed.
 */
const CHECKPOINT_WAIT_MS = 30_000;

export class CheckpointKeeper {
  /** The groups a new worker is given back. */
  groups: CheckpointGroup[] = [];
  private due?: { arrived: Promise<void>; arrive: () => void };

  /** Merges a checkpoint the worker sent (ignoring malformed ones) and ends a wait for it. */
  receive(checkpoint: Checkpoint | undefined): void {
    if (checkpoint && Array.isArray(checkpoint.groups) && Array.isArray(checkpoint.removed))
      this.groups = applyCheckpoint(this.groups, checkpoint);
    this.due?.arrive();
  }

  /** A reply said a checkpoint follows it (CellOutcome.checkpointFollows). */
  expect(): void {
    let arrive!: () => void;
    const arrived = new Promise<void>((resolve) => {
      arrive = resolve;
    });
    const due = { arrived, arrive: () => {} };
    due.arrive = () => {
      if (this.due === due) this.due = undefined;
      arrive();
    };
    this.due = due;
  }

  /** Resolves once an announced checkpoint has arrived (at once when none is due), or after the limit. */
  async arrived(): Promise<void> {
    const due = this.due;
    if (!due) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      due.arrived,
      new Promise<void>((resolve) => (timer = setTimeout(resolve, CHECKPOINT_WAIT_MS))),
    ]);
    clearTimeout(timer);
  }
}
