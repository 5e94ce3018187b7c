/**
 * Calls in flight settle (issue 11): namespace.list(), stats(), snapshot(), restore() asked
 * while the worker is killed and replaced resolve against the new worker; a call that is not
 * safe to repeat rejects with an error that says so; nothing is left pending.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../lib/index';
import { SandcellError, SessionClosedError } from '../../lib/index';
import { openSession } from './helpers';

/** A loop the cooperative check cannot stop (eval'd code is not instrumented): only the hard path ends it. */
const UNSTOPPABLE = 'host.running(); eval("for(;;){}")';

/** A session whose cells can say they run (`host.running()`), with a short grace so an interrupt takes the hard path. */
async function signallingSession(id?: string): Promise<{ s: Session; started: () => Promise<void> }> {
  let running: (() => void) | undefined;
  let signal = new Promise<void>((resolve) => (running = resolve));
  const s = await openSession({ id, interruptGraceMs: 200, capabilities: { running: () => running?.() } });
  return {
    s,
    started: async () => {
      await signal;
      signal = new Promise<void>((resolve) => (running = resolve));
    },
  };
}

/** Waits for the session to enter `state` (an event, not a guess by time). */
function reaches(s: Session, state: string): Promise<void> {
  return new Promise((resolve) => {
    const on = (e: CustomEvent<string>) => {
      if (e.detail !== state) return;
      s.removeEventListener('state', on);
      resolve();
    };
    s.addEventListener('state', on);
  });
}

describe('calls in flight when the worker is killed and replaced', () => {
  it('list(), get(), stats() and snapshot() asked while the worker spins resolve against the new worker', async () => {
    const { s, started } = await signallingSession(`test-inflight-${crypto.randomUUID()}`);
    await s.execute('const kept = [1, 2, 3]');
    const cell = s.execute(UNSTOPPABLE);
    await started();
    // The worker's event loop is blocked: these wait in its queue until it is killed.
    const list = s.namespace.list();
    const get = s.namespace.get('kept');
    const stats = s.stats();
    const snapshot = s.snapshot();
    await s.interrupt();
    expect(await cell).toMatchObject({ status: 'interrupted', restarted: true });
    expect((await list).map((v) => v.name)).toContain('kept');
    expect(await get).toEqual([1, 2, 3]);
    expect((await stats).restarts).toBe(1);
    expect((await snapshot).saved).toContain('kept');
  });

  it('restore() asked while the worker spins brings the snapshot back on the new worker', async () => {
    const { s, started } = await signallingSession(`test-inflight-restore-${crypto.randomUUID()}`);
    await s.execute('let kept = "saved"');
    const info = await s.snapshot();
    await s.execute('kept = "changed"');
    const cell = s.execute(UNSTOPPABLE);
    await started();
    const restore = s.restore(info.id);
    await s.interrupt();
    await cell;
    expect((await restore).restored).toContain('kept');
    expect((await s.execute('kept')).value).toBe('saved');
  });

  it('calls asked while the session is restarting wait for the new worker', async () => {
    const { s, started } = await signallingSession();
    await s.execute('var kept = 5');
    const cell = s.execute(UNSTOPPABLE);
    await started();
    const restarting = reaches(s, 'restarting');
    const interrupted = s.interrupt();
    await restarting;
    const [list, stats] = await Promise.all([s.namespace.list(), s.stats()]);
    expect(list.find((v) => v.name === 'kept')?.repr).toBe('5');
    expect(stats.restarts).toBe(1);
    await interrupted;
    expect((await cell).restarted).toBe(true);
  });

  it('a call not safe to repeat (namespace.delete) rejects with an error that says what happened', async () => {
    const { s, started } = await signallingSession();
    await s.execute('var kept = 5');
    const cell = s.execute(UNSTOPPABLE);
    await started();
    const deleted = s.namespace.delete('kept');
    // Attach the handler now: the rejection may come before the interrupt resolves.
    const outcome = deleted.then(
      () => undefined,
      (error: unknown) => error,
    );
    await s.interrupt();
    await cell;
    const error = await outcome;
    expect(error).toBeInstanceOf(SandcellError);
    expect((error as Error).message).toMatch(/restarted while namespace\.delete\(\) was in flight.*call it again/);
    // The session goes on, with the variable of the last completed cell.
    expect((await s.execute('kept')).value).toBe(5);
  });

  it('calls around a worker that closes itself between cells resolve against the new worker', async () => {
    const s = await openSession();
    const restarted = new Promise<CustomEvent>((resolve) => s.addEventListener('restart', resolve, { once: true }));
    await s.execute('var kept = 1; setTimeout(() => close(), 0)');
    const before = [s.namespace.list(), s.stats()];
    expect((await restarted).detail.reason).toBe('crashed');
    const after = [s.namespace.list(), s.stats()];
    for (const call of [...before, ...after]) await expect(call).resolves.toBeDefined();
    expect((await s.namespace.list()).find((v) => v.name === 'kept')?.repr).toBe('1');
  });

  it('calls in flight when the session is closed reject with SessionClosedError', async () => {
    const { s, started } = await signallingSession();
    const cell = s.execute(UNSTOPPABLE);
    await started();
    const calls = [s.namespace.list(), s.stats(), s.snapshot()].map((p) =>
      p.then(
        () => 'resolved',
        (error: unknown) => error,
      ),
    );
    await s.close();
    await expect(cell).rejects.toBeInstanceOf(SessionClosedError);
    for (const outcome of await Promise.all(calls)) expect(outcome).toBeInstanceOf(SessionClosedError);
  });
});
