import { describe, expect, it } from 'vitest';
import {
  CellInterrupt,
  CHECK_INTERVAL,
  InterruptGate,
  MAX_INTERVAL,
  TARGET_TICK_MS,
} from '../../../lib/executor/interrupt';

/** A clock the test moves by hand (from 0, so one step is exactly the time it says). */
function fakeClock(start = 0) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** A gate over a real shared flag (slot 0), as the worker has it. */
function gate() {
  const clock = fakeClock();
  const flag = new Int32Array(new SharedArrayBuffer(8));
  return { gate: new InterruptGate(flag, 0, clock.now), flag, clock };
}

/** What `tick()` does: returns the next countdown, or the interrupt it threw. */
function tick(g: InterruptGate): number | CellInterrupt {
  try {
    return g.tick();
  } catch (thrown) {
    if (thrown instanceof CellInterrupt) return thrown;
    throw thrown;
  }
}

describe('InterruptGate: the countdown adapts to the loop’s speed', () => {
  // [ms between the ticks, in order] → the countdown after each tick. The aim is one tick per
  // TARGET_TICK_MS: a countdown scaled by target / elapsed, at most doubled per tick, at least 1.
  const cases: Array<[title: string, elapsed: number[], intervals: number[]]> = [
    ['on target: unchanged', [TARGET_TICK_MS], [CHECK_INTERVAL]],
    ['twice too slow: halved', [TARGET_TICK_MS * 2], [CHECK_INTERVAL / 2]],
    ['ten times too slow: a tenth', [TARGET_TICK_MS * 10], [CHECK_INTERVAL / 10]],
    ['ten times too fast: grows, but only doubles per tick', [TARGET_TICK_MS / 10], [CHECK_INTERVAL * 2]],
    [
      'keeps doubling while the loop stays fast',
      [0.01, 0.01, 0.01, 0.01],
      [CHECK_INTERVAL * 2, CHECK_INTERVAL * 4, CHECK_INTERVAL * 8, CHECK_INTERVAL * 16],
    ],
    ['no time passed (a coarse clock): doubles', [0], [CHECK_INTERVAL * 2]],
    ['a very slow iteration: checks on every back-edge', [1000], [1]],
    ['never below 1', [1000, 1000], [1, 1]],
    ['recovers from 1 by doubling', [1000, 0, 0, 0], [1, 2, 4, 8]],
  ];

  it.each(cases)('%s', (_title, elapsed, intervals) => {
    const { gate: g, clock } = gate();
    g.begin(1, undefined);
    const seen = elapsed.map((ms) => {
      clock.advance(ms);
      const next = tick(g);
      expect(g.countdown[0]).toBe(next);
      return next;
    });
    expect(seen).toEqual(intervals);
  });

  it('stops growing at MAX_INTERVAL', () => {
    const { gate: g } = gate();
    g.begin(1, undefined);
    let last = 0;
    for (let i = 0; i < 40; i++) last = tick(g) as number;
    expect(last).toBe(MAX_INTERVAL);
  });

  it('starts every cell from CHECK_INTERVAL again', () => {
    const { gate: g } = gate();
    g.begin(1, undefined);
    for (let i = 0; i < 5; i++) g.tick();
    g.end();
    g.begin(2, undefined);
    expect(g.countdown[0]).toBe(CHECK_INTERVAL);
    expect(tick(g)).toBe(CHECK_INTERVAL * 2);
  });
});

