/**
 * Python sessions through the public API, in real Chromium: Pyodide in the session's
 * opaque-origin frame, its files fetched by the page from the default index URL (served by
 * the dev server, see scripts/dev-env.mjs). One session serves the tests that only add state,
 * since a cold start costs seconds; the snapshot tests come last (they clear the namespace).
 * Snapshots go through the page's snapshot store (IndexedDB of the page's origin): what a cell
 * defined — functions, closures, classes and their instances, shared references — comes back
 * after the namespace was cleared; what cannot be saved is named with a reason; a snapshot of
 * the other language is refused with a clear error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, deleteSnapshot, type Session, SessionManager, SnapshotError } from '../../lib/index';
import type { OutputEvent } from '../../lib/types';

let py: Session;
const events: OutputEvent[] = [];
const stdout = () =>
  events
    .filter((e): e is Extract<OutputEvent, { type: 'stream' }> => e.type === 'stream' && e.stream === 'stdout')
    .map((e) => e.text)
    .join('');

beforeAll(async () => {
  py = await createSession({ language: 'python', id: `py-${crypto.randomUUID()}`, onOutput: (e) => events.push(e) });
}, 120_000);

afterAll(async () => {
  await py?.close();
});

describe('a Python session', () => {
  it('runs in its own frame and says it is Python', () => {
    expect(py.language).toBe('python');
    expect(document.querySelector(`iframe[data-sandcell-session="${py.id}"]`)).not.toBeNull();
  });

  it('returns the last expression as value and repr, with its mode', async () => {
    const result = await py.execute('import math\nr = 2\nmath.pi * r ** 2');
    expect(result).toMatchObject({ status: 'ok', mode: 'sync', value: Math.PI * 4, repr: '12.566370614359172' });
    expect(await py.execute('{"a": [1, 2, (3, None)], "big": 2**64}')).toMatchObject({
      status: 'ok',
      mode: 'expression',
      value: { a: [1, 2, [3, null]], big: 2n ** 64n },
    });
    expect(await py.execute('x = 5')).toMatchObject({ status: 'ok', mode: 'sync' });
  });

  it('keeps variables between cells, and _ is the last value that was not None', async () => {
    await py.execute('counter = 41');
    await py.execute('counter += 1');
    expect((await py.execute('counter')).value).toBe(42);
    await py.execute('None');
    expect((await py.execute('_')).value).toBe(42);
  });

  it('reports errors with the class, the position in the cell and the variables set before', async () => {
    const result = await py.execute('before = "kept"\n\nundefined_name + 1');
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ name: 'NameError', line: 3 });
    expect(result.error?.message).toContain('undefined_name');
    expect(result.error?.stack ?? '').not.toMatch(/sandcell_engine|pyodide/);
    expect((await py.execute('before')).value).toBe('kept');
    const syntax = await py.execute('def broken(:\n  pass');
    expect(syntax).toMatchObject({ status: 'error', mode: 'syntax-error', error: { name: 'SyntaxError', line: 1 } });
  });

  it('streams print and stderr in order, before the result', async () => {
    events.length = 0;
    const result = await py.execute(
      'import sys\nfor i in range(3):\n    print("line", i)\nprint("oops", file=sys.stderr)\n"done"',
    );
    expect(result.value).toBe('done');
    expect(stdout()).toBe('line 0\nline 1\nline 2\n');
    expect(events.at(-1)).toEqual({ type: 'stream', stream: 'stderr', text: 'oops\n' });
  });

  it('runs top-level await', async () => {
    const result = await py.execute('import asyncio\nawait asyncio.sleep(0.01)\n7 * 6');
    expect(result).toMatchObject({ status: 'ok', mode: 'top-level-await', value: 42 });
  });

  it('reads and writes the namespace from the page, with conversions both ways', async () => {
    await py.namespace.set({ fromPage: { n: 1, list: [1, 2], nothing: null, big: 2n ** 70n } });
    expect(
      await py.execute('(type(fromPage).__name__, fromPage["nothing"] is None, fromPage["big"] == 2**70)'),
    ).toMatchObject({
      value: ['dict', true, true],
    });
    await py.execute('made_here = {"k": [1.5, "s", True]}');
    expect(await py.namespace.get('made_here')).toEqual({ k: [1.5, 's', true] });
    expect(await py.namespace.get('no_such_name')).toBeUndefined();
    const names = (await py.namespace.list()).map((v) => v.name);
    expect(names).toEqual(expect.arrayContaining(['fromPage', 'made_here', 'counter']));
    expect(names).not.toContain('display');
    expect(await py.namespace.delete('made_here')).toBe(true);
    expect((await py.execute('"made_here" in globals()')).value).toBe(false);
    await expect(py.namespace.set({ display: 1 })).rejects.toThrow(/\[sandcell\].*display/);
  });

  it('counts executions and compiled-cell cache hits', async () => {
    const before = await py.stats();
    await py.execute('1 + 1');
    await py.execute('1 + 1');
    const after = await py.stats();
    expect(after.executions).toBe(before.executions + 2);
    expect(after.cache.hits).toBeGreaterThanOrEqual(before.cache.hits + 1);
    expect(after.variables).toBeGreaterThan(0);
  });
});

describe('policies', () => {
  it('keeps the sandbox policy from Python: js.fetch and pyodide.http are refused', async () => {
    const direct = await py.execute('import js\nawait js.fetch("https://example.com/")');
    expect(direct.status).toBe('error');
    expect(direct.error?.message).toMatch(/blocked by the session policy/);
    const viaPyodide = await py.execute('from pyodide.http import pyfetch\nawait pyfetch("https://example.com/")');
    expect(viaPyodide.status).toBe('error');
    expect(viaPyodide.error?.message).toMatch(/blocked by the session policy/);
  });

  it("runs a page-hosted session under 'unrestricted' (a worker of the page's own origin)", async () => {
    const session = await createSession({ language: 'python', policy: 'unrestricted' });
    try {
      expect(document.querySelector(`iframe[data-sandcell-session="${session.id}"]`)).toBeNull();
      expect((await session.execute('import sys\nsys.version_info[:2] >= (3, 12)')).value).toBe(true);
    } finally {
      await session.close();
    }
  }, 120_000);
});

describe('Python snapshots', () => {
  it('saves functions, closures, classes, instances and shared references, and restores them', async () => {
    const setup = [
      'from dataclasses import dataclass',
      'import math',
      'shared = [1, 2]',
      'holder = {"a": shared, "b": shared}',
      'def area(r):\n    return math.pi * r * r',
      'def make_counter():\n    n = 0\n    def step():\n        nonlocal n\n        n += 1\n        return n\n    return step',
      'counter = make_counter()\ncounter()',
      '@dataclass\nclass Point:\n    x: int\n    y: int\n    def norm1(self):\n        return abs(self.x) + abs(self.y)',
      'p = Point(3, -4)',
      'gen = (i for i in range(3))',
      'import js',
    ];
    for (const cell of setup) expect((await py.execute(cell)).status).toBe('ok');
    const info = await py.snapshot();
    expect(info.saved).toEqual(expect.arrayContaining(['shared', 'holder', 'area', 'counter', 'Point', 'p', 'math']));
    // `js` is a JavaScript object (Pyodide's module of the worker's globals): skipped, with its reason.
    expect(info.skipped).toContainEqual({ name: 'gen', reason: expect.stringMatching(/generator/) });
    expect(info.skipped.map((v) => v.name).sort()).toEqual(['gen', 'js']);

    await py.namespace.clear();
    expect((await py.execute('"p" in globals()')).value).toBe(false);

    const restored = await py.restore(info.id);
    expect(restored.snapshotId).toBe(info.id);
    expect(restored.restored).toEqual(expect.arrayContaining(['holder', 'counter', 'p', 'Point']));
    const check = await py.execute(
      '(round(area(1), 5), counter(), p.norm1(), isinstance(p, Point), holder["a"] is holder["b"], math.sqrt(16))',
    );
    expect(check).toMatchObject({ status: 'ok', value: [Number(Math.PI.toFixed(5)), 2, 7, true, true, 4] });
    await deleteSnapshot(info.id);
  });

  it('refuses a snapshot of the other language, naming both', async () => {
    const js = await createSession({ id: `js-snap-${crypto.randomUUID()}` });
    try {
      await js.execute('let fromJs = 1');
      const jsInfo = await js.snapshot();
      const error = await py.restore(jsInfo.id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnapshotError);
      expect((error as Error).message).toMatch(/\[sandcell\].*javascript session.*python session/);
      const pyInfo = await py.snapshot();
      await expect(js.restore(pyInfo.id)).rejects.toThrow(/saved by a python session/);
      await deleteSnapshot(jsInfo.id);
      await deleteSnapshot(pyInfo.id);
    } finally {
      await js.close();
    }
  });

  it('a SessionManager keeps warm Python sessions, and a pooled one restores the latest snapshot of its id', async () => {
    await py.execute('warm_value = 7');
    const info = await py.snapshot();
    const manager = new SessionManager({ defaults: { language: 'python' }, poolSize: 1 });
    try {
      await manager.whenPoolReady();
      expect(manager.pooled).toBe(1);
      const pooled = await manager.create({ id: py.id, restore: true });
      expect(pooled.language).toBe('python');
      expect(pooled.restoredOnStart?.snapshotId).toBe(info.id);
      expect((await pooled.execute('warm_value * 6')).value).toBe(42);
    } finally {
      await manager.closeAll();
      await deleteSnapshot(info.id);
    }
  }, 180_000);
});
