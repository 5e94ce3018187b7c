/**
 * A Python restore runs user code — `__setstate__`, the callable `__reduce__` names,
 * `__init_subclass__`, a metaclass — which can loop forever or end the worker. The page's
 * restore watch (lib/host/restore-watch.ts, issue 11) covers Python as it covers JavaScript:
 * the worker says which group it loads, a worker that stalls or dies there is replaced, the
 * restore runs again without that group, and the names are reported in `skipped` (in the
 * `restart` event's detail for a restart, in `restore()`'s answer for a snapshot).
 */
import { describe, expect, it } from 'vitest';
import { createSession, type Session } from '../../lib/index';
import type { RestartDetail } from '../../lib/types';
import { sizeNativeSpins } from './helpers';

const uniqueId = (label: string) => `py-${label}-${crypto.randomUUID()}`;

function watchRestarts(session: Session): RestartDetail[] {
  const details: RestartDetail[] = [];
  session.addEventListener('restart', (e) => details.push(e.detail));
  return details;
}

/**
 * An instance whose `__setstate__` spins in pure Python while `builtins.trap` is set: a
 * restore into the session that set it never ends on its own.
 */
const TRAP_ON_FLAG = `
import builtins

class Sticky:
    def __init__(self):
        self.v = 1

    def __setstate__(self, state):
        while getattr(builtins, "trap", False):
            pass
        self.__dict__.update(state)

sticky = Sticky()
kept = [1, 2, 3]
`;

/**
 * Native spins sized in the worker (helpers.ts): `SPIN` outlasts the 10 s stall limit (25 s),
 * `SHORT_SPIN` the 200 ms time limit and 500 ms grace (5 s). A fixed 3·10^9 steps, sized for
 * V8, spun on in WebKit's killed workers beside this test's Pyodide boots (706 s in the suite).
 */
const SIZE_SPINS = sizeNativeSpins({ SPIN: 25, SHORT_SPIN: 5 });

/**
 * Traps sprung only in a new worker (where `live`, a generator no checkpoint can hold, does
 * not exist): `spinner` spins in a native call no interrupt reaches, `closer`'s rebuilding
 * function ends the worker.
 */
const TRAPS_ON_RESTART = `
live = (n for n in range(3))

class Spinner:
    def __init__(self):
        self.v = 1  # pickle calls __setstate__ only for a non-empty state

    def __setstate__(self, state):
        if "live" not in __import__("__main__").__dict__:
            sum(range(SPIN))
        self.__dict__.update(state)

def rebuild_closer():
    if "live" not in __import__("__main__").__dict__:
        import js
        js.close()
    return Closer()

class Closer:
    def __reduce__(self):
        return (rebuild_closer, ())

spinner = Spinner()
closer = Closer()
kept = {"a": 1}
`;

describe('a Python restore cannot hang or crash-loop the session', () => {
  it('a snapshot whose __setstate__ loops is given up on after the stall limit; the rest comes back', async () => {
    const session = await createSession({ language: 'python', id: uniqueId('stall') });
    try {
      expect((await session.execute(TRAP_ON_FLAG)).status).toBe('ok');
      const info = await session.snapshot();
      expect(info.skipped).toEqual([]);
      expect((await session.execute('builtins.trap = True\ndel sticky, kept')).status).toBe('ok');
      const report = await session.restore(info.id);
      expect(report.restored).toContain('kept');
      expect(report.skipped.map((s) => s.name)).toContain('sticky');
      expect(report.skipped.map((s) => s.reason).join('\n')).toMatch(/worker was replaced/);
      // The session is up, on a new worker (the trap flag lived in the old one's builtins).
      const after = await session.execute('(kept, "sticky" in globals(), getattr(builtins, "trap", False))');
      expect(after).toMatchObject({ status: 'ok', value: [[1, 2, 3], false, false] });
      expect((await session.stats()).restarts).toBe(1);
    } finally {
      await session.close();
    }
  }, 240_000);

  // Four Pyodide boots (the restart, a worker given up on per trap, the one that comes up); in
  // WebKit the spins go on in the killed workers beside them (47 s there alone, 37 s in Chromium).
  it('a restart whose checkpoint stalls in a native call or closes the worker comes up without them', async () => {
    const session = await createSession({ language: 'python', id: uniqueId('restart'), interruptGraceMs: 500 });
    const restarts = watchRestarts(session);
    try {
      expect((await session.execute(SIZE_SPINS)).status).toBe('ok');
      expect((await session.execute(TRAPS_ON_RESTART)).status).toBe('ok');
      const hard = await session.execute('sum(range(SHORT_SPIN))', { timeoutMs: 200 });
      expect(hard).toMatchObject({ status: 'timeout', restarted: true });
      expect(restarts).toHaveLength(1);
      const skipped = restarts[0].skipped ?? [];
      const names = skipped.map((s) => s.name);
      expect(names).toEqual(expect.arrayContaining(['spinner', 'closer']));
      expect(names).not.toContain('kept');
      // Each trap is given up on under the first name of the group it was saved in (its
      // class, instance and rebuilding function share references); the others say so.
      const reasons = skipped.map((s) => s.reason).join('\n');
      expect(reasons).toMatch(/worker was replaced/);
      expect(reasons).toMatch(/ended the worker/);
      const after = await session.execute('(kept, "spinner" in globals(), "closer" in globals())');
      expect(after).toMatchObject({ status: 'ok', value: [{ a: 1 }, false, false] });
    } finally {
      await session.close();
    }
  }, 900_000);
});
