/**
 * A restore never runs unbounded, uninstrumented code (issue 11): functions and classes are
 * re-created through the cells' compiler (interrupt checks, the policy's rewrites) under a
 * time limit; a definition that runs past it, ends the worker or stalls it is given up on
 * (reported in `skipped`) and the session comes up anyway, without restarting in a loop.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../lib/index';
import type { RestartDetail } from '../../lib/types';
import { openSession } from './helpers';

const uniqueId = (label: string) => `test-${label}-${crypto.randomUUID()}`;

/** Kills the worker through the hard path (eval'd code has no interrupt checks) and returns the result. */
async function hardRestart(session: Session) {
  const r = await session.execute('eval("for(;;){}")', { timeoutMs: 50 });
  expect(r).toMatchObject({ status: 'timeout', restarted: true });
  return r;
}

/** Collects the details of the session's `restart` events. */
function watchRestarts(session: Session): RestartDetail[] {
  const details: RestartDetail[] = [];
  session.addEventListener('restart', (e) => details.push(e.detail));
  return details;
}

/** A session whose cells can say they run (`host.running()`). */
async function signallingSession(options: Parameters<typeof openSession>[0] = {}) {
  let running: (() => void) | undefined;
  let signal = new Promise<void>((resolve) => (running = resolve));
  const s = await openSession({ ...options, capabilities: { running: () => running?.() } });
  const started = async () => {
    await signal;
    signal = new Promise<void>((resolve) => (running = resolve));
  };
  return { s, started };
}

// `live` cannot be copied (a WeakMap): it is not in checkpoints or snapshots, so the static blocks see it only the first time.
const SPIN_ON_RESTORE =
  'var live = new WeakMap(); class Spin { static { if (typeof live === "undefined") for(;;){} } }';
const CLOSE_ON_RESTORE =
  'var live = new WeakMap(); class Closer { static { if (typeof live === "undefined") close() } }';
const HANG_ON_RESTORE =
  'var live = new WeakMap(); class Hang { static { if (typeof live === "undefined") eval("for(;;){}") } }';

describe('a restore never runs unbounded, uninstrumented code', () => {
  it('a class whose static block spins on restore is given up on; the session comes up and interrupts still work', async () => {
    const { s, started } = await signallingSession({ interruptGraceMs: 200 });
    const restarts = watchRestarts(s);
    expect((await s.execute(`let kept = 7; ${SPIN_ON_RESTORE}`)).status).toBe('ok');
    await hardRestart(s);
    expect(s.state).toBe('idle');
    expect(await s.execute('[kept, typeof Spin]')).toMatchObject({ status: 'ok', value: [7, 'undefined'] });
    expect(restarts).toHaveLength(1);
    expect(restarts[0].skipped?.map((x) => x.name)).toEqual(['Spin']);
    expect(restarts[0].skipped?.[0].reason).toMatch(/time limit/);
    const spinning = s.execute('host.running(); for(;;){}');
    await started();
    await s.interrupt();
    expect((await spinning).status).toBe('interrupted');
  });

  it('a class whose static block closes the worker on restore does not restart it in a loop', async () => {
    const s = await openSession({ interruptGraceMs: 200 });
    const restarts = watchRestarts(s);
    expect((await s.execute(`let kept = 8; ${CLOSE_ON_RESTORE}`)).status).toBe('ok');
    await hardRestart(s);
    expect(await s.execute('[kept, typeof Closer]')).toMatchObject({ status: 'ok', value: [8, 'undefined'] });
    expect(restarts).toHaveLength(1);
    expect(restarts[0].skipped?.map((x) => x.name)).toEqual(['Closer']);
    expect(restarts[0].skipped?.[0].reason).toMatch(/ended the worker/);
    expect((await s.stats()).restarts).toBe(1);
  });

  it('a class whose static block hangs where no interrupt check reaches is given up on after the stall limit', async () => {
    const s = await openSession({ interruptGraceMs: 200 });
    const restarts = watchRestarts(s);
    expect((await s.execute(`let kept = 6; ${HANG_ON_RESTORE}`)).status).toBe('ok');
    await hardRestart(s);
    expect(await s.execute('[kept, typeof Hang]')).toMatchObject({ status: 'ok', value: [6, 'undefined'] });
    expect(restarts[0].skipped?.map((x) => x.name)).toEqual(['Hang']);
    expect(restarts[0].skipped?.[0].reason).toMatch(/worker was replaced/);
  }, 60_000);

  it('a persisted snapshot holding such classes cannot hang createSession({ restore: true }) or restore()', async () => {
    const id = uniqueId('hostile-snapshot');
    const first = await openSession({ id });
    await first.execute(`let kept = 9; ${SPIN_ON_RESTORE}; ${CLOSE_ON_RESTORE}`);
    const info = await first.snapshot();
    expect(info.saved).toEqual(expect.arrayContaining(['kept', 'Spin', 'Closer']));
    await first.close();

    const second = await openSession({ id, restore: true, interruptGraceMs: 200 });
    expect(second.restoredOnStart?.restored).toEqual(['kept']);
    expect(second.restoredOnStart?.skipped.map((x) => x.name).sort()).toEqual(['Closer', 'Spin']);
    expect((await second.execute('kept')).value).toBe(9);

    await second.execute('kept = 10; let other = 1');
    const report = await second.restore(info.id);
    expect(report.restored).toEqual(['kept']);
    expect(report.skipped.map((x) => x.name).sort()).toEqual(['Closer', 'Spin']);
    // The snapshot's value is back, and what the session held besides it too.
    expect((await second.execute('[kept, other]')).value).toEqual([9, 1]);
  });

  it('functions re-created after a restart stop cooperatively', async () => {
    // A long grace: a time-out that took the hard path would show as `restarted`.
    const s = await openSession({ interruptGraceMs: 20_000 });
    const restarts = watchRestarts(s);
    await s.execute('function spin() { for(;;){} }');
    // A crash between cells (the worker closes itself) restarts it without waiting out the grace.
    const restarted = new Promise((resolve) => s.addEventListener('restart', resolve, { once: true }));
    await s.execute('setTimeout(() => close(), 0)');
    await restarted;
    expect(restarts[0].reason).toBe('crashed');
    const r = await s.execute('spin()', { timeoutMs: 300 });
    expect(r.status).toBe('timeout');
    expect(r.restarted).toBeUndefined();
  });

  it('a restored function cannot import() what the policy denies', async () => {
    const s = await openSession({ policy: 'sandbox', interruptGraceMs: 200 });
    await s.execute('function load() { return import("data:text/javascript,export default 1") }');
    await hardRestart(s);
    const r = await s.execute('await load().then(() => "loaded", (e) => e.name)');
    expect(r).toMatchObject({ status: 'ok', value: 'PolicyError' });
  });
});
