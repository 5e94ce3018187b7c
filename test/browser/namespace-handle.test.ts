/** session.namespace from the host: get, set with merge strategies, list, delete, clear; engine internals protected. */
import { describe, expect, it } from 'vitest';
import { openSession } from './helpers';

describe('namespace handle', () => {
  it('gets and sets values by structured clone', async () => {
    const s = await openSession();
    await s.namespace.set({ fromHost: { list: [1, 2], when: new Date(5) } });
    expect((await s.execute('fromHost.list.length + fromHost.when.getTime()')).value).toBe(7);
    await s.execute('let fromCell = new Map([["a", 1]])');
    expect(await s.namespace.get('fromCell')).toEqual(new Map([['a', 1]]));
    expect(await s.namespace.get('missing')).toBeUndefined();
    await s.execute('let fn = () => 1');
    await expect(s.namespace.get('fn')).rejects.toThrow(/cannot be copied/);
  });

  it('merges with overwrite, preserve and smart', async () => {
    const s = await openSession();
    await s.execute('let a = 1; let cfg = {x: 1, y: 2}; let keep = "old"');
    await s.namespace.set({ a: 2, fresh: 1 }, { strategy: 'preserve' });
    expect((await s.execute('[a, fresh]')).value).toEqual([1, 1]);
    await s.namespace.set({ cfg: { y: 20, z: 30 }, keep: null }, { strategy: 'smart' });
    expect((await s.execute('[cfg, keep]')).value).toEqual([{ x: 1, y: 20, z: 30 }, 'old']);
    await s.namespace.set({ a: 3, keep: null });
    expect((await s.execute('[a, keep]')).value).toEqual([3, null]);
    await expect(s.namespace.set({ a: 1 }, { strategy: 'bogus' as 'smart' })).rejects.toThrow(/strategy.*"bogus"/);
  });

  it('lists user variables only, with type and repr', async () => {
    const s = await openSession();
    await s.execute(
      'let num = 1; const text = "hi"; function f() {} class K {} let name = "shadowing a worker global"; setTimeout(() => {}, 0); 42',
    );
    const list = await s.namespace.list();
    const names = list.map((v) => v.name).sort();
    expect(names).toEqual(['K', 'f', 'name', 'num', 'text']);
    expect(list.find((v) => v.name === 'num')).toEqual({ name: 'num', type: 'number', repr: '1' });
    expect(list.find((v) => v.name === 'K')?.type).toBe('class');
    expect(list.find((v) => v.name === 'f')?.type).toBe('function');
  });

  it('deletes and clears user variables; engine internals stay', async () => {
    const s = await openSession();
    await s.execute('let a = 1; let b = 2; 3');
    expect(await s.namespace.delete('a')).toBe(true);
    expect(await s.namespace.delete('a')).toBe(false);
    expect(await s.namespace.delete('display')).toBe(false);
    await s.namespace.clear();
    expect(await s.namespace.list()).toEqual([]);
    expect(
      (await s.execute('[typeof b, typeof display, typeof input, typeof host, typeof PolicyError]')).value,
    ).toEqual(['undefined', 'function', 'function', 'object', 'function']);
  });

  it('user code may take the engine names for itself; the engine keeps working and clear() brings them back', async () => {
    const s = await openSession();
    await s.execute('display = 1; delete globalThis.input; globalThis.host = null');
    expect((await s.execute('[typeof display, typeof input, host]')).value).toEqual(['number', 'undefined', null]);
    expect((await s.execute('let display = 5; console.log("still captured"); display')).value).toBe(5);
    await s.namespace.clear();
    expect((await s.execute('[typeof display, typeof input, typeof host]')).value).toEqual([
      'function',
      'function',
      'object',
    ]);
    await expect(s.namespace.set({ display: 1 })).rejects.toThrow(/display/);
  });
});
