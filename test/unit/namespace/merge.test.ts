import { describe, expect, test } from 'vitest';
import {
  type ExistingBinding,
  isPlainObject,
  mergeValue,
  planMerge,
  recordView,
} from '../../../lib/namespace/merge.ts';
import type { MergeStrategy } from '../../../lib/types.ts';

const absent: ExistingBinding = { present: false };
const has = (value: unknown): ExistingBinding => ({ present: true, value });
const date = new Date(0);
const arr = [1, 2];

describe('mergeValue', () => {
  const table: Array<[MergeStrategy, ExistingBinding, unknown, { write: boolean; value?: unknown }]> = [
    ['overwrite', absent, 1, { write: true, value: 1 }],
    ['overwrite', has(1), 2, { write: true, value: 2 }],
    ['overwrite', has(1), undefined, { write: true, value: undefined }],
    ['overwrite', has({ a: 1 }), { b: 2 }, { write: true, value: { b: 2 } }],
    ['preserve', absent, 1, { write: true, value: 1 }],
    ['preserve', has(1), 2, { write: false }],
    ['preserve', has(undefined), 2, { write: false }],
    ['smart', absent, 1, { write: true, value: 1 }],
    ['smart', absent, null, { write: true, value: null }],
    ['smart', has(1), 2, { write: true, value: 2 }],
    ['smart', has(1), undefined, { write: false }],
    ['smart', has(1), null, { write: false }],
    ['smart', has({ a: 1, b: 1 }), { b: 2, c: 3 }, { write: true, value: { a: 1, b: 2, c: 3 } }],
    // one level deep only: nested objects are replaced, not merged
    ['smart', has({ a: { x: 1 } }), { a: { y: 2 } }, { write: true, value: { a: { y: 2 } } }],
    ['smart', has([1, 2, 3]), [9], { write: true, value: [9] }],
    ['smart', has({ a: 1 }), arr, { write: true, value: arr }],
    ['smart', has(arr), { a: 1 }, { write: true, value: { a: 1 } }],
    ['smart', has({ a: 1 }), date, { write: true, value: date }],
    ['smart', has(new Map([[1, 1]])), new Map([[2, 2]]), { write: true, value: new Map([[2, 2]]) }],
  ];
  test.each(table)('%s %o ← %o', (strategy, existing, incoming, expected) => {
    expect(mergeValue(existing, incoming, strategy)).toEqual(expected);
  });

  test('smart merge builds a new object and leaves both inputs untouched', () => {
    const existing = { a: 1 };
    const incoming = { b: 2 };
    const { value } = mergeValue(has(existing), incoming, 'smart');
    expect(value).not.toBe(existing);
    expect(value).not.toBe(incoming);
    expect(existing).toEqual({ a: 1 });
    expect(incoming).toEqual({ b: 2 });
  });

  test('smart merge of null-prototype objects keeps the null prototype and a `__proto__` key as data', () => {
    const existing = Object.assign(Object.create(null), { a: 1 });
    const incoming = JSON.parse('{"__proto__": {"polluted": true}, "b": 2}');
    const { value } = mergeValue(has(existing), incoming, 'smart');
    expect(Object.getPrototypeOf(value)).toBe(null);
    expect(Object.keys(value as object)).toEqual(['a', '__proto__', 'b']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  test('smart merge does not treat class instances as plain objects', () => {
    class P {
      x = 1;
    }
    const incoming = new P();
    expect(mergeValue(has({ y: 2 }), incoming, 'smart')).toEqual({ write: true, value: incoming });
  });

  test.each([['x'], [undefined], [null], [1], ['Overwrite']])('invalid strategy %o → TypeError naming it', (bad) => {
    expect(() => mergeValue(absent, 1, bad as MergeStrategy)).toThrow(TypeError);
    expect(() => mergeValue(absent, 1, bad as MergeStrategy)).toThrow(
      /\[sandcell\] strategy must be 'overwrite', 'preserve' or 'smart', got /,
    );
  });

  test('the message quotes a string strategy', () => {
    expect(() => mergeValue(absent, 1, 'x' as MergeStrategy)).toThrow(`got "x"`);
  });
});

describe('planMerge', () => {
  const current = new Map<string, unknown>([
    ['a', 1],
    ['cfg', { debug: false, level: 1 }],
    ['u', undefined],
  ]);
  const incoming = { a: 2, b: 3, cfg: { debug: true }, u: null, n: null };
  const table: Array<[MergeStrategy, Record<string, unknown>]> = [
    ['overwrite', { a: 2, b: 3, cfg: { debug: true }, u: null, n: null }],
    ['preserve', { b: 3, n: null }],
    ['smart', { a: 2, b: 3, cfg: { debug: true, level: 1 }, n: null }],
  ];
  test.each(table)('%s', (strategy, expected) => {
    expect({ ...planMerge(current, incoming, strategy) }).toEqual(expected);
  });

  test('works on a record view, and names like __proto__ and has are data', () => {
    const record: Record<string, unknown> = { has: 1 };
    const plan = planMerge(recordView(record), JSON.parse('{"__proto__": 1, "has": 2, "get": 3}'), 'preserve');
    expect(Object.keys(plan)).toEqual(['__proto__', 'get']);
  });

  test('rejects a bad strategy before looking at values', () => {
    expect(() => planMerge(current, incoming, 'merge' as MergeStrategy)).toThrow(TypeError);
  });

  test('rejects non-object values', () => {
    expect(() => planMerge(current, null as unknown as Record<string, unknown>, 'smart')).toThrow(TypeError);
  });
});

describe('isPlainObject', () => {
  const table: Array<[unknown, boolean]> = [
    [{}, true],
    [Object.create(null), true],
    [[], false],
    [new Date(), false],
    [new Map(), false],
    [null, false],
    ['s', false],
    [Object.create({}), false],
    [new (class {})(), false],
  ];
  test.each(table)('%o → %s', (value, expected) => {
    expect(isPlainObject(value)).toBe(expected);
  });
});
