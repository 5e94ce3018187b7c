/**
 * Timers belong to the cell that made them: `setTimeout`/`setInterval` are wrapped so
 * every timer records its owner (the running cell, or — for a timer made by a timer
 * callback — that callback's owner). Stopping a cell clears everything it left behind.
 * The wrappers themselves are engine work (owner tracking, on the engine's built-ins); the
 * callback is user code (run with the user's own patches of the built-ins).
 */
import { applyPristine, engineGuard } from '../lockdown/intrinsics.ts';

type TimerId = ReturnType<typeof setTimeout>;
type Callback = (...args: unknown[]) => void;

export class CellTimers {
  private readonly owned = new Map<number, Map<TimerId, 'timeout' | 'interval'>>();
  /** Owner of the code running right now: the running cell, or the owner of the running timer callback. */
  private current = 0;
  private readonly real: {
    setTimeout: typeof setTimeout;
    setInterval: typeof setInterval;
    clearTimeout: typeof clearTimeout;
    clearInterval: typeof clearInterval;
  };

  constructor(
    scope: typeof globalThis,
    private readonly onCallbackError: (error: unknown) => void,
  ) {
    this.real = {
      setTimeout: scope.setTimeout.bind(scope),
      setInterval: scope.setInterval.bind(scope),
      clearTimeout: scope.clearTimeout.bind(scope),
      clearInterval: scope.clearInterval.bind(scope),
    };
  }

  /** The engine's own timers, unaffected by what user code does to the globals. */
  get engine() {
    return this.real;
  }

  setOwner(cellId: number): void {
    this.current = cellId;
  }

  /** Replaces the timer globals with owner-tracking versions. */
  install(scope: typeof globalThis): void {
    const make =
      (kind: 'timeout' | 'interval') =>
      (handler: unknown, delay?: number, ...args: unknown[]): TimerId => {
        if (typeof handler !== 'function') {
          throw new TypeError(
            `[sandcell] set${kind === 'timeout' ? 'Timeout' : 'Interval'} needs a function (strings are not evaluated in sandcell) — pass () => { … }`,
          );
        }
        const owner = this.current;
        const guard = engineGuard();
        const run = () => {
          const previous = this.current;
          this.current = owner;
          if (kind === 'timeout') this.forget(owner, id);
          try {
            guard.user(() => applyPristine(handler as Callback, scope, args));
          } catch (error) {
            this.onCallbackError(error);
          } finally {
            this.current = previous;
          }
        };
        const id: TimerId = kind === 'timeout' ? this.real.setTimeout(run, delay) : this.real.setInterval(run, delay);
        let timers = this.owned.get(owner);
        if (!timers) this.owned.set(owner, (timers = new Map()));
        timers.set(id, kind);
        return id;
      };
    const clear = (id: TimerId | undefined) => {
      if (id === undefined) return;
      this.real.clearTimeout(id);
      this.real.clearInterval(id);
      for (const [owner, timers] of this.owned) if (timers.delete(id) && timers.size === 0) this.owned.delete(owner);
    };
    // Non-enumerable like the originals: they are the worker's globals, not user variables.
    const guard = engineGuard();
    const globals = {
      setTimeout: guard.wrapEngine(make('timeout')),
      setInterval: guard.wrapEngine(make('interval')),
      clearTimeout: guard.wrapEngine(clear),
      clearInterval: guard.wrapEngine(clear),
    };
    for (const [name, value] of Object.entries(globals)) {
      Object.defineProperty(scope, name, { value, writable: true, enumerable: false, configurable: true });
    }
  }

  private forget(owner: number, id: TimerId): void {
    const timers = this.owned.get(owner);
    if (timers?.delete(id) && timers.size === 0) this.owned.delete(owner);
  }

  /** Clears every timer owned by `cellId` (or by every cell when `cellId` is undefined); returns how many. */
  clear(cellId?: number): number {
    let cleared = 0;
    for (const [owner, timers] of [...this.owned]) {
      if (cellId !== undefined && owner !== cellId) continue;
      for (const [id, kind] of timers) {
        if (kind === 'timeout') this.real.clearTimeout(id);
        else this.real.clearInterval(id);
        cleared++;
      }
      this.owned.delete(owner);
    }
    return cleared;
  }

  pending(cellId: number): number {
    return this.owned.get(cellId)?.size ?? 0;
  }
}
