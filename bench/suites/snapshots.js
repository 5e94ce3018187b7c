// Snapshot figures (issue 4): save and restore of a 10 MB namespace against bare idb-keyval
// in a bare worker (sandcell's worker writes IndexedDB itself, so the baseline does too),
// and what `persist: true` adds to an execute's result latency.
import { createSession, deleteSnapshot, listSnapshots } from '/dist/sandcell.js';
import { startBare } from '../lib/bare.js';
import { records } from '../lib/cells.js';
import { figure, now, sleep } from '../lib/stats.js';

export default async function snapshots({ quick }) {
  const reps = quick ? { snap: 2, persist: 8 } : { snap: 12, persist: 60 };
  const figures = [];
  const data = records(10e6);

  {
    const session = await createSession({ id: `bench-snap-${crypto.randomUUID()}` });
    const r = await session.execute(`var data = ${data}`);
    if (r.status !== 'ok') throw new Error(`[sandcell bench] setup failed: ${r.error?.message}`);
    const bare = await startBare();
    await bare.call({ type: 'prepare', code: data }, 'prepared');
    const key = `bench-bare-${crypto.randomUUID()}`;
    const save = [];
    const load = [];
    const bareSet = [];
    const bareGet = [];
    let bytes = 0;
    for (let i = 0; i < reps.snap + 1; i++) {
      let t = now();
      const info = await session.snapshot();
      const saveMs = now() - t;
      bytes = info.bytes;
      t = now();
      const restored = await session.restore(info.id);
      const loadMs = now() - t;
      if (!restored.restored.includes('data')) throw new Error('[sandcell bench] restore lost the data');
      await deleteSnapshot(info.id);
      t = now();
      await bare.call({ type: 'idb-set', key }, 'done');
      const setMs = now() - t;
      t = now();
      const got = await bare.call({ type: 'idb-get', key }, 'done');
      const getMs = now() - t;
      if (!got.ok) throw new Error('[sandcell bench] the bare get found nothing');
      if (i >= 1) {
        save.push(saveMs);
        load.push(loadMs);
        bareSet.push(setMs);
        bareGet.push(getMs);
      }
    }
    await bare.call({ type: 'idb-del', key }, 'done');
    bare.close();
    const left = await listSnapshots(session.id);
    for (const s of left) await deleteSnapshot(s.id);
    await session.close();
    const note = `100,000 records, 10 MB as JSON (sandcell's own size estimate: ${(bytes / 1e6).toFixed(1)} MB); both sides timed from the page, one message round trip each; sandcell writes with durability 'strict', idb-keyval with the browser default`;
    figures.push(
      figure({
        id: 'snapshot-save',
        label: 'session.snapshot(), 10 MB namespace',
        samples: save,
        baseline: { label: 'idb-keyval set() of the same data, bare worker', samples: bareSet },
        goal: { ratio: 1.2 },
        note,
      }),
      figure({
        id: 'snapshot-restore',
        label: 'session.restore(), 10 MB namespace',
        samples: load,
        baseline: { label: 'idb-keyval get() of the same data, bare worker', samples: bareGet },
        goal: { ratio: 1.2 },
      }),
    );
  }

  // ── persist: true vs false on execute's result latency ──
  {
    const setup = `var data = ${records(1e6)}`;
    const plain = await createSession();
    const persisted = await createSession({ id: `bench-persist-${crypto.randomUUID()}`, persist: true });
    for (const s of [plain, persisted]) await s.execute(setup);
    const ours = [];
    const base = [];
    for (let i = 0; i < reps.persist + 3; i++) {
      let t = now();
      await persisted.execute(`x = ${i}`);
      const persistMs = now() - t;
      // The snapshot is written after the result; let it finish so the next cell measures latency, not a queue.
      await sleep(60);
      t = now();
      await plain.execute(`x = ${i}`);
      const plainMs = now() - t;
      await sleep(20);
      if (i >= 3) {
        ours.push(persistMs);
        base.push(plainMs);
      }
    }
    const saved = await listSnapshots(persisted.id);
    for (const s of saved) await deleteSnapshot(s.id);
    await plain.close();
    await persisted.close();
    figures.push(
      figure({
        id: 'persist-latency',
        label: "execute('x = i') result latency, persist: true",
        samples: ours,
        baseline: { label: 'same cell, persist: false', samples: base },
        goal: { ratio: 1.1 },
        note: '1 MB namespace; cells spaced ~80 ms apart, so the snapshot after one cell is not queued before the next',
      }),
    );
  }
  return figures;
}
