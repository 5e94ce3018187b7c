import { describe, expect, it } from 'vitest';
import { CheckpointTracker, type LiveVariables } from '../../../lib/namespace/checkpoint';
import type { Checkpoint } from '../../../lib/protocol';

/** The namespace of a test: a plain record standing for the worker's variables. */
type Vars = Record<string, unknown>;

/** One cell: what it does to the variables, and what the runtime knows about it. */
interface Cell {
  run: (vars: Vars) => void;
  /** The names the cell mentions or declares; omitted → a full checkpoint. */
  dirty?: string[];
  /** The cell calls something (it may have run functions defined earlier). */
  calls?: boolean;
  /** The cell defines functions that mention these names. */
  defines?: string[];
}

/** What a checkpoint says, in an order-free form: groups and their names sorted. */
interface Outcome {
  full: boolean;
  removed: string[];
  groups: string[][];
}

function view(vars: Vars): LiveVariables {
  return { names: () => Object.keys(vars), get: (name) => vars[name] };
}

function outcome(checkpoint: Checkpoint): Outcome {
  return {
    full: checkpoint.full,
    removed: [...checkpoint.removed].sort(),
    groups: checkpoint.groups.map((group) => [...group.names].sort()).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
  };
}

/** Runs the cells in order, a checkpoint after each; returns every checkpoint. */
function runCells(cells: Cell[]): { checkpoints: Checkpoint[]; encoded: string[][] } {
  const encoded: string[][] = [];
  const tracker = new CheckpointTracker((names) => {
    encoded.push([...names]);
    return { payloadOf: [...names] };
  });
  const vars: Vars = {};
  const checkpoints = cells.map((cell) => {
    cell.run(vars);
    if (cell.defines) tracker.noteFunctions(cell.defines);
    return tracker.take(view(vars), cell.dirty, cell.calls === true);
  });
  return { checkpoints, encoded };
}

class Point {
  constructor(readonly x: number) {}
}

