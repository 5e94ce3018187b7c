// Snapshot and restore of a Python namespace, from the built SDK in headless Chromium (issue 14):
//
//   data    ~10 MB of plain lists and dicts (pickled size, measured in the run)
//   code    1,000 small functions and classes defined in one cell (500 + 500, one instance each)
//
// For each: `session.snapshot()` (the engine's reducer on pickle, the record written to
// IndexedDB) and `restore(id)` into a fresh session, timed on the page; and, for the plain
// data, `pickle.dumps` / `pickle.loads` of the same values timed inside the worker in the same
// run — the floor any serializer of that data has to pay; and the engine's own snapshot (its
// reducer, no transfer, no IndexedDB) timed in the worker (dataEngine, codeEngine).
//
// Usage: npm run build && node bench/python-snapshot.mjs [--runs 3]
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { startStaticServer } from '../e2e/static-server.mjs';
import { chromiumExecutable } from '../scripts/dev-env.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
if (!existsSync(join(ROOT, 'dist/python/python_stdlib.zip')) || !existsSync(join(ROOT, 'dist/sandcell.js')))
  throw new Error('[sandcell] run `npm run build` first: dist/ and dist/python/ are needed');

// ~10 MB pickled: 120k records of a small dict with a list, and a dict of 5k lists of 200 ints.
const DATA_CELL = `
records = [{"id": i, "name": f"item-{i}", "tags": [i, i + 1, i + 2], "score": i * 0.5, "ok": i % 2 == 0} for i in range(120_000)]
table = {f"row-{i}": list(range(i, i + 200)) for i in range(5_000)}
None`;
const PICKLE_CELL = `
import pickle, time
t0 = time.perf_counter()
_blob = pickle.dumps((records, table), protocol=pickle.HIGHEST_PROTOCOL)
t1 = time.perf_counter()
pickle.loads(_blob)
t2 = time.perf_counter()
_result = ((t1 - t0) * 1000, (t2 - t1) * 1000, len(_blob))
del _blob, pickle, time, t0, t1, t2
_result`;
// The engine's own share of snapshot(): its reducer and the bytes handed to JavaScript, timed in
// the worker (the engine object is found through gc: a bench-only reach past the public API).
const ENGINE_CELL = `
def _time_snapshot():
    # Local, so the engine object is not a variable the snapshot would try to save.
    import gc, time
    engine = next(o for o in gc.get_objects() if type(o).__name__ == "Engine" and type(o).__module__ == "sandcell_engine.engine")
    t0 = time.perf_counter()
    engine.snapshot()
    return (time.perf_counter() - t0) * 1000
_ms = _time_snapshot()
del _time_snapshot
_ms`;
let CODE_CELL = '';
for (let i = 0; i < 500; i++) CODE_CELL += `def f${i}(x, k=${i}):\n    return x + k\n`;
for (let i = 0; i < 500; i++) {
  CODE_CELL += `class C${i}:\n    def __init__(self):\n        self.v = ${i}\n    def get(self):\n        return self.v\n`;
}
CODE_CELL += `objects = [globals()[f"C{i}"]() for i in range(500)]\nNone`;

const server = await startStaticServer({ root: ROOT, isolate: true });
const executablePath = chromiumExecutable();
const browser = await chromium.launch(executablePath ? { executablePath } : {});
const samples = {
  dataSnapshot: [],
  dataEngine: [],
  dataRestore: [],
  pickleDumps: [],
  pickleLoads: [],
  codeSnapshot: [],
  codeEngine: [],
  codeRestore: [],
};
const sizes = {};
try {
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/bench/page.html`);
    const result = await page.evaluate(
      async ({ sdk, cells }) => {
        const { createSession, deleteSnapshot } = await import(sdk);
        const ok = async (session, code) => {
          const result = await session.execute(code);
          if (result.status !== 'ok') throw new Error(JSON.stringify(result.error ?? result));
          return result.value;
        };
        const roundTrip = async (cell, check, expected) => {
          const session = await createSession({ language: 'python' });
          await ok(session, cell);
          let t0 = performance.now();
          const info = await session.snapshot();
          const snapshot = performance.now() - t0;
          if (info.skipped.length > 0) throw new Error(`skipped: ${JSON.stringify(info.skipped)}`);
          const pickled = cell === cells.data ? await ok(session, cells.pickle) : undefined;
          const engine = await ok(session, cells.engine);
          await session.close();
          const fresh = await createSession({ language: 'python' });
          await ok(fresh, '1');
          t0 = performance.now();
          await fresh.restore(info.id);
          const restore = performance.now() - t0;
          const value = await ok(fresh, check);
          if (JSON.stringify(value) !== JSON.stringify(expected))
            throw new Error(`restored wrong: ${JSON.stringify(value)}`);
          await fresh.close();
          await deleteSnapshot(info.id);
          return { snapshot, restore, engine, bytes: info.bytes, saved: info.saved.length, pickled };
        };
        const data = await roundTrip(cells.data, '(len(records), records[119_999]["name"], table["row-4999"][199])', [
          120000,
          'item-119999',
          5198,
        ]);
        const code = await roundTrip(
          cells.code,
          '(f499(1), C499().get(), objects[250].get(), len(objects))',
          [500, 499, 250, 500],
        );
        return { data, code };
      },
      {
        sdk: `${server.url}/dist/sandcell.js`,
        cells: { data: DATA_CELL, pickle: PICKLE_CELL, code: CODE_CELL, engine: ENGINE_CELL },
      },
    );
    samples.dataSnapshot.push(result.data.snapshot);
    samples.dataEngine.push(result.data.engine);
    samples.dataRestore.push(result.data.restore);
    samples.pickleDumps.push(result.data.pickled[0]);
    samples.pickleLoads.push(result.data.pickled[1]);
    samples.codeSnapshot.push(result.code.snapshot);
    samples.codeEngine.push(result.code.engine);
    samples.codeRestore.push(result.code.restore);
    sizes.data = { record: result.data.bytes, pickle: result.data.pickled[2], names: result.data.saved };
    sizes.code = { record: result.code.bytes, names: result.code.saved };
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
console.log(
  `Python namespace snapshot / restore from dist/ in Chromium (median of ${runs} pages, ms; load average ${loadavg()[0].toFixed(1)})`,
);
console.log(
  `  data: record ${mb(sizes.data.record)}, pickle.dumps ${mb(sizes.data.pickle)}; code: record ${mb(sizes.code.record)}, ${sizes.code.names} names`,
);
for (const [key, values] of Object.entries(samples)) {
  console.log(`  ${key.padEnd(13)} ${Math.round(median(values))}  (${values.map((v) => Math.round(v)).join(', ')})`);
}
console.log(
  `  snapshot / pickle.dumps: ${(median(samples.dataSnapshot) / median(samples.pickleDumps)).toFixed(1)}×; restore / pickle.loads: ${(median(samples.dataRestore) / median(samples.pickleLoads)).toFixed(1)}×`,
);
