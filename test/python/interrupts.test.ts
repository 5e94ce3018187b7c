/**
 * Stops that user code cannot swallow. A second thread sets the shared interrupt flag the moment
 * the cell says it is running (Atomics, no timers), exactly as the host does while the worker is
 * busy; asynchronous cells are stopped the way the worker will, by the flag plus engine.interrupt().
 */
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { type Session, startSession } from './harness.ts';

// Pyodide is loaded once per file (seconds); cells that flood output or stop threads get room on a busy machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

let s: Session;
let thread: Worker;
let started: () => Promise<void>;

beforeAll(async () => {
  s = await startSession();
  expect(s.shared.length).toBeGreaterThanOrEqual(3);
  thread = new Worker(new URL('./interrupt-thread.mjs', import.meta.url), { workerData: s.shared.buffer });
  let resolveStarted: (() => void) | undefined;
  started = () => new Promise<void>((resolve) => (resolveStarted = resolve));
  s.pyodide.registerJsModule('test_signal', {
    started() {
      Atomics.store(s.shared, 1, 1);
      Atomics.notify(s.shared, 1);
      resolveStarted?.();
    },
  });
}, 120_000);

afterAll(async () => {
  await thread?.terminate();
});

/** Runs a synchronous cell that calls `started()`; the thread stops it then. */
async function stopSync(code: string) {
  thread.postMessage('arm');
  const result = await s.run(`from test_signal import started\n${code}`);
  // The thread stops re-sending the stop, and says so before the next cell may start.
  const settled = new Promise((resolve) => thread.once('message', resolve));
  Atomics.store(s.shared, 2, 1);
  Atomics.notify(s.shared, 2);
  await settled;
  return result;
}

/** Runs an async cell, stops it (flag + interrupt(), as the worker will) once it has started. */
async function stopAsync(code: string) {
  const running = started();
  const result = s.run(`from test_signal import started\n${code}`);
  await running;
  Atomics.store(s.shared, 0, 2);
  s.engine.interrupt();
  return result;
}

describe('synchronous cells', () => {
  test.each([
    ['a bare loop', 'started()\nwhile True:\n    pass'],
    [
      'except BaseException: pass in a loop',
      'started()\nwhile True:\n    try:\n        for i in range(100):\n            pass\n    except BaseException:\n        pass',
    ],
    [
      'except KeyboardInterrupt: continue',
      'started()\nwhile True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        continue',
    ],
    ['a loop in finally', 'started()\ntry:\n    while True:\n        pass\nfinally:\n    while True:\n        pass'],
    [
      'a swallowing function called in a loop',
      'def spin():\n    try:\n        while True:\n            pass\n    except BaseException:\n        return "swallowed"\nstarted()\nwhile True:\n    spin()',
    ],
    [
      'a bare except that retries',
      'started()\nn = 0\nwhile True:\n    try:\n        n += 1\n        sum(range(1000))\n    except:\n        n -= 1',
    ],
    ['time.sleep', 'import time\nstarted()\ntime.sleep(1000)'],
    [
      'time.sleep in a swallowing loop',
      'import time\nstarted()\nwhile True:\n    try:\n        time.sleep(1000)\n    except BaseException:\n        pass',
    ],
    [
      'time.sleep in finally',
      'import time\nstarted()\ntry:\n    while True:\n        pass\nfinally:\n    time.sleep(1000)',
    ],
    [
      'a recursive retry',
      'def again(n):\n    try:\n        return again(n + 1) if n < 50 else again(0)\n    except BaseException:\n        return again(n)\nimport sys\nsys.setrecursionlimit(200)\nstarted()\nagain(0)',
    ],
  ])('%s', async (_name, code) => {
    const result = await stopSync(code);
    expect(result.status).toBe('interrupted');
  });

  test('the interrupted cell reports KeyboardInterrupt at its line, and keeps what it assigned', async () => {
    const result = await stopSync('counter = 0\nstarted()\nwhile True:\n    counter += 1');
    expect(result).toMatchObject({ status: 'interrupted', error: { name: 'KeyboardInterrupt' } });
    expect([4, 5]).toContain(result.error?.line); // the loop's line or its body's (after the import the test adds)
    expect((await s.run('counter > 0')).value).toBe(true);
  });

  test('the next cell runs normally: no stop left armed, and a stale flag is dropped', async () => {
    await stopSync('started()\nwhile True:\n    pass');
    expect((await s.run('total = 0\nfor i in range(200_000):\n    total += i\ntotal')).value).toBe(19999900000);
    Atomics.store(s.shared, 0, 2); // a stop that arrives after its cell ended
    expect((await s.run('for i in range(200_000):\n    pass\n"done"')).value).toBe('done');
  });

  test('20 stops in a row, none lost', async () => {
    for (let i = 0; i < 20; i++) {
      const result = await stopSync(
        'started()\nwhile True:\n    try:\n        pass\n    except BaseException:\n        pass',
      );
      expect(result.status).toBe('interrupted');
    }
  });
});

describe('asynchronous cells', () => {
  test.each([
    ['a pending sleep', 'import asyncio\nstarted()\nawait asyncio.sleep(1000)'],
    [
      'a sleep in a swallowing loop',
      'import asyncio\nstarted()\nwhile True:\n    try:\n        await asyncio.sleep(1000)\n    except BaseException:\n        pass',
    ],
    ['gathered tasks', 'import asyncio\nstarted()\nawait asyncio.gather(asyncio.sleep(1000), asyncio.sleep(1000))'],
    ['a future nobody resolves', 'import asyncio\nstarted()\nawait asyncio.get_event_loop().create_future()'],
    [
      'an await in finally',
      'import asyncio\nstarted()\ntry:\n    await asyncio.sleep(1000)\nfinally:\n    await asyncio.sleep(1000)',
    ],
  ])('%s', async (_name, code) => {
    const result = await stopAsync(code);
    expect(result.status).toBe('interrupted');
  });

  test('tasks the cell started are cancelled with it', async () => {
    await stopAsync(
      'import asyncio\nasync def forever():\n    await asyncio.sleep(1000)\nchild = asyncio.ensure_future(forever())\nstarted()\nawait asyncio.sleep(1000)',
    );
    await s.run('import asyncio\nawait asyncio.sleep(0)');
    expect((await s.run('child.cancelled()')).value).toBe(true);
  });

  test('interrupt() while idle cancels tasks finished cells left running', async () => {
    await s.run(
      'import asyncio\nasync def ticker():\n    while True:\n        await asyncio.sleep(1000)\nleft = asyncio.ensure_future(ticker())',
    );
    expect((await s.run('left.done()')).value).toBe(false);
    s.engine.interrupt();
    await s.run('await asyncio.sleep(0)');
    expect((await s.run('left.cancelled()')).value).toBe(true);
  });
});
