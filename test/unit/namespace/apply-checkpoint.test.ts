import { describe, expect, it } from 'vitest';
import { applyCheckpoint } from '../../../lib/namespace/apply-checkpoint';
import { CheckpointTracker, type LiveVariables } from '../../../lib/namespace/checkpoint';
import type { Checkpoint, CheckpointGroup } from '../../../lib/protocol';

/** A group written as its names; its payload names the checkpoint it came from, to tell versions apart. */
function group(names: string[], from: string): CheckpointGroup {
  return { names, payload: from };
}

/** The held groups as `names@payload`, e.g. `a,b@c1`. */
function show(groups: readonly CheckpointGroup[]): string[] {
  return groups.map((g) => `${g.names.join(',')}@${String(g.payload)}`);
}

const cases: Array<[title: string, held: CheckpointGroup[], checkpoint: Checkpoint, expected: string[]]> = [
  [
    'a full checkpoint replaces everything',
    [group(['a'], 'c1'), group(['b'], 'c1')],
    { full: true, removed: [], groups: [group(['c'], 'c2')] },
    ['c@c2'],
  ],
  [
    'a full checkpoint with no groups empties the copy (the namespace was cleared)',
    [group(['a'], 'c1')],
    { full: true, removed: [], groups: [] },
    [],
  ],
  [
    'an incremental group replaces the held group of the same name',
    [group(['a'], 'c1'), group(['b'], 'c1')],
    { full: false, removed: [], groups: [group(['a'], 'c2')] },
    ['b@c1', 'a@c2'],
  ],
  [
    'a new name is added, the others kept',
    [group(['a'], 'c1')],
    { full: false, removed: [], groups: [group(['z'], 'c2')] },
    ['a@c1', 'z@c2'],
  ],
  [
    'a held group is dropped whole when any of its names comes again',
    [group(['a', 'b'], 'c1'), group(['c'], 'c1')],
    { full: false, removed: [], groups: [group(['b', 'c'], 'c2')] },
    ['b,c@c2'],
  ],
  [
    'one new group may replace several held ones (two groups now share an object)',
    [group(['a'], 'c1'), group(['b'], 'c1'), group(['c'], 'c1')],
    { full: false, removed: [], groups: [group(['a', 'b'], 'c2')] },
    ['c@c1', 'a,b@c2'],
  ],
  [
    'a removed name drops its group',
    [group(['a'], 'c1'), group(['b'], 'c1')],
    { full: false, removed: ['a'], groups: [] },
    ['b@c1'],
  ],
  [
    'a removed name drops its whole group; the survivors come back in the same checkpoint',
    [group(['a', 'b'], 'c1'), group(['c'], 'c1')],
    { full: false, removed: ['a'], groups: [group(['b'], 'c2')] },
    ['c@c1', 'b@c2'],
  ],
  [
    'a removed name that was never held changes nothing',
    [group(['a'], 'c1')],
    { full: false, removed: ['ghost'], groups: [] },
    ['a@c1'],
  ],
  [
    'an empty incremental checkpoint changes nothing',
    [group(['a'], 'c1')],
    { full: false, removed: [], groups: [] },
    ['a@c1'],
  ],
];

describe('applyCheckpoint', () => {
  it.each(cases)('%s', (_title, held, checkpoint, expected) => {
    const before = show(held);
    expect(show(applyCheckpoint(held, checkpoint))).toEqual(expected);
    expect(show(held)).toEqual(before);
  });
});

describe('applyCheckpoint after CheckpointTracker', () => {
  // The page's copy must always hold every live variable exactly once, whatever the cells did:
  // the worker's tracker and the page's merge together are what a restart restores from.
  type Vars = Record<string, unknown>;
  const cells: Array<[run: (v: Vars) => void, dirty: string[] | undefined, calls: boolean]> = [
    [(v) => Object.assign(v, { a: 1, b: { n: 1 }, c: [1] }), undefined, false],
    [
      (v) => {
        (v.c as unknown[]).push(v.b);
        v.d = 4;
      },
      ['c', 'b', 'd'],
      false,
    ],
    [(v) => (v.b = { fresh: true }), ['b'], false],
    [(v) => delete v.a, ['a'], false],
    [
      (v) => {
        v.e = v.c;
        delete v.d;
      },
      ['e', 'c', 'd'],
      false,
    ],
    [(v) => (v.made = 1), [], true],
    [(v) => ((v.c as unknown[]).length = 0), ['c'], false],
  ];

  it('holds every live variable exactly once, with its latest value, after each cell', () => {
    const vars: Vars = {};
    const live: LiveVariables = { names: () => Object.keys(vars), get: (name) => vars[name] };
    // A payload is the variables' values at encode time, so a stale group shows as a stale value.
    const tracker = new CheckpointTracker((names) => names.map((name) => [name, structuredClone(vars[name])]));
    let held: CheckpointGroup[] = [];
    for (const [run, dirty, calls] of cells) {
      run(vars);
      held = applyCheckpoint(held, tracker.take(live, dirty, calls));
      const restored = held.flatMap((g) => g.payload as Array<[string, unknown]>);
      expect(restored.map(([name]) => name).sort()).toEqual(Object.keys(vars).sort());
      expect(Object.fromEntries(restored)).toEqual(structuredClone(vars));
    }
  });
});
