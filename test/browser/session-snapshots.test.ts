/** Snapshots through a session, against the real IndexedDB of Chromium. */

import { describe, expect, it } from 'vitest';
import { cdp } from 'vitest/browser';
import { deleteSnapshot, listSnapshots, SnapshotError } from '../../lib/index';
import { cdpMissing } from './engine';
import { openSession } from './helpers';

const uniqueId = (label: string) => `test-${label}-${crypto.randomUUID()}`;

const ALL_KINDS = `
const obj = { a: 1, nested: { deep: [1, 2, { x: 'y' }] } };
const arr = [1, 'two', null, undefined, true];
const map = new Map([['k', { v: 1 }], [2, 'two']]);
const set = new Set([1, 'a', 3n]);
const date = new Date(1700000000000);
const re = /ab+c/gi;
const typed = new Float64Array([1.5, 2.5]);
const buffer = new Uint8Array([1, 2, 3]).buffer;
const big = 12345678901234567890n;
const err = new RangeError('out of range');
const shared = { n: 1 };
const holderA = { shared };
const holderB = { shared };
const cyc = { name: 'cyc' }; cyc.self = cyc;
function greet(name) { return 'hi ' + name }
class Point { constructor(x, y) { this.x = x; this.y = y } norm() { return Math.hypot(this.x, this.y) } }
const pt = new Point(3, 4);
const pts = [new Point(6, 8)];
let closure = (() => { let hidden = 1; return () => hidden++ })();
const weak = new WeakMap();
`;

