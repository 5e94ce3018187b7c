/**
 * The interrupt check that instrumented cells call. Generated code decrements a countdown
 * at every function entry (one shared by all cells) and calls `tick()` when it runs out;
 * only then are the shared flag and the deadline read. Loop back-edges either load the
 * shared flag (with shared memory: `tick()` only once it is up) or count down a loop-local
 * counter (without: the worker alone watches its deadline).
 *
 * With shared memory the host raises the flag for two reasons: `cellId` to stop that cell,
 * and `-cellId` when that cell's deadline passed by the host's clock (a timer on the page or
 * in the session's frame, since a loop that only loads the flag never reads a clock). The
 * worker still decides a timeout by its own clock: a `-cellId` raised a little early (the
 * host's timer started before the cell did) makes every check tick until it has.
 *
 * The countdown adapts: reading the clock costs a call into the browser, so `tick()` aims
 * for about one call per TARGET_TICK_MS whatever the loop does — a loop of 1 ns iterations
 * gets a long countdown, a loop of 1 ms iterations checks on every back-edge. That keeps
 * both the overhead (a few clock reads per millisecond) and the interrupt latency small.
 */

// Calls only primordials: a cell that patches Atomics, Math or performance must not switch off its interrupts.
import {
  AtomicsCompareExchange,
  AtomicsLoad,
  Int32ArrayCtor,
  now as nowPristine,
  ObjectFreeze,
  SafeWeakSet,
} from '../primordials.ts';

/** The countdown a cell starts with (and a loop-local counter starts from). */
export const CHECK_INTERVAL = 100;
/** Aimed time between two ticks; tuned by `npm run bench` (instrumented vs plain loop, interrupt latency). */
export const TARGET_TICK_MS = 0.2;
/** The longest countdown: about 16 ms of a loop whose iterations take 1 ns. */
export const MAX_INTERVAL = 1 << 24;

/** Every interrupt the engine made: only these count as one (a cell cannot forge one). */
const interrupts = new SafeWeakSet<object>();

/**
 * Thrown into a cell to stop it. Not an Error subclass on purpose: user code that checks
 * `e instanceof Error` does not mistake it for its own; instrumented catch clauses rethrow it.
 * Frozen, like its class: user code that catches one (a `.catch()` on a promise) cannot change it.
 */
export class CellInterrupt {
  constructor(readonly reason: 'interrupt' | 'timeout') {
    interrupts.add(this);
    ObjectFreeze(this);
  }
  get message(): string {
    return this.reason === 'timeout'
      ? '[sandcell] the cell ran past its time limit'
      : '[sandcell] the cell was interrupted';
  }
}
ObjectFreeze(CellInterrupt.prototype);
ObjectFreeze(CellInterrupt);

/**
 * Whether `value` is an interrupt the engine made. Never `instanceof`: it walks the value's
 * prototype chain, which a cell's proxy can answer with code of its own.
 */
export function isInterrupt(value: unknown): value is CellInterrupt {
  return typeof value === 'object' && value !== null && interrupts.has(value);
}

/** The flag reader and deadline for the cell that is running now. */
export class InterruptGate {
  /** The countdown shared by every compiled cell (a plain, not shared, buffer: only this thread writes it). */
  readonly countdown = new Int32ArrayCtor(1);
  /**
   * What loop checks load (`__sc$.i`): a one-slot view of the shared flag, so a cell that
   * reaches it sees nothing else of the control buffer; undefined without shared memory.
   */
  readonly flagView: Int32Array | undefined;
  private cellId = 0;
  /** The newest cell begun: a request for an older one is stale, one for a newer one waits for it. */
  private lastBegun = 0;
  private deadline = Infinity;
  private stopped: CellInterrupt | undefined;
  // Made once: stopping allocates nothing, so it still works a few frames from the stack
  // limit (a recursion is stopped where it is deepest).
  private readonly interrupted = new CellInterrupt('interrupt');
  private readonly timedOut = new CellInterrupt('timeout');
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
    now: () => number = nowPristine,
  ) {
    this.now = now;
    this.countdown[0] = CHECK_INTERVAL;
    this.flagView = flag ? new Int32ArrayCtor(flag.buffer, flag.byteOffset + flagSlot * 4, 1) : undefined;
  }

  /** Arms the gate for a new cell; a request left over for an earlier cell id can no longer match. */
  begin(cellId: number, timeoutMs: number | undefined): void {
    this.cellId = cellId;
    if (cellId > this.lastBegun) this.lastBegun = cellId;
    this.stopped = undefined;
    this.lastTick = this.now();
    this.deadline = timeoutMs === undefined ? Infinity : this.lastTick + timeoutMs;
    this.interval = CHECK_INTERVAL;
    this.countdown[0] = CHECK_INTERVAL;
    if (this.flag) {
      // Clear a stale request atomically, but keep one the host already made for this very cell.
      const seen = AtomicsLoad(this.flag, this.flagSlot);
      if (seen !== cellId && seen !== -cellId) AtomicsCompareExchange(this.flag, this.flagSlot, seen, 0);
    }
  }

  /** Disarms after a cell; code left running (timers of completed cells) runs unchecked by deadline. */
  end(): void {
    this.cellId = 0;
    this.stopped = undefined;
    this.deadline = Infinity;
    this.countdown[0] = CHECK_INTERVAL;
  }

  /** Marks the running cell stopped (cooperative path: a message, or the deadline timer). */
  stop(reason: 'interrupt' | 'timeout'): CellInterrupt {
    this.stopped ??= reason === 'timeout' ? this.timedOut : this.interrupted;
    this.countdown[0] = 0;
    return this.stopped;
  }

  /** Why the running cell must stop, if it must (`now`: a clock reading the caller already has). */
  pending(now?: number): CellInterrupt | undefined {
    if (this.stopped) return this.stopped;
    if (this.flag) {
      const requested = AtomicsLoad(this.flag, this.flagSlot);
      if (requested !== 0 && this.cellId !== 0 && requested === this.cellId) return this.stop('interrupt');
      // A request for a cell that is over would make every flag check tick: drop it (atomically:
      // one the host makes now for a newer cell stays).
      const of = requested < 0 ? -requested : requested;
      if (requested !== 0 && of !== this.cellId && of <= this.lastBegun) {
        AtomicsCompareExchange(this.flag, this.flagSlot, requested, 0);
      }
    }
    if (this.cellId === 0) return undefined;
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
    // Comparisons, not Math.min/max: Math is a cell's to patch.
    let next = elapsed > 0 ? (this.interval * TARGET_TICK_MS) / elapsed : MAX_INTERVAL;
    if (next > this.interval * 2) next = this.interval * 2;
    if (next > MAX_INTERVAL) next = MAX_INTERVAL;
    // `| 0` keeps it a small integer: a double here would turn every loop counter into a double.
    this.interval = next < 1 ? 1 : next | 0;
    this.countdown[0] = this.interval;
    return this.interval;
  };

  /** Why the running cell was stopped, if the engine stopped it: only this makes a result 'interrupted' or 'timeout'. */
  get stopReason(): 'interrupt' | 'timeout' | undefined {
    return this.stopped?.reason;
  }

  /** First statement of every user catch clause: an interrupt cannot be swallowed. */
  rethrow = (error: unknown): void => {
    if (isInterrupt(error)) throw error;
    // Once stopped, a catch rethrows whatever it caught: near the stack limit the interrupt can surface as a RangeError.
    if (this.stopped) throw this.stopped;
  };
}
