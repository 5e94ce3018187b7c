/** Shared by the browser tests: every test gets fresh sessions, closed after it (the setup file counts what is left). */
import { afterEach } from 'vitest';
import { createSession, type Session } from '../../lib/index';
import type { OutputEvent, SessionOptions } from '../../lib/types';

const open = new Set<Session>();

/**
 * Whether sessions on this page get shared memory (the interrupt flag, a synchronous input()):
 * the feature test the SDK makes. Without it (WebKitGTK ships no SharedArrayBuffer unless
 * JSC_useSharedArrayBuffer=1) interrupting a busy cell takes the hard path and input() is awaited.
 */
export const sharedMemory = typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true;

/** `input` as a cell must call it in `session`: as is where it blocks, awaited where it gives a promise. */
export function awaitInput(session: Session): string {
  return session.crossOriginIsolated ? 'input' : 'await input';
}

/** A session closed automatically after the test. */
export async function openSession(options?: SessionOptions): Promise<Session> {
  const session = await createSession(options);
  open.add(session);
  return session;
}

/** Collects a session's output as text per stream. */
export function collectOutput(): {
  events: OutputEvent[];
  onOutput: (e: OutputEvent) => void;
  text: (stream?: 'stdout' | 'stderr') => string;
} {
  const events: OutputEvent[] = [];
  return {
    events,
    onOutput: (e) => events.push(e),
    text: (stream) =>
      events
        .filter(
          (e): e is Extract<OutputEvent, { type: 'stream' }> => e.type === 'stream' && (!stream || e.stream === stream),
        )
        .map((e) => e.text)
        .join(''),
  };
}

// Closing is all this does: whether anything is still running is counted for every test by
// ./setup/leak-check.ts.
afterEach(async () => {
  const sessions = [...open];
  open.clear();
  await Promise.all(sessions.map((s) => s.close()));
});

/**
 * A Python cell that defines, for each name given, a step count for `sum(range(n))` lasting
 * about that many seconds in this engine on this machine (the fastest of three measurements: a
 * busier machine only makes the spin longer). The spin runs in C, where no interrupt reaches,
 * and it ends by itself: in WebKit a killed worker busy in WebAssembly is never ended, and an
 * endless spin (`sum(range(10**15))`) kept a core busy for the rest of the suite.
 */
export function sizeNativeSpins(secondsByName: Record<string, number>): string {
  const lines = Object.entries(secondsByName).map(([name, seconds]) => `${name} = int(${seconds} / _per_step)`);
  return [
    'import time as _time',
    'def _seconds_per_step():',
    '    best = float("inf")',
    '    for _ in range(3):',
    '        t0 = _time.perf_counter()',
    '        sum(range(10**7))',
    '        best = min(best, _time.perf_counter() - t0)',
    '    return best / 10**7',
    '_per_step = _seconds_per_step()',
    ...lines,
    'del _per_step, _seconds_per_step, _time',
  ].join('\n');
}
