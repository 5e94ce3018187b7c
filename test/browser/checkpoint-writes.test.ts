/**
 * Checkpoints see changes made through the global object (issue 11): a cell that changes the
 * inside of a variable's value without naming the variable (`globalThis["arr"].push(4)`) must
 * not lose the change on a restart. The reassignment routes (`globalThis.a = 2`, `eval`…) are
 * in console-semantics.test.ts.
 */
import { expect, it } from 'vitest';
import { openSession } from './helpers';

it.each([
  ['globalThis["arr"][3] = 4'],
  ['self.arr[3] = 4'],
  ['globalThis["arr"].push(4)'],
  ['Reflect.get(globalThis, "arr").push(4)'],
  ['Object.values(globalThis).forEach((v) => Array.isArray(v) && v.push(4))'],
  ['grow()'],
])('%s (a cell that does not name arr) survives a restart', async (write) => {
  const s = await openSession({ interruptGraceMs: 100 });
  await s.execute('var arr = [1, 2, 3]');
  // A function that reaches arr without naming it: only a string names it.
  await s.execute('function grow() { eval("ar" + "r.push(4)") }');
  expect((await s.execute(`${write}; 0`)).value).toBe(0);
  // Only the hard path stops this loop (eval'd code has no interrupt checks): the namespace comes from the checkpoint.
  const r = await s.execute('eval("while (true) {}")', { timeoutMs: 100 });
  expect(r).toMatchObject({ status: 'timeout', restarted: true });
  expect((await s.execute('arr')).value).toEqual([1, 2, 3, 4]);
});
