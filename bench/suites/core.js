// Core figures: execute round trip, cold start, pooled create, compiled-cell cache.
import { createSession, SessionManager } from '/dist/sandcell.js';
import { startBare } from '../lib/bare.js';
import { cell200 } from '../lib/cells.js';
import { figure, now } from '../lib/stats.js';

export default async function core({ quick }) {
  const reps = quick ? { rtt: 40, cold: 3, pool: 4, cache: 10 } : { rtt: 1000, cold: 25, pool: 30, cache: 100 };
  const figures = [];

  // ── execute('1') vs a bare postMessage echo ──
  {
    const session = await createSession();
    const bare = await startBare();
    const ours = [];
    const base = [];
    for (let i = 0; i < 50; i++) {
      await session.execute('1');
      await bare.call({ type: 'echo', i }, 'echo');
    }
    // Interleaved, so drift in the machine hits both sides alike.
    for (let i = 0; i < reps.rtt; i++) {
      let t = now();
      await session.execute('1');
      ours.push(now() - t);
      t = now();
      await bare.call({ type: 'echo', i }, 'echo');
      base.push(now() - t);
    }
    figures.push(
      figure({
        id: 'execute-rtt',
        label: "execute('1') round trip",
        samples: ours,
        baseline: { label: 'bare worker postMessage echo', samples: base },
        goal: { ratio: 2 },
      }),
    );
    await session.close();
    bare.close();
  }

  // ── cold createSession() → first result vs new Worker → first message ──
  const cold = [];
  {
    const base = [];
    for (let i = 0; i < reps.cold + 2; i++) {
      let t = now();
      const session = await createSession();
      await session.execute('1');
      const ms = now() - t;
      await session.close();
      t = now();
      const bare = await startBare();
      const bareMs = now() - t;
      bare.close();
      if (i >= 2) {
        cold.push(ms);
        base.push(bareMs);
      }
    }
    figures.push(
      figure({
        id: 'cold-start',
        label: 'cold createSession() → first result',
        samples: cold,
        baseline: { label: 'bare new Worker → first message', samples: base },
        goal: { ratio: 1.5 },
      }),
    );
  }

  // ── pooled manager.create() ──
  {
    const manager = new SessionManager({ poolSize: 1 });
    const ours = [];
    const firstResult = [];
    for (let i = 0; i < reps.pool + 1; i++) {
      await manager.whenPoolReady();
      const t = now();
      const session = await manager.create();
      const created = now() - t;
      await session.execute('1');
      const first = now() - t;
      await session.close();
      if (i >= 1) {
        ours.push(created);
        firstResult.push(first);
      }
    }
    await manager.closeAll();
    figures.push(
      figure({
        id: 'pooled-create',
        label: 'pooled manager.create()',
        samples: ours,
        baseline: { label: 'cold createSession() → first result', samples: cold },
        goal: { median: 1 },
      }),
      figure({
        id: 'pooled-first-result',
        label: 'pooled manager.create() → first result',
        samples: firstResult,
        baseline: { label: 'cold createSession() → first result', samples: cold },
      }),
    );
  }

  // ── compiled-cell cache: hit vs miss for a 200-line cell ──
  {
    const session = await createSession();
    const hit = [];
    const miss = [];
    const same = cell200('same');
    await session.execute(same);
    for (let i = 0; i < 5; i++) await session.execute(cell200(`warm ${i}`));
    for (let i = 0; i < reps.cache; i++) {
      let r = await session.execute(same);
      hit.push(r.durationMs);
      r = await session.execute(cell200(`miss ${i}`));
      miss.push(r.durationMs);
    }
    const stats = await session.stats();
    figures.push(
      figure({
        id: 'cache-hit',
        label: '200-line cell, cache hit (in-worker time)',
        samples: hit,
        baseline: { label: 'same cell, cache miss (distinct text)', samples: miss },
        note: `cache hits ${stats.cache.hits}, misses ${stats.cache.misses}`,
      }),
    );
    await session.close();
  }
  return figures;
}
