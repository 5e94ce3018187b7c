/**
 * Checkpoints see changes made through top-level `this` (issue 11): at a cell's top level, and
 * in arrow functions made there, `this` is the global object, so `this.arr.push(4)` changes a
 * variable without naming it. The change must survive a hard restart (the namespace then comes
 * from the last checkpoint).
 */
import { expect, it } from 'vitest';
import { openSession } from './helpers';

it.each([
  [['this.arr.push(4)']],
  [['this["arr"][3] = 4']],
  [['{ const t = this; t.arr.push(4) }']],
  // An arrow keeps the top level's `this`: the cell that calls it changes arr.
  [['var grow = () => this.arr.push(4)', 'grow()']],
])('%j (through top-level this) survives a restart', async (writes) => {
  const s = await openSession({ interruptGraceMs: 100 });
  expect((await s.execute('this.arr = [1, 2, 3]; 0')).value).toBe(0);
  // (No cell may name arr before the restart: naming it makes the checkpoint look at it.)
  for (const write of writes) expect((await s.execute(`${write}; 0`)).status).toBe('ok');
  expect((await s.execute('this.arr.length')).value).toBe(4);
  // Only the hard path stops this loop (eval'd code has no interrupt checks): the namespace comes from the checkpoint.
  const r = await s.execute('eval("while (true) {}")', { timeoutMs: 100 });
  expect(r).toMatchObject({ status: 'timeout', restarted: true });
  expect((await s.execute('arr')).value).toEqual([1, 2, 3, 4]);
});