const cases: Array<[title: string, cells: Cell[], last: Outcome]> = [
  [
    'a full checkpoint puts unrelated variables in groups of their own',
    [{ run: (v) => Object.assign(v, { a: 1, b: 'two', c: [3] }) }],
    { full: true, removed: [], groups: [['a'], ['b'], ['c']] },
  ],
  [
    'an object shared by two variables puts them in one group',
    [
      {
        run: (v) => {
          const shared = { n: 1 };
          Object.assign(v, { a: { shared }, b: [shared], c: 3 });
        },
      },
    ],
    { full: true, removed: [], groups: [['a', 'b'], ['c']] },
  ],
  [
    'a cycle through two variables is one group',
    [
      {
        run: (v) => {
          const x: Vars = {};
          const y: Vars = { x };
          x.y = y;
          Object.assign(v, { x, y });
        },
      },
    ],
    { full: true, removed: [], groups: [['x', 'y']] },
  ],
  [
    'an instance lands in its class’s group (its prototype is restored from the class)',
    [{ run: (v) => Object.assign(v, { Point, p: new Point(1), q: 2 }) }],
    { full: true, removed: [], groups: [['Point', 'p'], ['q']] },
  ],
  [
    'built-in prototypes join nothing: two arrays and two Maps stay apart',
    [{ run: (v) => Object.assign(v, { a: [], b: [], m: new Map(), n: new Map() }) }],
    { full: true, removed: [], groups: [['a'], ['b'], ['m'], ['n']] },
  ],
  [
    'an incremental checkpoint re-encodes only the dirty names',
    [{ run: (v) => Object.assign(v, { a: 1, b: 2 }) }, { run: (v) => (v.a = 10), dirty: ['a'] }],
    { full: false, removed: [], groups: [['a']] },
  ],
  [
    'a name the cell mentions but that is not a variable is ignored',
    [{ run: (v) => Object.assign(v, { a: 1 }) }, { run: () => {}, dirty: ['Math', 'console'] }],
    { full: false, removed: [], groups: [] },
  ],
  [
    'a new variable is included even when the cell did not mention it (a function made it)',
    [{ run: (v) => Object.assign(v, { a: 1 }) }, { run: (v) => (v.made = 2), dirty: [] }],
    { full: false, removed: [], groups: [['made']] },
  ],
  [
    'a group is replaced whole: touching one member re-encodes the others',
    [
      {
        run: (v) => {
          const shared = {};
          Object.assign(v, { a: { shared }, b: { shared }, c: 1 });
        },
      },
      { run: (v) => ((v.a as Vars).n = 1), dirty: ['a'] },
    ],
    { full: false, removed: [], groups: [['a', 'b']] },
  ],
  [
    'a member given a new value still brings its old group along (the host drops groups whole)',
    [
      {
        run: (v) => {
          const shared = {};
          Object.assign(v, { a: { shared }, b: { shared } });
        },
      },
      { run: (v) => (v.a = { fresh: true }), dirty: ['a'] },
    ],
    { full: false, removed: [], groups: [['a', 'b']] },
  ],
  [
    'a variable that now reaches an object of another group joins that group',
    [
      { run: (v) => Object.assign(v, { a: { inner: { n: 1 } }, b: {} }) },
      { run: (v) => ((v.b as Vars).inner = (v.a as Vars).inner), dirty: ['b'] },
    ],
    { full: false, removed: [], groups: [['a', 'b']] },
  ],
  [
    'a deleted variable is reported removed; the rest of its group is sent again',
    [
      {
        run: (v) => {
          const shared = {};
          Object.assign(v, { a: { shared }, b: { shared }, c: 1 });
        },
      },
      { run: (v) => delete v.a, dirty: ['a'] },
    ],
    { full: false, removed: ['a'], groups: [['b']] },
  ],
  [
    'a call re-encodes the names that function-defining cells mention',
    [
      { run: (v) => Object.assign(v, { counter: { n: 0 }, other: 1 }) },
      { run: (v) => (v.bump = () => {}), dirty: ['bump'], defines: ['counter'] },
      { run: (v) => ((v.counter as { n: number }).n += 1), dirty: ['bump'], calls: true },
    ],
    { full: false, removed: [], groups: [['bump'], ['counter']] },
  ],
  [
    'without a call, what function-defining cells mention is left alone',
    [
      { run: (v) => Object.assign(v, { counter: { n: 0 }, other: 1 }) },
      { run: (v) => (v.bump = () => {}), dirty: ['bump'], defines: ['counter'] },
      { run: () => {}, dirty: ['other'] },
    ],
    { full: false, removed: [], groups: [['other']] },
  ],
  [
    'a cell that mentions globalThis may have changed the inside of any value: all are re-encoded',
    [
      { run: (v) => Object.assign(v, { arr: [1], other: 1 }) },
      { run: (v) => (v.arr as number[]).push(2), dirty: ['globalThis'], calls: true },
    ],
    { full: false, removed: [], groups: [['arr'], ['other']] },
  ],
  [
    'so does one that mentions self, or builds code from a string',
    [
      { run: (v) => Object.assign(v, { o: { x: 1 }, other: 1 }) },
      { run: (v) => ((v.o as Vars).x = 2), dirty: ['self'] },
      { run: (v) => ((v.o as Vars).x = 3), dirty: ['Function'], calls: true },
    ],
    { full: false, removed: [], groups: [['o'], ['other']] },
  ],
  [
    'a call, after a function that mentions eval was defined, re-encodes every value',
    [
      { run: (v) => Object.assign(v, { arr: [1], other: 1 }) },
      { run: (v) => (v.f = () => {}), dirty: ['f'], defines: ['eval'] },
      { run: (v) => (v.arr as number[]).push(2), dirty: ['f'], calls: true },
    ],
    { full: false, removed: [], groups: [['arr'], ['f'], ['other']] },
  ],
  [
    'without a call, a function that mentions globalThis changes nothing',
    [
      { run: (v) => Object.assign(v, { arr: [1], other: 1 }) },
      { run: (v) => (v.f = () => {}), dirty: ['f'], defines: ['globalThis'] },
      { run: () => {}, dirty: ['other'] },
    ],
    { full: false, removed: [], groups: [['other']] },
  ],
];

describe('CheckpointTracker', () => {
  it.each(cases)('%s', (_title, cells, last) => {
    const { checkpoints } = runCells(cells);
    expect(outcome(checkpoints[checkpoints.length - 1])).toEqual(last);
  });

  it('encodes each group once, by its names, and sends that payload', () => {
    const { checkpoints, encoded } = runCells([
      {
        run: (v) => {
          const shared = {};
          Object.assign(v, { a: { shared }, b: { shared }, c: 1 });
        },
      },
    ]);
    const groups = checkpoints[0].groups;
    expect(encoded.map((names) => [...names].sort())).toEqual(groups.map((g) => [...g.names].sort()));
    for (const group of groups) expect(group.payload).toEqual({ payloadOf: group.names });
  });

  it('after reset() every variable is new again', () => {
    const tracker = new CheckpointTracker((names) => names);
    const vars: Vars = { a: 1, b: 2 };
    tracker.take(view(vars), undefined, false);
    expect(tracker.take(view(vars), [], false).groups).toEqual([]);
    tracker.reset();
    expect(outcome(tracker.take(view(vars), [], false))).toEqual({
      full: false,
      removed: [],
      groups: [['a'], ['b']],
    });
  });

  it('a variable whose value cannot be read is still checkpointed by name', () => {
    const tracker = new CheckpointTracker((names) => names);
    const hostile: LiveVariables = {
      names: () => ['ok', 'bad'],
      get: (name) => {
        if (name === 'bad') throw new Error('getter threw');
        return 1;
      },
    };
    expect(outcome(tracker.take(hostile, undefined, false))).toEqual({
      full: true,
      removed: [],
      groups: [['bad'], ['ok']],
    });
  });
});

