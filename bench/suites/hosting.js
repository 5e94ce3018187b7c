// Where a session's worker runs (issue 18) and what it costs: a sandbox session lives in its
// own opaque-origin frame, an unrestricted one on the page. Each figure sets the framed session
// beside the same operation on the page, measured in the same run by rounds().
import { createSession, SessionManager } from '/dist/sandcell.js';
import { figure, nextState, now, rounds, sleep } from '../lib/stats.js';

const FRAMED = { policy: 'sandbox' };
const ON_PAGE = { policy: 'unrestricted' };

/** interrupt() → result for a loop the instrumentation stops (page → frame → flag, or page → flag). */
async function interruptLatency(session) {
  const busy = nextState(session, 'busy');
  const running = session.execute('while (true) {}');
  await busy;
  // 'busy' is set when the cell is sent: give the worker time to be inside the loop.
  await sleep(15);
  const t = now();
  void session.interrupt();
  const result = await running;
  const ms = now() - t;
  if (result.status !== 'interrupted') throw new Error(`[sandcell bench] interrupt gave ${result.status}`);
  return ms;
}

/** Cold start to the first result, then the hard path with 1000 objects to restore. */
async function coldAndHard(options, out) {
  let t = now();
  const session = await createSession({ ...options, interruptGraceMs: 0 });
  await session.execute('1');
  out.cold = now() - t;
  await session.execute('const kept = Array.from({ length: 1000 }, (_, i) => ({ i }))');
  // eval'd code is not instrumented: only the hard path (kill, respawn, restore) stops it.
  const busy = nextState(session, 'busy');
  const running = session.execute('eval("while (true) {}")');
  await busy;
  await sleep(15);
  t = now();
  void session.interrupt();
  const result = await running;
  out.hard = now() - t;
  const back = await session.execute('kept.length');
  await session.close();
  if (!result.restarted || back.value !== 1000)
    throw new Error(`[sandcell bench] the hard path did not restore: ${JSON.stringify([result, back])}`);
}

export default async function hosting({ quick }) {
  const plan = quick
    ? { rtt: { rounds: 2, reps: 20 }, latency: { rounds: 2, reps: 3 }, life: { rounds: 2, reps: 1 }, pool: 2 }
    : { rtt: { rounds: 7, reps: 150 }, latency: { rounds: 5, reps: 12 }, life: { rounds: 5, reps: 3 }, pool: 12 };
  const figures = [];

  // ── execute('1') and interrupt latency: framed vs on the page ──
  {
    const framed = await createSession({ ...FRAMED, onInput: () => 'a' });
    const onPage = await createSession({ ...ON_PAGE, onInput: () => 'a' });
    const rtt = (session) => async () => {
      const t = now();
      await session.execute('1');
      return now() - t;
    };
    const m = await rounds({ framed: rtt(framed), onPage: rtt(onPage) }, { ...plan.rtt, warmup: 20 });
    figures.push(
      figure({
        id: 'hosting-rtt',
        label: "execute('1') round trip, framed session (sandbox)",
        ...m.framed,
        baseline: { label: 'the same, session on the page (unrestricted)', ...m.onPage },
      }),
    );
    const l = await rounds(
      { framed: () => interruptLatency(framed), onPage: () => interruptLatency(onPage) },
      { ...plan.latency, warmup: 1 },
    );
    figures.push(
      figure({
        id: 'hosting-interrupt',
        label: 'interrupt() → result, framed session',
        ...l.framed,
        baseline: { label: 'the same, session on the page', ...l.onPage },
        goal: { median: 2, p95: 10 },
      }),
    );
    // Synchronous input(): the worker blocks on the shared buffer, which the frame owns and
    // writes for the page (one more hop) — timed inside the worker, per round trip.
    const inputs = quick ? 50 : 500;
    const inputRtt = (session) => async () => {
      const r = await session.execute(`for (let i = 0; i < ${inputs}; i++) input('q')`);
      if (r.status !== 'ok') throw new Error(`[sandcell bench] input failed: ${r.error?.message}`);
      return r.durationMs / inputs;
    };
    const i = await rounds({ framed: inputRtt(framed), onPage: inputRtt(onPage) }, { ...plan.latency, warmup: 1 });
    figures.push(
      figure({
        id: 'hosting-input',
        label: 'synchronous input() round trip, framed session',
        ...i.framed,
        baseline: { label: 'the same, session on the page', ...i.onPage },
        note: `each sample is the mean of ${inputs} round trips, timed inside the worker`,
      }),
    );
    await Promise.all([framed.close(), onPage.close()]);
  }

  // ── cold start and the hard path: a frame (removed to kill) vs a page worker (terminated) ──
  {
    const last = { framed: {}, onPage: {} };
    const blocks = {
      coldFramed: async () => {
        await coldAndHard(FRAMED, last.framed);
        return last.framed.cold;
      },
      coldOnPage: async () => {
        await coldAndHard(ON_PAGE, last.onPage);
        return last.onPage.cold;
      },
    };
    const hard = { framed: { samples: [], rounds: [] }, onPage: { samples: [], rounds: [] } };
    // Each run gives both figures: record the hard path beside the cold start it came with.
    const timed = (name, side) => async (isTimed) => {
      const ms = await blocks[name]();
      if (isTimed) hard[side].samples.push(last[side].hard);
      return ms;
    };
    const m = await rounds(
      { coldFramed: timed('coldFramed', 'framed'), coldOnPage: timed('coldOnPage', 'onPage') },
      { ...plan.life, warmup: 1 },
    );
    figures.push(
      figure({
        id: 'hosting-cold',
        label: 'cold createSession() → first result, framed',
        ...m.coldFramed,
        baseline: { label: 'the same, session on the page', ...m.coldOnPage },
      }),
      figure({
        id: 'hosting-hard',
        label: 'hard path (interrupt → result, 1000 objects restored), framed: frame removed',
        samples: hard.framed.samples,
        baseline: { label: 'the same, on the page: worker terminated', samples: hard.onPage.samples },
      }),
    );
  }

  // ── a warm pool hides the frame's start ──
  {
    const manager = new SessionManager({ poolSize: 1, defaults: FRAMED });
    const pooled = [];
    for (let r = 0; r < plan.pool; r++) {
      await manager.whenPoolReady();
      const t = now();
      const session = await manager.create();
      await session.execute('1');
      pooled.push(now() - t);
      await session.close();
    }
    await manager.closeAll();
    const cold = figures.find((f) => f.id === 'hosting-cold');
    figures.push(
      figure({
        id: 'hosting-pooled',
        label: 'pooled create() → first result, framed',
        samples: pooled,
        baseline: { label: 'cold createSession() → first result, framed (median above)', samples: [cold.value.median] },
      }),
    );
  }
  return figures;
}
