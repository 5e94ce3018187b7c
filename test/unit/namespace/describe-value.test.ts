import { describe, expect, it } from 'vitest';
import { describeKind, describeValue } from '../../../lib/namespace/describe-value';

class Point {}
class Animal {}
const { proxy: revoked, revoke } = Proxy.revocable({}, {});
revoke();
/** An instance whose class is found only through a getter: describing it must not run the getter. */
let getterRan = false;
const hostile = Object.create(
  Object.create(Object.prototype, {
    constructor: {
      get() {
        getterRan = true;
        return Point;
      },
    },
  }),
);

describe('describeValue', () => {
  it.each<[unknown, string]>([
    [-5, '-5'],
    [-0, '-0'],
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    ['sandbx', '"sandbx"'],
    ['say "hi"\n', '"say \\"hi\\"\\n"'],
    ['x'.repeat(61), `"${'x'.repeat(60)}…"`],
    [12n, '12n'],
    [true, 'true'],
    [undefined, 'undefined'],
    [null, 'null'],
    [Symbol('tag'), 'Symbol(tag)'],
    [() => 1, 'a function'],
    [Point, 'a class'],
    [[1, 2], 'an array'],
    [{ a: 1 }, 'an object'],
    [Object.create(null), 'an object'],
    [new Map(), 'a Map'],
    [new Point(), 'a Point'],
    [new Animal(), 'an Animal'],
    [new AbortController(), 'an AbortController'],
  ])('%o → %s', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  it('describes a revoked Proxy, and an object whose class sits behind a getter without running it', () => {
    expect(describeValue(revoked)).toBe('an object');
    expect(describeValue(hostile)).toBe('an object');
    expect(getterRan).toBe(false);
  });
});

describe('describeKind', () => {
  it.each<[unknown, string]>([
    ['text', 'a string'],
    [1, 'a number'],
    [1n, 'a bigint'],
    [false, 'a boolean'],
    [Symbol(), 'a symbol'],
    [undefined, 'undefined'],
    [null, 'null'],
    [[], 'an array'],
    [{}, 'an object'],
    [new Date(0), 'a Date'],
    [function named() {}, 'a function'],
  ])('%o → %s', (value, expected) => {
    expect(describeKind(value)).toBe(expected);
  });
});
