import { describe, expect, it } from 'vitest';
import { renderPlain } from '../../../lib/worker/io/plain-render';
import { repr } from '../../../lib/worker/io/repr';

/** Values renderPlain must render exactly as repr (object-inspect) does. */
const PLAIN: Array<[string, unknown]> = [
  ['zero', 0],
  ['negative zero', -0],
  ['float', -1.5e-7],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['bigint', -12345678901234567890n],
  ['true', true],
  ['null', null],
  ['undefined', undefined],
  ['symbol', Symbol('tag')],
  ['plain string', 'hello'],
  ['quotes and backslashes', `it's a \\ "test"`],
  ['control characters', '\n\t\r\b\f\u0000\u001f\u000b'],
  ['unicode', 'é😀\u2028'],
  ['empty array', []],
  ['array of primitives', [1, 'two', null, undefined, true, 3n]],
  ['ten numbers', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]],
  ['a hundred numbers', Array.from({ length: 100 }, (_, i) => i)],
  ['nested arrays', [[1, [2]], []]],
  ['empty object', {}],
  ['object', { a: 1, b: 'x', c: [1, 2], d: { e: null } }],
  ['keys that need quotes', { 'a b': 1, é: 2, $ok_1: 3, '': 4, '1': 5 }],
  ['numeric keys come first', { b: 1, 2: 'two', 1: 'one' }],
];

/** Values it must leave to repr (undefined), each for a reason repr renders differently or runs code. */
const NOT_PLAIN: Array<[string, unknown]> = [
  ['function', () => 1],
  ['class instance', new (class Point {})()],
  ['null prototype', Object.create(null)],
  ['Map', new Map([[1, 2]])],
  ['Date', new Date(0)],
  [
    'getter',
    {
      get g() {
        return 1;
      },
    },
  ],
  ['symbol key', { [Symbol('s')]: 1 }],
  ['custom inspect', { inspect: () => 'mine' }],
  // biome-ignore lint/suspicious/noSparseArray: the hole is what is tested.
  ['array with a hole', [1, , 3]],
  ['array with an extra key', Object.assign([1], { extra: true })],
  ['too deep', [[[[1]]]]],
  ['too many items', Array.from({ length: 101 }, (_, i) => i)],
  ['too many keys', Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]))],
  ['too long', 'x'.repeat(20_000)],
];

describe('renderPlain', () => {
  it.each(PLAIN)('renders %s as repr does', (_, value) => {
    expect(renderPlain(value)).toBe(repr(value));
  });
  it.each(NOT_PLAIN)('leaves %s to repr', (_, value) => {
    expect(renderPlain(value)).toBeUndefined();
  });
  it('skips non-enumerable data properties, as repr does', () => {
    const value = Object.defineProperty({ a: 1 }, 'hidden', { value: 2, enumerable: false });
    expect(renderPlain(value)).toBe(repr(value));
  });
});
