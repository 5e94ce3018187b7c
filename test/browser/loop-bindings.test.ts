/**
 * A top-level loop keeps the let/const it uses in a local holder while it runs
 * (lib/executor/loop-bindings.ts). Stopping such a loop — an interrupt or a time limit — must
 * stop it cooperatively, as any loop, and leave the bindings as plain variables holding the
 * last value the loop gave them. (An interrupt without shared memory takes the hard path:
 * the bindings are then those of the last checkpoint, still plain variables.)
 */
import { expect, it } from 'vitest';
import type { ExecutionResult } from '../../lib/index';
import { openSession, sharedMemory } from './helpers';

/** Long enough that a loaded machine does not push the stop onto the hard path (speed is the bench's business). */
const COOPERATIVE_GRACE_MS = 20_000;

async function startedLoop(cell: string, timeoutMs?: number) {
  let running: (() => void) | undefined;
  const s = await openSession({ interruptGraceMs: COOPERATIVE_GRACE_MS, capabilities: { running: () => running?.() } });
  expect((await s.execute('let c = 0; const step = 1; function peek() { return c }')).status).toBe('ok');
  const started = new Promise<void>((resolve) => (running = resolve));
  // The cell says it runs from inside its loop, after 1000 iterations: the stop cannot come before them.
  const result: Promise<ExecutionResult> = s.execute(cell, { timeoutMs });
  await started;
  return { s, result };
}

it('an interrupt stops a top-level loop that keeps its bindings, which stay plain variables', async () => {
  const { s, result } = await startedLoop(
    'for (;;) { c += step; if (c === 1000) host.running(); if (peek() !== c) throw new Error("peek") }',
  );
  await s.interrupt();
  const r = await result;
  expect(r).toMatchObject({ status: 'interrupted' });
  if (sharedMemory) {
    expect(r.restarted).toBeUndefined();
    expect((await s.execute('[typeof c, c >= 1000, peek() === c]')).value).toEqual(['number', true, true]);
  } else {
    // Without shared memory a busy worker hears no interrupt: the hard path restarts it with
    // the last checkpoint, taken before the loop's cell, so c is back to what it was then.
    expect(r.restarted).toBe(true);
    expect((await s.execute('[typeof c, c, peek() === c]')).value).toEqual(['number', 0, true]);
  }
  expect((await s.execute('c = 5; [c, peek()]')).value).toEqual([5, 5]);
  expect((await s.execute('step = 2')).error?.message).toBe('Assignment to constant variable.');
});

// 3 s: wide slack for the first 1000 iterations on a loaded machine.
it('a time limit stops a top-level loop that keeps its bindings, which stay plain variables', async () => {
  const { s, result } = await startedLoop('while (true) { c += step; if (c === 1000) host.running() }', 3000);
  const r = await result;
  expect(r).toMatchObject({ status: 'timeout' });
  expect(r.restarted).toBeUndefined();
  expect((await s.execute('[typeof c, c >= 1000, peek() === c]')).value).toEqual(['number', true, true]);
  expect((await s.execute('c = 7; c')).value).toBe(7);
});
