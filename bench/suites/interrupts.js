// Interrupt figures (issue 3): instrumentation cost on loops, interrupt latency, the hard
// path (kill + respawn + restore) and the per-cell checkpoint cost for big namespaces.
import { createSession } from '/dist/sandcell.js';
import { startBare } from '../lib/bare.js';
import { matmul, records, tightLoop, topLevelCalls } from '../lib/cells.js';
import { figure, nextState, now, rounds, sleep } from '../lib/stats.js';

/** Picks an iteration count that makes the plain code take about `targetMs` (`run(n)` resolves with its ms). */
async function calibrate(run, targetMs) {
  let n = 1e6;
  for (let round = 0; round < 4; round++) {
    // The first runs are not yet optimized: calibrate on the third.
    await run(n);
    await run(n);
    const ms = await run(n);
    if (ms > targetMs * 0.7 && ms < targetMs * 1.4) break;
    n = Math.max(1000, Math.round((n * targetMs) / Math.max(ms, 0.5)));
  }
  return n;
}

export default async function interrupts({ quick }) {
  const reps = quick
    ? { loop: { rounds: 2, reps: 2 }, latency: { rounds: 2, reps: 4 }, hard: 2, cells: 5, touched: 1, loopMs: 60 }
    : { loop: { rounds: 5, reps: 4 }, latency: { rounds: 5, reps: 24 }, hard: 12, cells: 40, touched: 5, loopMs: 150 };
  const figures = [];

  // ── instrumented (session) vs plain (bare worker) code, times measured inside each worker ──
  {
    const bare = await startBare();
    const session = await createSession();
    const inSession = async (code) => {
      const r = await session.execute(code);
      if (r.status !== 'ok') throw new Error(`[sandcell bench] ${code.slice(0, 40)} failed: ${r.error?.message}`);
      return r.durationMs;
    };
    const plainFunction = async (code) => {
      await bare.call({ type: 'compile', code }, 'compiled');
      return async () => (await bare.call({ type: 'run' }, 'ran')).ms;
    };
    let scriptRun = 0;
    const kernels = [
      {
        id: 'loop-tight',
        label: 'tight numeric loop, instrumented',
        goal: 1.1,
        make: tightLoop,
        plain: 'same loop, plain new Function in a bare worker',
      },
      {
        id: 'loop-calls',
        label: 'call-heavy top-level loop, instrumented',
        goal: 1.25,
        make: (n) => topLevelCalls(n),
        // A script cannot declare the same `let` twice: each plain run renames f and c.
        script: (n) => topLevelCalls(n, `_${++scriptRun}`),
        plain: 'same code by indirect eval (a script) in a bare worker',
      },
      {
        id: 'matmul',
        label: 'matmul 200×200 (Float64Array), instrumented',
        goal: 1.25,
        make: () => matmul(200),
        fixed: true,
        plain: 'same code, plain new Function in a bare worker',
      },
    ];
    for (const kernel of kernels) {
      let n = 0;
      if (!kernel.fixed) {
        n = await calibrate(async (count) => {
          if (kernel.script) return (await bare.call({ type: 'script', code: kernel.script(count) }, 'ran')).ms;
          return (await plainFunction(kernel.make(count)))();
        }, reps.loopMs);
      }
      const code = kernel.make(n);
      const plain = kernel.script
        ? async () => (await bare.call({ type: 'script', code: kernel.script(n) }, 'ran')).ms
        : await plainFunction(code);
      const measured = await rounds({ ours: () => inSession(code), plain }, { ...reps.loop, warmup: 2 });
      figures.push(
        figure({
          id: kernel.id,
          label: kernel.label,
          ...measured.ours,
          baseline: { label: kernel.plain, ...measured.plain },
          goal: { ratio: kernel.goal },
          note: `${n ? `${n.toLocaleString('en-US')} iterations; ` : ''}times measured inside each worker`,
        }),
      );
    }
    await session.close();

    // ── interrupt() → result for while(true){} vs a bare flag-polling loop ──
    const latency = await createSession();
    let restarted = 0;
    const measured = await rounds(
      {
        ours: async () => {
          const busy = nextState(latency, 'busy');
          const running = latency.execute('while (true) {}');
          await busy;
          await sleep(15);
          const t = now();
          void latency.interrupt();
          const r = await running;
          const ms = now() - t;
          if (r.status !== 'interrupted') throw new Error(`[sandcell bench] interrupt gave ${r.status}`);
          if (r.restarted) restarted++;
          return ms;
        },
        bare: async () => {
          const flag = new Int32Array(new SharedArrayBuffer(4));
          const stopped = bare.call({ type: 'spin', flag: flag.buffer }, 'stopped');
          await sleep(15);
          const t = now();
          Atomics.store(flag, 0, 1);
          await stopped;
          return now() - t;
        },
      },
      { ...reps.latency, warmup: 2 },
    );
    figures.push(
      figure({
        id: 'interrupt-latency',
        label: 'interrupt() → result, while(true){}',
        ...measured.ours,
        baseline: { label: 'bare worker: flag set → loop exit message', ...measured.bare },
        goal: { median: 1, p95: 10 },
        note: restarted ? `${restarted} interrupts took the hard path` : 'all cooperative (no restart)',
      }),
    );
    await latency.close();
    bare.close();
  }

  // ── hard path: kill + respawn + restore vs a cold start ──
  {
    const grace = 20;
    const session = await createSession({ interruptGraceMs: grace });
    await session.execute(
      `var shared = { n: 1 }; var a = [shared, shared]; var text = 'x'.repeat(1000); var rows = ${records(100_000)}`,
    );
    const hard = [];
    const total = [];
    for (let i = 0; i < reps.hard + 1; i++) {
      const busy = nextState(session, 'busy');
      const running = session.execute("eval('while (true) {}')");
      await busy;
      await sleep(15);
      const restarting = nextState(session, 'restarting');
      const t = now();
      void session.interrupt();
      const r = await running;
      const end = now();
      if (!r.restarted) throw new Error('[sandcell bench] the hard path did not restart the worker');
      const check = await session.execute('a[0] === a[1] && rows.length');
      if (check.value !== 1000) throw new Error(`[sandcell bench] namespace not restored: ${check.repr}`);
      if (i >= 1) {
        hard.push(end - (await restarting));
        total.push(end - t);
      }
    }
    await session.close();
    const cold = [];
    for (let i = 0; i < reps.hard + 1; i++) {
      const t = now();
      const s = await createSession();
      await s.execute('1');
      if (i >= 1) cold.push(now() - t);
      await s.close();
    }
    figures.push(
      figure({
        id: 'hard-path',
        label: 'hard path: kill + respawn + restore (grace expiry → result)',
        samples: hard,
        baseline: { label: 'cold createSession() → first result', samples: cold },
        note: `100 kB namespace restored; interrupt() → result including the ${grace} ms grace: median ${figure({ id: '', label: '', samples: total }).value.median.toFixed(1)} ms`,
      }),
    );
  }

  // ── checkpoint cost per cell: a big untouched variable, and a cell that touches it ──
  {
    // One session per size: untouched cells first, then cells that touch the big variable.
    const perCell = async (setup, runs) => {
      const session = await createSession();
      if (setup) {
        const r = await session.execute(setup);
        if (r.status !== 'ok') throw new Error(`[sandcell bench] setup failed: ${r.error?.message}`);
      }
      // Let the first full checkpoint of the big variable go by.
      await session.execute('0');
      await session.execute('0');
      const results = [];
      for (const [code, count] of runs) {
        const times = [];
        for (let i = 0; i < count + 1; i++) {
          const t = now();
          await session.execute(code);
          if (i >= 1) times.push(now() - t);
        }
        results.push(times);
      }
      await session.close();
      return results;
    };
    const [empty] = await perCell('', [['x = 1', reps.cells]]);
    for (const [size, bytes] of [
      ['1 MB', 1e6],
      ['50 MB', 50e6],
    ]) {
      const [untouched, touched] = await perCell(`var big = ${records(bytes)}`, [
        ['x = 1', reps.cells],
        ['big[0].i++', bytes > 1e7 ? reps.touched : reps.cells],
      ]);
      figures.push(
        figure({
          id: `checkpoint-untouched-${size.replace(' ', '')}`,
          label: `cell 'x = 1' with ${size} untouched in the namespace`,
          samples: untouched,
          baseline: { label: "cell 'x = 1', empty namespace", samples: empty },
          note: 'back-to-back cells: each includes the checkpoint of the one before',
        }),
        figure({
          id: `checkpoint-touched-${size.replace(' ', '')}`,
          label: `cell touching the ${size} variable (big[0].i++)`,
          samples: touched,
          baseline: { label: "cell 'x = 1', empty namespace", samples: empty },
        }),
      );
    }
  }
  return figures;
}
