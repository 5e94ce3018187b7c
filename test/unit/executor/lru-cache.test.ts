import { describe, expect, it } from 'vitest';
import { LruCache } from '../../../lib/executor/lru-cache';

type Op = ['set', string, number] | ['get', string];

describe('LruCache', () => {
  const cases: Array<[name: string, capacity: number, ops: Op[], keys: string[], hits: number, misses: number]> = [
    ['empty', 2, [], [], 0, 0],
    [
      'evicts the oldest',
      2,
      [
        ['set', 'a', 1],
        ['set', 'b', 2],
        ['set', 'c', 3],
      ],
      ['b', 'c'],
      0,
      0,
    ],
    [
      'get refreshes recency',
      2,
      [
        ['set', 'a', 1],
        ['set', 'b', 2],
        ['get', 'a'],
        ['set', 'c', 3],
      ],
      ['a', 'c'],
      1,
      0,
    ],
    [
      'set of an existing key refreshes it',
      2,
      [
        ['set', 'a', 1],
        ['set', 'b', 2],
        ['set', 'a', 9],
        ['set', 'c', 3],
      ],
      ['a', 'c'],
      0,
      0,
    ],
    [
      'miss does not refresh',
      2,
      [
        ['set', 'a', 1],
        ['get', 'x'],
        ['set', 'b', 2],
        ['set', 'c', 3],
      ],
      ['b', 'c'],
      0,
      1,
    ],
    [
      'capacity 1',
      1,
      [
        ['set', 'a', 1],
        ['set', 'b', 2],
        ['get', 'a'],
        ['get', 'b'],
      ],
      ['b'],
      1,
      1,
    ],
    [
      'eviction order over many',
      3,
      [
        ['set', 'a', 1],
        ['set', 'b', 2],
        ['set', 'c', 3],
        ['get', 'a'],
        ['get', 'b'],
        ['set', 'd', 4],
        ['set', 'e', 5],
      ],
      ['b', 'd', 'e'],
      2,
      0,
    ],
  ];

  it.each(cases)('%s', (_name, capacity, ops, keys, hits, misses) => {
    const cache = new LruCache<string, number>(capacity);
    for (const op of ops) {
      if (op[0] === 'set') cache.set(op[1], op[2]);
      else cache.get(op[1]);
    }
    expect(['a', 'b', 'c', 'd', 'e'].filter((k) => cache.has(k))).toEqual(keys);
    expect(cache.stats()).toEqual({ size: keys.length, capacity, hits, misses });
    expect(cache.size).toBe(keys.length);
    expect(cache.capacity).toBe(capacity);
  });

  it('returns the stored value and undefined for a miss', () => {
    const cache = new LruCache<string, { v: number }>(2);
    const value = { v: 1 };
    cache.set('k', value);
    expect(cache.get('k')).toBe(value);
    expect(cache.get('nope')).toBeUndefined();
  });

  it('clear drops entries and counters', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.get('a');
    cache.get('b');
    cache.clear();
    expect(cache.stats()).toEqual({ size: 0, capacity: 2, hits: 0, misses: 0 });
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects capacity %s', (capacity) => {
    expect(() => new LruCache(capacity)).toThrow(TypeError);
    expect(() => new LruCache(capacity)).toThrow(String(capacity));
  });
});
