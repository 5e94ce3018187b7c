/**
 * Timers belong to the cell that made them: `setTimeout`/`setInterval` are wrapped so
 * every timer records its owner (the running cell, or — for a timer made by a timer
 * callback — that callback's owner). Stopping a cell clears everything it left behind.
 * The wrappers run inside user code, with a cell's patches to the built-ins in force, so
 * they use only primordials (lib/primordials.ts); the callback itself is the user's.
 */
import { ObjectDefineProperty, ReflectApply, SafeMap, TypeErrorCtor } from '../../primordials.ts';
import { engineGuard } from '../lockdown/intrinsics.ts';

type TimerId = ReturnType<typeof setTimeout>;
type Callback = (...args: unknown[]) => void;

export class CellTimers {
  private readonly owned = new SafeMap<number, SafeMap<TimerId, 'timeout' | 'interval'>>();
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
    const guard = engineGuard();
    const make =
      (kind: 'timeout' | 'interval') =>
      (handler: unknown, delay?: number, ...args: unknown[]): TimerId => {
        if (typeof handler !== 'function') {
          throw new TypeErrorCtor(
            `[sandcell] set${kind === 'timeout' ? 'Timeout' : 'Interval'} needs a function (strings are not evaluated in sandcell) — pass () => { … }`,
          );
        }
        const owner = this.current;
        const run = () => {
          const previous = this.current;
          this.current = owner;
          if (kind === 'timeout') this.forget(owner, id);
          try {
            // Outside cold engine work this is a plain call; during it, the user's patches come back for the callback.
            guard.user(() => ReflectApply(handler as Callback, scope, args));
          } catch (error) {
            this.onCallbackError(error);
          } finally {
            this.current = previous;
          }
        };
        const id: TimerId = kind === 'timeout' ? this.real.setTimeout(run, delay) : this.real.setInterval(run, delay);
        let timers = this.owned.get(owner);
        if (!timers) this.owned.set(owner, (timers = new SafeMap()));
        timers.set(id, kind);
        return id;
      };
    const clear = (id: TimerId | undefined) => {
      if (id === undefined) return;
      this.real.clearTimeout(id);
      this.real.clearInterval(id);
      this.owned.forEach((timers, owner) => {
        if (timers.delete(id) && timers.size === 0) this.owned.delete(owner);
      });
    };
    // Non-enumerable like the originals: they are the worker's globals, not user variables.
    const globals: Array<[string, unknown]> = [
      ['setTimeout', make('timeout')],
      ['setInterval', make('interval')],
      ['clearTimeout', clear],
      ['clearInterval', clear],
    ];
    for (const [name, value] of globals) {
      ObjectDefineProperty(scope, name, { value, writable: true, enumerable: false, configurable: true });
    }
  }

  private forget(owner: number, id: TimerId): void {
    const timers = this.owned.get(owner);
    if (timers?.delete(id) && timers.size === 0) this.owned.delete(owner);
  }

  /** Clears every timer owned by `cellId` (or by every cell when `cellId` is undefined); returns how many. */
  clear(cellId?: number): number {
    let cleared = 0;
    const real = this.real;
    const owners = new SafeMap<number, true>();
    this.owned.forEach((timers, owner) => {
      if (cellId !== undefined && owner !== cellId) return;
      timers.forEach((kind, id) => {
        if (kind === 'timeout') real.clearTimeout(id);
        else real.clearInterval(id);
        cleared++;
      });
      owners.set(owner, true);
    });
    owners.forEach((_, owner) => {
      this.owned.delete(owner);
    });
    return cleared;
  }

  pending(cellId: number): number {
    return this.owned.get(cellId)?.size ?? 0;
  }
}
