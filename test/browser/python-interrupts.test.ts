/**
 * Stopping Python cells in real Chromium: the shared flag (Pyodide's interrupt buffer, stored
 * by the session's frame) stops busy code that swallows KeyboardInterrupt, `time.sleep` and
 * pending awaits without a restart; a native call that reads no flag takes the hard path
 * (the frame is removed, a new worker boots and gets the last checkpoint). Cells say they run
 * by printing with flush=True, which reaches the page at once; nothing here sleeps to wait.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, type Session } from '../../lib/index';
import type { OutputEvent } from '../../lib/types';

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

let py: Session;
const asked: string[] = [];

beforeAll(async () => {
  // A generous grace: on a busy machine the cooperative path must not lose the race to the hard one.
  py = await createSession({
    language: 'python',
    interruptGraceMs: 20_000,
    onInput: (prompt) => {
      asked.push(prompt);
      return 'Ada';
    },
  });
}, 120_000);

afterAll(async () => {
  await py?.close();
});

describe('cooperative stops (no restart)', () => {
  it('stops `while True: pass` and keeps the variables set before', async () => {
    await py.execute('kept = [1, 2, 3]');
    const result = await interruptAfter(py, 'print("spin", flush=True)\nwhile True: pass', 'spin');
    expect(result).toMatchObject({ status: 'interrupted' });
    expect(result.restarted).toBeUndefined();
    expect((await py.execute('kept')).value).toEqual([1, 2, 3]);
  });

  it('stops a loop that swallows every exception, and one with a loop in finally', async () => {
    const swallow = await interruptAfter(
      py,
      'print("swallow", flush=True)\nwhile True:\n    try:\n        while True: pass\n    except BaseException:\n        pass',
      'swallow',
    );
    expect(swallow).toMatchObject({ status: 'interrupted' });
    expect(swallow.restarted).toBeUndefined();
    const inFinally = await interruptAfter(
      py,
      'print("finally", flush=True)\ntry:\n    while True: pass\nfinally:\n    while True: pass',
      'finally',
    );
    expect(inFinally).toMatchObject({ status: 'interrupted' });
    expect(inFinally.restarted).toBeUndefined();
    expect((await py.execute('1 + 1')).value).toBe(2);
  });

  it('stops time.sleep and a pending await', async () => {
    const sleeping = await interruptAfter(py, 'import time\nprint("sleep", flush=True)\ntime.sleep(600)', 'sleep');
    expect(sleeping).toMatchObject({ status: 'interrupted' });
    expect(sleeping.restarted).toBeUndefined();
    const awaiting = await interruptAfter(
      py,
      'import asyncio\nprint("await", flush=True)\nawait asyncio.sleep(600)',
      'await',
    );
    expect(awaiting).toMatchObject({ status: 'interrupted', mode: 'top-level-await' });
    expect(awaiting.restarted).toBeUndefined();
  });

  it('ends a cell past timeoutMs with status timeout', async () => {
    const result = await py.execute('while True: pass', { timeoutMs: 300 });
    expect(result).toMatchObject({ status: 'timeout' });
    expect(result.restarted).toBeUndefined();
    expect((await py.execute('kept')).value).toEqual([1, 2, 3]);
  });

  it('answers input() synchronously from onInput', async () => {
    const result = await py.execute('name = input("Who? ")\nf"hello {name}"');
    expect(result.value).toBe('hello Ada');
    expect(asked).toEqual(['Who? ']);
  });
});

describe('the hard path', () => {
  it('kills a native call that reads no flag and restores the last checkpoint, functions included', async () => {
    const session = await createSession({ language: 'python', interruptGraceMs: 500 });
    try {
      await session.execute(
        'data = {"a": [1, 2]}\ndef double(x):\n    return 2 * x\nclass Box:\n    def __init__(self, v): self.v = v',
      );
      await session.execute('box = Box(21)');
      const result = await interruptAfter(
        session,
        'print("native", flush=True)\nlost = 1\nsum(range(10**15))',
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
  }, 180_000);
});
