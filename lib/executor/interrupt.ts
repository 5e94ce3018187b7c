/**
 * The interrupt check that instrumented cells call. Generated code decrements a countdown
 * at every loop back-edge (a loop-local one) and function entry (one shared by all cells)
 * and calls `tick()` when it runs out; only then are the shared flag and the deadline read.
 *
 * The countdown adapts: reading the clock costs a call into the browser, so `tick()` aims
 * for about one call per TARGET_TICK_MS whatever the loop does — a loop of 1 ns iterations
 * gets a long countdown, a loop of 1 ms iterations checks on every back-edge. That keeps
 * both the overhead (a few clock reads per millisecond) and the interrupt latency small.
 */

// The engine's own copies: a cell that patches Atomics or performance must not switch off its interrupts.
const atomicsLoad = Atomics.load;
const atomicsCompareExchange = Atomics.compareExchange;
const performanceNow = Performance.prototype.now;

/** The countdown a cell starts with (and a loop-local counter starts from). */
export const CHECK_INTERVAL = 100;
/** Aimed time between two ticks; tuned by `npm run bench` (instrumented vs plain loop, interrupt latency). */
export const TARGET_TICK_MS = 0.2;
/** The longest countdown: about 16 ms of a loop whose iterations take 1 ns. */
export const MAX_INTERVAL = 1 << 24;

/**
 * Thrown into a cell to stop it. Not an Error subclass on purpose: user code that checks
 * `e instanceof Error` does not mistake it for its own; instrumented catch clauses rethrow it.
 */
export class CellInterrupt {
  constructor(readonly reason: 'interrupt' | 'timeout') {}
  get message(): string {
    return this.reason === 'timeout'
      ? '[sandcell] the cell ran past its time limit'
      : '[sandcell] the cell was interrupted';
  }
}

/** The flag reader and deadline for the cell that is running now. */
export class InterruptGate {
  /** The countdown shared by every compiled cell (a plain, not shared, buffer: only this thread writes it). */
  readonly countdown = new Int32Array([CHECK_INTERVAL]);
  private cellId = 0;
  private deadline = Number.POSITIVE_INFINITY;
  private stopped: CellInterrupt | undefined;
  private readonly now: () => number;
  /** Current countdown length and when the last tick happened (for the adaptation). */
  private interval = CHECK_INTERVAL;
  private lastTick = 0;

  /**
   * @param flag - the interrupt flag shared with the host (absent without SharedArrayBuffer)
   * @param flagSlot - the index in `flag` where the host writes the id of the cell to stop
   * @param now - the clock in milliseconds; tests pass a fake one
   */
  constructor(
    private readonly flag: Int32Array | undefined,
    private readonly flagSlot: number,
    // Bound while the built-ins are still the engine's (before any cell ran).
    now: () => number = performanceNow.bind(performance),
  ) {
    this.now = now;
  }

  /** Arms the gate for a new cell; a request left over for an earlier cell id can no longer match. */
  begin(cellId: number, timeoutMs: number | undefined): void {
    this.cellId = cellId;
    this.stopped = undefined;
    this.lastTick = this.now();
    this.deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : this.lastTick + timeoutMs;
    this.interval = CHECK_INTERVAL;
    this.countdown[0] = CHECK_INTERVAL;
    if (this.flag) {
      // Clear a stale request atomically, but keep one the host already made for this very cell.
      const seen = atomicsLoad(this.flag, this.flagSlot);
      if (seen !== cellId) atomicsCompareExchange(this.flag, this.flagSlot, seen, 0);
    }
  }

  /** Disarms after a cell; code left running (timers of completed cells) runs unchecked by deadline. */
  end(): void {
    this.cellId = 0;
    this.stopped = undefined;
    this.deadline = Number.POSITIVE_INFINITY;
    this.countdown[0] = CHECK_INTERVAL;
  }

  /** Marks the running cell stopped (cooperative path: a message, or the deadline timer). */
  stop(reason: 'interrupt' | 'timeout'): CellInterrupt {
    this.stopped ??= new CellInterrupt(reason);
    this.countdown[0] = 0;
    return this.stopped;
  }

  /** Why the running cell must stop, if it must (`now`: a clock reading the caller already has). */
  pending(now?: number): CellInterrupt | undefined {
    if (this.stopped) return this.stopped;
    if (this.cellId === 0) return undefined;
    if (this.flag && atomicsLoad(this.flag, this.flagSlot) === this.cellId) return this.stop('interrupt');
    if ((now ?? this.now()) > this.deadline) return this.stop('timeout');
    return undefined;
  }

  /**
   * The slow path of the check: throws while the cell must stop (keeping the shared countdown
   * at 0 so every later check comes here too); else resets the shared countdown and returns
   * the next countdown for the loop-local counter that called it.
   */
  tick = (): number => {
    const now = this.now();
    const reason = this.pending(now);
    if (reason) {
      this.countdown[0] = 0;
      throw reason;
    }
    // Scale the countdown so the next tick comes about TARGET_TICK_MS from now (at most doubling).
    const elapsed = now - this.lastTick;
    this.lastTick = now;
    const scaled = elapsed > 0 ? Math.floor((this.interval * TARGET_TICK_MS) / elapsed) : MAX_INTERVAL;
    // `| 0` keeps it a small integer: a double here would turn every loop counter into a double.
    this.interval = Math.max(1, Math.min(scaled, this.interval * 2, MAX_INTERVAL)) | 0;
    this.countdown[0] = this.interval;
    return this.interval;
  };

  /** First statement of every user catch clause: an interrupt cannot be swallowed. */
  rethrow = (error: unknown): void => {
    if (error instanceof CellInterrupt) throw error;
    // Once stopped, a catch rethrows whatever it caught: near the stack limit the interrupt can surface as a RangeError.
    if (this.stopped) throw this.stopped;
  };
}
