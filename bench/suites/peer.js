// The peer: the same work in QuickJS (quickjs-emscripten, wasm served by the bench server) —
// startup, loop throughput, interrupt latency — each against sandcell in the same page.
import { createSession, SessionManager } from '/dist/sandcell.js';
import { nextMessage } from '../lib/bare.js';
import { callLoop, tightLoop } from '../lib/cells.js';
import { figure, now, sleep } from '../lib/stats.js';

const WORKER = new URL('../workers/quickjs-worker.js', import.meta.url);

async function startQuickJS() {
  const worker = new Worker(WORKER, { type: 'module' });
  await nextMessage(worker, 'ready');
  return {
    call(message, type) {
      const reply = nextMessage(worker, type);
      worker.postMessage(message);
      return reply;
    },
    close: () => worker.terminate(),
  };
}

export default async function peer({ quick }) {
  const reps = quick ? { start: 2, loop: 2, latency: 5, loopMs: 60 } : { start: 15, loop: 8, latency: 60, loopMs: 200 };
  const figures = [];

  // ── startup: new Worker → first eval result ──
  {
    const quickjs = [];
    const ours = [];
    for (let i = 0; i < reps.start + 1; i++) {
      let t = now();
      const worker = new Worker(`${WORKER.href}?cold`, { type: 'module' });
      await nextMessage(worker, 'first');
      const qMs = now() - t;
      worker.terminate();
      t = now();
      const s = await createSession();
      await s.execute('1');
      const sMs = now() - t;
      await s.close();
      if (i >= 1) {
        quickjs.push(qMs);
        ours.push(sMs);
      }
    }
    figures.push(
      figure({
        id: 'peer-startup',
        label: 'sandcell cold createSession() → first result',
        samples: ours,
        baseline: { label: 'QuickJS: new Worker + wasm + runtime + context → first eval', samples: quickjs },
      }),
    );
    const q = await startQuickJS();
    const warm = [];
    for (let i = 0; i < reps.start + 1; i++) {
      const { ms } = await q.call({ type: 'startup' }, 'startup');
      if (i >= 1) warm.push(ms);
    }
    const manager = new SessionManager({ poolSize: 1 });
    const pooled = [];
    for (let i = 0; i < reps.start + 1; i++) {
      await manager.whenPoolReady();
      const t = now();
      const s = await manager.create();
      await s.execute('1');
      if (i >= 1) pooled.push(now() - t);
      await s.close();
    }
    await manager.closeAll();
    figures.push(
      figure({
        id: 'peer-warm-start',
        label: 'sandcell pooled create() → first result',
        samples: pooled,
        baseline: { label: 'QuickJS (module loaded): new runtime + context → first eval', samples: warm },
      }),
    );

    // ── loop throughput, per iteration ──
    const session = await createSession();
    for (const [id, label, make, sandcellN] of [
      ['peer-loop-tight', 'tight numeric loop, sandcell (instrumented)', tightLoop, 4_000_000],
      ['peer-loop-calls', 'call-heavy loop, sandcell (instrumented)', callLoop, 4_000_000],
    ]) {
      // QuickJS is an interpreter: fewer iterations for a similar wall time, compared per iteration.
      let qN = 100_000;
      const probe = await q.call({ type: 'loop', code: make(qN) }, 'loop');
      qN = Math.max(10_000, Math.round((qN * reps.loopMs) / Math.max(probe.ms, 1)));
      const sq = [];
      const ss = [];
      for (let i = 0; i < reps.loop + 1; i++) {
        const { ms } = await q.call({ type: 'loop', code: make(qN) }, 'loop');
        const r = await session.execute(make(sandcellN));
        if (i >= 1) {
          sq.push((ms * 1e6) / qN);
          ss.push((r.durationMs * 1e6) / sandcellN);
        }
      }
      figures.push(
        figure({
          id,
          label,
          unit: 'ns/iter',
          samples: ss,
          baseline: { label: 'same loop in QuickJS (wasm interpreter)', samples: sq, unit: 'ns/iter' },
          note: 'ratio < 1: sandcell runs the loop that many times faster (V8 JIT vs an interpreter)',
        }),
      );
    }
    await session.close();

    // ── interrupt latency ──
    const latency = await createSession();
    const ours2 = [];
    const theirs = [];
    for (let i = 0; i < reps.latency + 2; i++) {
      const running = latency.execute('while (true) {}');
      await sleep(20);
      let t = now();
      void latency.interrupt();
      await running;
      const sMs = now() - t;
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const stopped = q.call({ type: 'spin', flag: flag.buffer }, 'stopped');
      await sleep(20);
      t = now();
      Atomics.store(flag, 0, 1);
      const { interrupted } = await stopped;
      if (!interrupted) throw new Error('[sandcell bench] QuickJS did not report an interrupt');
      if (i >= 2) {
        ours2.push(sMs);
        theirs.push(now() - t);
      }
    }
    await latency.close();
    q.close();
    figures.push(
      figure({
        id: 'peer-interrupt',
        label: 'sandcell interrupt() → result, while(true){}',
        samples: ours2,
        baseline: { label: 'QuickJS interrupt handler on a shared flag → result', samples: theirs },
      }),
    );
  }
  return figures;
}
