/**
 * The page's watch over one restore on one worker. A restore re-creates functions and
 * classes by running their definitions; the worker stops one that runs past its own time
 * limit, but a definition can also end the worker (`static { close() }`) or hang it where no
 * interrupt check reaches (code built from strings). The worker says which definition it is
 * running (the `restoring` event), so when it dies or stalls the page knows which one to give
 * up on, and restores again on a new worker without it.
 */
import { RESTORE_TIME_LIMIT_MS } from '../protocol.ts';
import type { SkippedVariable } from '../types.ts';

/**
 * How long the page waits on one definition before it stops the worker: far past the
 * worker's own limit, which stops every definition whose loops are instrumented; only
 * uninstrumented code gets here. Generous, for a busy machine.
 */
export const RESTORE_STALL_MS = RESTORE_TIME_LIMIT_MS + 9_000;

/** Restores tried on new workers, each giving up on one more definition, before giving up on all of them. */
export const MAX_RESTORE_ATTEMPTS = 4;

export class RestoreWatch {
  /** The definition the worker is running now (null: none). */
  private current: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private markStalled!: (name: string) => void;
  /** Resolves with the name of a definition that ran past {@link RESTORE_STALL_MS}. */
  readonly stalled = new Promise<string>((resolve) => (this.markStalled = resolve));

  constructor(private readonly stallMs = RESTORE_STALL_MS) {}

  /** The worker's `restoring` event. */
  progress(name: string | null): void {
    this.current = typeof name === 'string' ? name : null;
    clearTimeout(this.timer);
    if (this.current !== null) {
      const stalledOn = this.current;
      this.timer = setTimeout(() => this.markStalled(stalledOn), this.stallMs);
    }
  }

  /**
   * What to report for the definition the worker was running when it died, if it was running one.
   * @param message why the worker ended (the link's error).
   */
  diedIn(message: string): SkippedVariable | undefined {
    if (this.current === null) return undefined;
    return { name: this.current, reason: `restoring it ended the worker (${message})` };
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** What to report for a definition the worker was stopped in. */
export function stalledIn(name: string, stallMs = RESTORE_STALL_MS): SkippedVariable {
  return {
    name,
    reason: `restoring it ran past the ${stallMs} ms time limit for a definition where the worker could not stop it, so the worker was replaced`,
  };
}
