/**
 * Stopping Python cells in a real browser: the shared flag (Pyodide's interrupt buffer, stored
 * by the session's frame) stops busy code that swallows KeyboardInterrupt, `time.sleep` and
 * pending awaits without a restart; a native call that reads no flag takes the hard path
 * (the frame is removed, a new worker boots and gets the last checkpoint). Without
 * SharedArrayBuffer (WebKitGTK unless JSC_useSharedArrayBuffer=1) there is no flag: every stop
 * and time limit is the hard path (Pyodide boots again, the variables come back), and input()
 * is awaited. Cells say they run by printing with flush=True, which reaches the page at once;
 * nothing here sleeps to wait.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSession, type ExecutionResult, type Session } from '../../lib/index';
import type { OutputEvent } from '../../lib/types';
import { sharedMemory, sizeNativeSpins } from './helpers';

/** Resolves when the session prints `marker` (the cell is running past that point). */
function printed(session: Session, marker: string): Promise<void> {
  return new Promise((resolve) => {
    const listener = (event: CustomEvent<OutputEvent>) => {
      const e = event.detail;
      if (e.type === 'stream' && e.text.includes(marker)) {
        session.removeEventListener('output', listener);
        resolve();
      }
    };
    session.addEventListener('output', listener);
  });
}

/** Runs `code`, interrupts it once it printed `marker`, and returns its result. */
async function interruptAfter(session: Session, code: string, marker: string) {
  const running = printed(session, marker);
  const result = session.execute(code);
  await running;
  await session.interrupt();
  return result;
}

/**
 * A stopped cell: in place by the flag where there is shared memory, else by the hard path.
 * Each hard stop boots Pyodide again, so the tests that stop twice get a long limit.
 */
function expectStopped(session: Session, result: ExecutionResult, status: 'interrupted' | 'timeout' = 'interrupted') {
  expect(result.status).toBe(status);
  if (session.crossOriginIsolated) expect(result.restarted).toBeUndefined();
  else expect(result.restarted).toBe(true);
}

/**
 * Per test: two stops without shared memory are two Pyodide boots, which took 40-70 s each in
 * WebKitGTK on a loaded 2-core machine (a test of two stops: 145 s). Wide, since only a hang
 * should fail here.
 */
const STOPS_TIMEOUT_MS = 480_000;
/** A Pyodide boot (the session of each stop test). */
const BOOT_TIMEOUT_MS = 240_000;

let py: Session;
const asked: string[] = [];

beforeAll(async () => {
  py = await createSession({
    language: 'python',
    onInput: (prompt) => {
      asked.push(prompt);
      return 'Ada';
    },
  });
}, BOOT_TIMEOUT_MS);

afterAll(async () => {
  await py?.close();
});

describe('a Python session', () => {
  it('says which path its stops take, as the page can tell', () => {
    expect(py.crossOriginIsolated).toBe(sharedMemory);
  });

  it('answers input() from onInput: synchronously with shared memory, awaited without', async () => {
    const result = await py.execute(`name = ${py.crossOriginIsolated ? '' : 'await '}input("Who? ")\nf"hello {name}"`);
    expect(result.value).toBe('hello Ada');
    expect(asked).toEqual(['Who? ']);
  });
});

// A session per test: without shared memory every stop replaces the session's frame, and the
// new frame must belong to the test that made it (the suite counts what each test leaves).
describe('stops: the flag without a restart (the hard path without shared memory)', () => {
  let session: Session;

  beforeEach(async () => {
    // A generous grace: on a busy machine the cooperative path must not lose the race to the hard one.
    session = await createSession({ language: 'python', interruptGraceMs: 20_000 });
    await session.execute('kept = [1, 2, 3]');
  }, BOOT_TIMEOUT_MS);

  afterEach(async () => {
    await session?.close();
  });

  it(
    'stops `while True: pass` and keeps the variables set before',
    async () => {
      const result = await interruptAfter(session, 'print("spin", flush=True)\nwhile True: pass', 'spin');
      expectStopped(session, result);
      expect((await session.execute('kept')).value).toEqual([1, 2, 3]);
    },
    STOPS_TIMEOUT_MS,
  );

  it(
    'stops a loop that swallows every exception, and one with a loop in finally',
    async () => {
      const swallow = await interruptAfter(
        session,
        'print("swallow", flush=True)\nwhile True:\n    try:\n        while True: pass\n    except BaseException:\n        pass',
        'swallow',
      );
      expectStopped(session, swallow);
      const inFinally = await interruptAfter(
        session,
        'print("finally", flush=True)\ntry:\n    while True: pass\nfinally:\n    while True: pass',
        'finally',
      );
      expectStopped(session, inFinally);
      expect((await session.execute('(1 + 1, kept)')).value).toEqual([2, [1, 2, 3]]);
    },
    STOPS_TIMEOUT_MS,
  );

  it(
    'stops time.sleep and a pending await',
    async () => {
      const sleeping = await interruptAfter(
        session,
        'import time\nprint("sleep", flush=True)\ntime.sleep(600)',
        'sleep',
      );
      expectStopped(session, sleeping);
      const awaiting = await interruptAfter(
        session,
        'import asyncio\nprint("await", flush=True)\nawait asyncio.sleep(600)',
        'await',
      );
      expectStopped(session, awaiting);
      expect(awaiting.mode).toBe('top-level-await');
    },
    STOPS_TIMEOUT_MS,
  );

  it(
    'ends a cell past timeoutMs with status timeout',
    async () => {
      const result = await session.execute('while True: pass', { timeoutMs: 300 });
      expectStopped(session, result, 'timeout');
      expect((await session.execute('kept')).value).toEqual([1, 2, 3]);
    },
    STOPS_TIMEOUT_MS,
  );
});

describe('the hard path', () => {
  it(
    'kills a native call that reads no flag and restores the last checkpoint, functions included',
    async () => {
      const session = await createSession({ language: 'python', interruptGraceMs: 500 });
      try {
        await session.execute(
          'data = {"a": [1, 2]}\ndef double(x):\n    return 2 * x\nclass Box:\n    def __init__(self, v): self.v = v',
        );
        await session.execute('box = Box(21)');
        // 5 s, ten times the grace: long enough to need the kill, short enough to end by itself.
        await session.execute(sizeNativeSpins({ SPIN: 5 }));
        const result = await interruptAfter(
          session,
          'print("native", flush=True)\nlost = 1\nsum(range(SPIN))',
          'native',
        );
        expect(result).toMatchObject({ status: 'interrupted', restarted: true });
        expect((await session.execute('(data, double(box.v), "lost" in globals())')).value).toEqual([
          { a: [1, 2] },
          42,
          false,
        ]);
        expect((await session.stats()).restarts).toBe(1);
      } finally {
        await session.close();
      }
    },
    STOPS_TIMEOUT_MS,
  );
});
