/**
 * Python snapshots through the page's snapshot store (IndexedDB of the page's origin): what a
 * cell defined — functions, closures, classes and their instances, shared references — comes
 * back after the namespace was cleared; what cannot be saved is named with a reason; a
 * snapshot of the other language is refused with a clear error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, deleteSnapshot, type Session, SnapshotError } from '../../lib/index';

let py: Session;

beforeAll(async () => {
  py = await createSession({ language: 'python', id: `py-snap-${crypto.randomUUID()}` });
}, 120_000);

afterAll(async () => {
  await py?.close();
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
    ];
    for (const cell of setup) expect((await py.execute(cell)).status).toBe('ok');
    const info = await py.snapshot();
    expect(info.saved).toEqual(expect.arrayContaining(['shared', 'holder', 'area', 'counter', 'Point', 'p', 'math']));
    expect(info.skipped).toEqual([{ name: 'gen', reason: expect.stringMatching(/generator/) }]);

    await py.namespace.clear();
    expect((await py.execute('"p" in globals()')).value).toBe(false);

    const restored = await py.restore(info.id);
    expect(restored.snapshotId).toBe(info.id);
    expect(restored.restored).toEqual(expect.arrayContaining(['holder', 'counter', 'p', 'Point']));
    const check = await py.execute(
      '(round(area(1), 5), counter(), p.norm1(), isinstance(p, Point), holder["a"] is holder["b"], math.sqrt(16))',
    );
    expect(check).toMatchObject({ status: 'ok', value: [3.14159, 2, 7, true, true, 4] });
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
});
