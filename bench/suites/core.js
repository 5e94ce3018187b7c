// Core figures: the execute round trip for small cells, cold start, pooled create, and the
// compiled-cell cache. Every pair is measured in interleaved back-to-back blocks (see rounds()).
import { createSession, SessionManager } from '/dist/sandcell.js';
import { startBare, startFramedEcho } from '../lib/bare.js';
import { cell200 } from '../lib/cells.js';
import { figure, now, rounds } from '../lib/stats.js';

/** Small cells against the bare echo: each is one block. */
const SMALL_CELLS = [
  ['execute-rtt', "execute('1') round trip", '1', 1.5],
  ['execute-let', "execute('let y = 5') round trip", 'let y = 5', 2],
  ['execute-log', 'execute("console.log(\'x\')") round trip', "console.log('x')", 2],
  ['execute-array', 'execute of a 10-element array result', '[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]', 2],
];

export default async function core({ quick }) {
  const plan = quick
    ? { rtt: { rounds: 2, reps: 20 }, cold: { rounds: 2, reps: 2 }, pool: { rounds: 2, reps: 2 }, cache: 10 }
    : { rtt: { rounds: 9, reps: 150 }, cold: { rounds: 5, reps: 5 }, pool: { rounds: 5, reps: 6 }, cache: 100 };
  const figures = [];

  // ── small cells vs a bare postMessage echo ──
  {
    const session = await createSession({ onOutput: () => {} });
    const bare = await startBare({ echoOnly: true });
    const framed = await startFramedEcho();
    const blocks = {
      echo: async () => {
        const t = now();
        await bare.call({ type: 'echo' }, 'echo');
        return now() - t;
      },
      framedEcho: async () => {
        const t = now();
        await framed.call({ type: 'echo' }, 'echo');
        return now() - t;
      },
    };
    for (const [id, , code] of SMALL_CELLS) {
      blocks[id] = async () => {
        const t = now();
        const r = await session.execute(code);
        const ms = now() - t;
        if (r.status !== 'ok') throw new Error(`[sandcell bench] ${code} failed: ${r.error?.message}`);
        return ms;
      };
    }
    const measured = await rounds(blocks, { ...plan.rtt, warmup: 20 });
    const echo = { label: 'bare worker postMessage echo, back to back', ...measured.echo };
    const framedEcho = {
      label: 'echo worker in an opaque-origin frame, through a passed port',
      ...measured.framedEcho,
    };
    for (const [id, label, , goal] of SMALL_CELLS) {
      figures.push(figure({ id, label, ...measured[id], baseline: echo, goal: { ratio: goal } }));
      // The session is framed (the default policy): the same hosting's floor too.
      figures.push(
        figure({
          id: `${id}-framed`,
          label: `${label}, against the framed echo`,
          ...measured[id],
          baseline: framedEcho,
          goal: { ratio: goal },
        }),
      );
    }
    await session.close();
    bare.close();
    framed.close();
  }

  // ── cold createSession() → first result vs new Worker → first message ──
  const cold = await rounds(
    {
      session: async () => {
        const t = now();
        const session = await createSession();
        await session.execute('1');
        const ms = now() - t;
        await session.close();
        return ms;
      },
      bare: async () => {
        const t = now();
        const bare = await startBare({ echoOnly: true });
        const ms = now() - t;
        bare.close();
        return ms;
      },
    },
    { ...plan.cold, warmup: 1 },
  );
  figures.push(
    figure({
      id: 'cold-start',
      label: 'cold createSession() → first result',
      ...cold.session,
      baseline: { label: 'bare new Worker → first message (empty module worker)', ...cold.bare },
      goal: { ratio: 1.5 },
    }),
  );

  // ── pooled manager.create() ──
  {
    const manager = new SessionManager({ poolSize: 1 });
    const created = [];
    const pooled = await rounds(
      {
        pooled: async (timed) => {
          await manager.whenPoolReady();
          const t = now();
          const session = await manager.create();
          if (timed) created.push(now() - t);
          await session.execute('1');
          const first = now() - t;
          await session.close();
          return first;
        },
      },
      { ...plan.pool, warmup: 1 },
    );
    await manager.closeAll();
    figures.push(
      figure({
        id: 'pooled-create',
        label: 'pooled manager.create()',
        samples: created,
        goal: { median: 1 },
      }),
      figure({
        id: 'pooled-first-result',
        label: 'pooled manager.create() → first result',
        ...pooled.pooled,
        baseline: { label: 'cold createSession() → first result', ...cold.session },
        goal: { median: 2 },
      }),
    );
  }

  // ── compiled-cell cache: hit vs miss for a 200-line cell ──
  {
    const session = await createSession();
    const same = cell200('same');
    await session.execute(same);
    let salt = 0;
    const measured = await rounds(
      {
        hit: async () => (await session.execute(same)).durationMs,
        miss: async () => (await session.execute(cell200(`miss ${salt++}`))).durationMs,
      },
      { rounds: quick ? 2 : 5, reps: plan.cache / (quick ? 2 : 5), warmup: 2 },
    );
    const stats = await session.stats();
    figures.push(
      figure({
        id: 'cache-hit',
        label: '200-line cell, cache hit (in-worker time)',
        ...measured.hit,
        baseline: { label: 'same cell, cache miss (distinct text)', ...measured.miss },
        note: `cache hits ${stats.cache.hits}, misses ${stats.cache.misses}`,
      }),
    );
    await session.close();
  }
  return figures;
}