describe('session snapshots', () => {
  it('round-trips every value kind, functions, classes and instances into a new session', async () => {
    const id = uniqueId('kinds');
    const first = await openSession({ id });
    expect((await first.execute(ALL_KINDS)).status).toBe('ok');
    const info = await first.snapshot();
    expect(info.sessionId).toBe(id);
    expect(info.bytes).toBeGreaterThan(0);
    expect(info.saved).toEqual(expect.arrayContaining(['obj', 'map', 'greet', 'Point', 'pt', 'pts', 'cyc']));
    expect(info.skipped.map((s) => s.name).sort()).toEqual(['closure', 'weak']);
    for (const s of info.skipped) expect(s.reason.length).toBeGreaterThan(10);
    await first.close();

    const second = await openSession({ id, restore: true });
    expect(second.restoredOnStart?.snapshotId).toBe(info.id);
    const r = await second.execute(`[
      obj.nested.deep[2].x, arr.length, arr[3] === undefined, map.get('k').v, set.has(3n), date.getTime(),
      re.source + re.flags, typed[1], new Uint8Array(buffer)[2], big === 12345678901234567890n,
      err instanceof RangeError, err.message, holderA.shared === holderB.shared, cyc.self === cyc,
      greet('you'), pt.norm(), pt instanceof Point, pts[0].norm(), typeof closure, typeof weak,
    ]`);
    expect(r.value).toEqual([
      'y',
      5,
      true,
      1,
      true,
      1700000000000,
      'ab+cgi',
      2.5,
      3,
      true,
      true,
      'out of range',
      true,
      true,
      'hi you',
      5,
      true,
      10,
      'undefined',
      'undefined',
    ]);
  });

  it('restore() brings back an older snapshot by id and reports what it restored', async () => {
    const s = await openSession({ id: uniqueId('byid') });
    await s.execute('let v = 1');
    const one = await s.snapshot();
    await s.execute('v = 2; let extra = true');
    await s.snapshot();
    const info = await s.restore(one.id);
    expect(info.snapshotId).toBe(one.id);
    expect(info.restored).toEqual(['v']);
    expect((await s.execute('v')).value).toBe(1);
  });

  it('lists and deletes snapshots, newest first', async () => {
    const id = uniqueId('list');
    const s = await openSession({ id });
    await s.execute('let a = 1');
    const older = await s.snapshot();
    const newer = await s.snapshot();
    const listed = await listSnapshots(id);
    expect(listed.map((x) => x.id)).toEqual([newer.id, older.id]);
    await deleteSnapshot(newer.id);
    expect((await listSnapshots(id)).map((x) => x.id)).toEqual([older.id]);
    await deleteSnapshot(older.id);
    expect(await listSnapshots(id)).toEqual([]);
  });

  it('a missing snapshot is a SnapshotError not-found; the session runs on', async () => {
    const s = await openSession({ id: uniqueId('missing') });
    await s.execute('let keep = 1');
    const error = await s.restore().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).cause).toBe('not-found');
    expect((await s.execute('keep')).value).toBe(1);
  });

  it('a corrupt record written straight into IndexedDB gives SnapshotError corrupt; the session keeps its variables', async () => {
    const id = uniqueId('corrupt');
    const s = await openSession({ id });
    await s.execute('let keep = "live"');
    const info = await s.snapshot();
    // Overwrite the stored payload with garbage under its real key.
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open('sandcell');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const storeName = db.objectStoreNames[0];
    const keys = await new Promise<IDBValidKey[]>((resolve) => {
      const req = db.transaction(storeName).objectStore(storeName).getAllKeys();
      req.onsuccess = () => resolve(req.result);
    });
    const dataKey = keys.find((k) => String(k).includes(encodeURIComponent(id)) && String(k).includes('/data/'));
    expect(dataKey).toBeDefined();
    await new Promise<void>((resolve) => {
      const tx = db.transaction(storeName, 'readwrite');
      tx.objectStore(storeName).put({ format: 'something-else', junk: true }, dataKey as IDBValidKey);
      tx.oncomplete = () => resolve();
    });
    db.close();
    const error = await s.restore(info.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SnapshotError);
    expect((error as SnapshotError).cause).toBe('corrupt');
    expect((await s.execute('keep')).value).toBe('live');
  });

  it('quota exceeded keeps the previous snapshot and the session', async ({ skip }) => {
    skip(cdpMissing !== undefined, cdpMissing);
    const id = uniqueId('quota');
    const s = await openSession({ id });
    await s.execute('let small = 1');
    const session = cdp();
    await session.send('Storage.clearDataForOrigin', { origin: location.origin, storageTypes: 'indexeddb' });
    await session.send('Storage.overrideQuotaForOrigin', { origin: location.origin, quotaSize: 1024 * 1024 });
    let good: Awaited<ReturnType<typeof s.snapshot>>;
    try {
      good = await s.snapshot();
      await s.execute('let huge = new Uint8Array(8 * 1024 * 1024).fill(7)');
      const error = await s.snapshot().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnapshotError);
      expect((error as SnapshotError).cause).toBe('quota');
    } finally {
      await session.send('Storage.overrideQuotaForOrigin', { origin: location.origin });
    }
    expect((await listSnapshots(id)).map((x) => x.id)).toEqual([good.id]);
    expect((await s.execute('huge.length + small')).value).toBe(8 * 1024 * 1024 + 1);
  });

  it('persist: true saves after cells, coalesced, keeping one record, without delaying results', async () => {
    const id = uniqueId('persist');
    const s = await openSession({ id, persist: true });
    const saved: Array<{ id: string; saved: string[] }> = [];
    let complete!: () => void;
    const allSaved = new Promise<void>((r) => (complete = r));
    s.addEventListener('snapshot', (e) => {
      const info = (e as CustomEvent).detail;
      saved.push(info);
      if (info.saved.includes('n19')) complete();
    });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => s.execute(`var n${i} = ${i}`)));
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    await allSaved;
    expect(saved.length).toBeLessThan(20);
    const second = await openSession({ id, restore: true });
    expect((await second.execute('[n0, n19]')).value).toEqual([0, 19]);
    expect((await listSnapshots(id)).length).toBe(1);
  });
});