describe('CheckpointTracker.takePrimitives (the worker hot path)', () => {
  it('records each name’s binding kind, as the full path does, so a restart declares it the same way', () => {
    const tracker = new CheckpointTracker(() => undefined);
    const vars: Vars = { Array: 1, k: 'x', g: true };
    const kinds: Record<string, string> = { Array: 'let', k: 'const' };
    tracker.take(view({}), undefined, false);
    const live: LiveVariables = { ...view(vars), kindOf: (name) => kinds[name] };
    const checkpoint = structuredClone(tracker.takePrimitives(live, ['Array', 'k', 'g'], false));
    expect(checkpoint?.groups.map((group) => (group.payload as { kinds?: unknown }).kinds)).toEqual([
      [['Array', 'let']],
      [['k', 'const']],
      [['g', 'global']],
    ]);
  });

  /** Every cell's checkpoint, taking the primitive path wherever it answers (as the runtime does). */
  function runFast(cells: Cell[]): { checkpoints: Checkpoint[]; fast: number } {
    const tracker = new CheckpointTracker((names) => ({ payloadOf: [...names] }));
    const vars: Vars = {};
    let fast = 0;
    const checkpoints = cells.map((cell) => {
      cell.run(vars);
      if (cell.defines) tracker.noteFunctions(cell.defines);
      const quick = cell.dirty ? tracker.takePrimitives(view(vars), cell.dirty, cell.calls === true) : undefined;
      if (quick === undefined) return tracker.take(view(vars), cell.dirty, cell.calls === true);
      fast++;
      // What the page gets is a structured clone (the engine's own lists have no prototype).
      return structuredClone(quick);
    });
    return { checkpoints, fast };
  }

  it.each(cases)('%s: the same checkpoints as take()', (_title, cells) => {
    const slow = runCells(cells).checkpoints.map(outcome);
    const { checkpoints } = runFast(cells);
    expect(checkpoints.map(outcome)).toEqual(slow);
  });

  it.each<[string, Cell[], number]>([
    [
      'primitives only: every checkpoint after the first takes the fast path',
      [
        { run: (v) => Object.assign(v, { a: 1, b: 'x' }) },
        { run: (v) => (v.a = 2), dirty: ['a'] },
        { run: (v) => (v.c = 3n), dirty: ['c'] },
        { run: (v) => delete v.b, dirty: [] },
      ],
      3,
    ],
    [
      'a primitive written where the cell does not name it (globalThis[k] = …) is still sent',
      [{ run: (v) => (v.a = 1) }, { run: (v) => (v.a = 2), dirty: [] }],
      1,
    ],
    [
      'an object in a dirty name sends it down the full path',
      [{ run: (v) => (v.a = 1) }, { run: (v) => (v.a = { n: 1 }), dirty: ['a'] }],
      0,
    ],
    [
      'a name that shares its group with another goes the full path',
      [
        {
          run: (v) => {
            v.o = { n: 1 };
            v.p = v.o;
          },
        },
        { run: (v) => (v.o = 1), dirty: ['o'] },
      ],
      0,
    ],
    [
      'removing a name that shared its group goes the full path (the survivor is sent again)',
      [
        {
          run: (v) => {
            v.o = 1;
            v.p = 2;
            v.q = [v.o];
            v.r = v.q;
          },
        },
        { run: (v) => delete v.r, dirty: [] },
        { run: (v) => (v.o = 5), dirty: ['o'] },
      ],
      1,
    ],
    [
      'a symbol goes the full path (structured clone refuses it)',
      [{ run: (v) => (v.s = Symbol('s')), dirty: ['s'] }],
      0,
    ],
  ])('%s', (_title, cells, fast) => {
    const slow = runCells(cells).checkpoints.map(outcome);
    const run = runFast(cells);
    expect(run.checkpoints.map(outcome)).toEqual(slow);
    expect(run.fast).toBe(fast);
  });
});