describe('InterruptGate: the flag names the cell to stop', () => {
  // [flag before begin(), the cell that begins, flag written while it runs] →
  // [flag right after begin(), what the next tick does].
  const cases: Array<
    [title: string, before: number, cell: number, during: number | undefined, after: number, outcome: string]
  > = [
    ['a clear flag lets the cell run', 0, 5, undefined, 0, 'runs'],
    ['a request for this cell stops it', 0, 5, 5, 0, 'interrupt'],
    ['a stale request (an earlier cell) is cleared at begin and ignored', 4, 5, undefined, 0, 'runs'],
    ['a request for another cell id is ignored', 0, 5, 4, 0, 'runs'],
    ['a request for a later cell is ignored too', 0, 5, 6, 0, 'runs'],
    ['a request made for this cell before it began is kept', 5, 5, undefined, 5, 'interrupt'],
    [
      "a deadline mark (-id) made for this cell before it began is kept; the cell's own clock decides",
      -5,
      5,
      undefined,
      -5,
      'runs',
    ],
    ['a stale deadline mark is cleared at begin', -4, 5, undefined, 0, 'runs'],
  ];

  it.each(cases)('%s', (_title, before, cell, during, after, outcome) => {
    const { gate: g, flag } = gate();
    flag[0] = before;
    g.begin(cell, undefined);
    expect(Atomics.load(flag, 0)).toBe(after);
    if (during !== undefined) Atomics.store(flag, 0, during);
    const result = tick(g);
    expect(result instanceof CellInterrupt ? result.reason : 'runs').toBe(outcome);
  });

  it('once stopped, every later tick throws the same interrupt and keeps the countdown at 0', () => {
    const { gate: g, flag } = gate();
    g.begin(3, undefined);
    Atomics.store(flag, 0, 3);
    const first = tick(g);
    Atomics.store(flag, 0, 0);
    expect(tick(g)).toBe(first);
    expect(g.countdown[0]).toBe(0);
  });

  // [flag written while cell 5 runs (cells up to 5 have begun)] → the flag after the next tick.
  it.each([
    ['a stop for an earlier cell is dropped', 4, 0],
    ['a deadline mark of an earlier cell is dropped', -3, 0],
    ['a stop for a later cell (the page ran ahead) stays for it', 6, 6],
  ])('tick: %s', (_title, during, after) => {
    const { gate: g, flag } = gate();
    g.begin(5, undefined);
    Atomics.store(flag, 0, during);
    expect(tick(g)).toBe(CHECK_INTERVAL * 2);
    expect(Atomics.load(flag, 0)).toBe(after);
  });

  it('a deadline mark (-id) times the cell out only once its own clock says so', () => {
    const { gate: g, flag, clock } = gate();
    g.begin(5, 100);
    Atomics.store(flag, 0, -5);
    clock.advance(99);
    expect(tick(g)).not.toBeInstanceOf(CellInterrupt);
    expect(Atomics.load(flag, 0)).toBe(-5);
    clock.advance(2);
    expect((tick(g) as CellInterrupt).reason).toBe('timeout');
  });

  it('flagView is the flag slot itself, and only it', () => {
    const { gate: g, flag } = gate();
    expect(g.flagView?.length).toBe(1);
    Atomics.store(flag, 0, 9);
    expect(g.flagView?.[0]).toBe(9);
    expect(new InterruptGate(undefined, 0).flagView).toBeUndefined();
  });

  it('after end(), a request for the finished cell does nothing', () => {
    const { gate: g, flag } = gate();
    g.begin(3, undefined);
    g.end();
    Atomics.store(flag, 0, 3);
    expect(g.pending()).toBeUndefined();
  });

  it('works without a flag (no SharedArrayBuffer): only stop() and the deadline end a cell', () => {
    const clock = fakeClock();
    const g = new InterruptGate(undefined, 0, clock.now);
    g.begin(1, undefined);
    expect(tick(g)).toBe(CHECK_INTERVAL * 2);
    g.stop('interrupt');
    expect(g.countdown[0]).toBe(0);
    expect((tick(g) as CellInterrupt).reason).toBe('interrupt');
  });
});

describe('InterruptGate: the deadline', () => {
  // [timeoutMs, ms after begin() when the check runs] → what the check does.
  const cases: Array<[timeoutMs: number | undefined, at: number, outcome: string]> = [
    [100, 0, 'runs'],
    [100, 99.9, 'runs'],
    [100, 100, 'runs'],
    [100, 100.1, 'timeout'],
    [100, 5000, 'timeout'],
    [0, 0.1, 'timeout'],
    [undefined, 1e9, 'runs'],
  ];

  it.each(cases)('timeoutMs %s, checked at %s ms → %s', (timeoutMs, at, outcome) => {
    const { gate: g, clock } = gate();
    g.begin(1, timeoutMs);
    clock.advance(at);
    const result = tick(g);
    expect(result instanceof CellInterrupt ? result.reason : 'runs').toBe(outcome);
  });

  it('counts from begin(), not from construction', () => {
    const { gate: g, clock } = gate();
    clock.advance(10_000);
    g.begin(1, 100);
    clock.advance(50);
    expect(g.pending()).toBeUndefined();
  });

  it('is dropped by end(): a timer of a finished cell runs unbounded', () => {
    const { gate: g, clock } = gate();
    g.begin(1, 100);
    g.end();
    clock.advance(1000);
    expect(g.pending()).toBeUndefined();
  });

  it('pending(now) uses the caller’s clock reading', () => {
    const { gate: g } = gate();
    g.begin(1, 100);
    expect(g.pending(50)).toBeUndefined();
    expect(g.pending(150)?.reason).toBe('timeout');
  });

  it('the first reason wins: a timeout after an interrupt stays an interrupt', () => {
    const { gate: g, clock } = gate();
    g.begin(1, 100);
    const first = g.stop('interrupt');
    clock.advance(500);
    expect(g.stop('timeout')).toBe(first);
    expect(first.reason).toBe('interrupt');
  });
});

describe('InterruptGate: rethrow, the first statement of every user catch', () => {
  it.each<[title: string, stopped: boolean, caught: unknown, rethrows: string]>([
    ['an interrupt is rethrown', false, new CellInterrupt('timeout'), 'timeout'],
    ['the user’s own error is left to the catch', false, new Error('mine'), 'nothing'],
    [
      'once stopped, anything caught rethrows the interrupt (a stack overflow near the limit)',
      true,
      new RangeError('Maximum call stack size exceeded'),
      'interrupt',
    ],
  ])('%s', (_title, stopped, caught, rethrows) => {
    const { gate: g } = gate();
    g.begin(1, undefined);
    if (stopped) g.stop('interrupt');
    let thrown: unknown;
    try {
      g.rethrow(caught);
    } catch (error) {
      thrown = error;
    }
    expect(thrown instanceof CellInterrupt ? thrown.reason : thrown === undefined ? 'nothing' : 'other').toBe(rethrows);
  });
});
