// Rendering a big result (issue 11): repr of a 10,000- and a 100,000-row array, beside
// JSON.stringify of the same rows, both timed inside the worker in the same run. repr renders
// the first 100 rows whatever the length, so its time should not grow with the array.
import { createSession } from '/dist/sandcell.js';
import { figure, rounds } from '../lib/stats.js';

export default async function render({ quick }) {
  const plan = quick ? { rounds: 2, reps: 3 } : { rounds: 5, reps: 10 };
  const session = await createSession();
  const figures = [];
  for (const length of [10_000, 100_000]) {
    // A function first makes the clone check fail at once, so the result's time is repr's.
    const setup = await session.execute(
      `const rows${length} = [() => 0, ...Array.from({ length: ${length} }, (_, i) => ({ id: i, name: 'row ' + i }))]; 0`,
    );
    if (setup.status !== 'ok') throw new Error(`[sandcell bench] render setup failed: ${setup.error?.message}`);
    const timed = (cell) => async () => {
      const r = await session.execute(cell);
      if (r.status !== 'ok') throw new Error(`[sandcell bench] ${cell}: ${r.error?.message}`);
      return r.durationMs;
    };
    const m = await rounds(
      { repr: timed(`rows${length}`), json: timed(`void JSON.stringify(rows${length})`) },
      { ...plan, warmup: 1 },
    );
    figures.push(
      figure({
        id: `render-repr-${length}`,
        label: `result repr of a ${length.toLocaleString('en')}-row array (first 100 rows shown)`,
        ...m.repr,
        baseline: { label: 'JSON.stringify of the same rows, in the same worker', ...m.json },
        note: 'execute() durationMs, timed inside the worker',
      }),
    );
  }
  await session.close();
  return figures;
}
