/**
 * The renderer: ordinary values read exactly as object-inspect writes them, the bounds
 * (sizes in, length and items out, work counted through Proxy traps rather than timed), and
 * values that try to take control.
 */
import inspect from 'object-inspect';
import { describe, expect, it } from 'vitest';
import { RESULT_LIMITS, type ReprLimits, repr, SUMMARY_LIMITS, typeName } from '../../../lib/worker/io/repr';

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}
class Point3 extends Point {}
class Tagged {
  get [Symbol.toStringTag]() {
    return 'Tag';
  }
}

describe('repr: ordinary values read as object-inspect writes them', () => {
  const withKey = Object.assign(new Error('e'), { code: 1 });
  const cycle: Record<string, unknown> = { n: 1 };
  cycle.self = cycle;
  const shared = { s: 1 };
  it.each<[string, unknown]>([
    ['string', "it's\n"],
    ['control character', '\u0001'],
    ['number', 1.5],
    ['-0', -0],
    ['NaN', Number.NaN],
    ['bigint', 10n],
    ['boolean', true],
    ['undefined', undefined],
    ['null', null],
    ['symbol', Symbol('s')],
    ['array', [1, 'a', [2]]],
    ['empty array', []],
    ['array with a key', Object.assign([1], { extra: 2 })],
    ['object', { a: 1, 'b-c': 2, [Symbol('k')]: 3, 10: 'ten' }],
    ['empty object', {}],
    ['instance', new Point(1, 2)],
    ['subclass instance', new Point3(1, 2)],
    ['null prototype', Object.assign(Object.create(null), { a: 1 })],
    ['own toStringTag', { [Symbol.toStringTag]: 'Tag' }],
    ['Promise', Promise.resolve(1)],
    ['function', function named() {}],
    [
      'anonymous function',
      (
        () => () =>
          1
      )(),
    ],
    ['class', Point],
    ['function with a key', Object.assign(() => 1, { k: 1 })],
    [
      'Map',
      new Map<unknown, unknown>([
        [1, { a: 1 }],
        ['k', 'v'],
      ]),
    ],
    ['Set', new Set([1, 'a'])],
    ['Date', new Date(0)],
    ['invalid Date', new Date(Number.NaN)],
    ['RegExp', /a+b/gi],
    ['Error', new RangeError('out')],
    ['Error with a key', withKey],
    ['Error with a cause', new Error('outer', { cause: new Error('inner') })],
    ['typed array', new Uint8Array([1, 2])],
    ['ArrayBuffer', new ArrayBuffer(3)],
    ['DataView', new DataView(new ArrayBuffer(2))],
    ['boxed number', Object(1)],
    ['boxed string', Object('s')],
    ['WeakMap', new WeakMap()],
    ['WeakSet', new WeakSet()],
    ['depth', { a: { b: { c: { d: { e: { f: { g: 1 } } } } } } }],
    ['cycle', cycle],
    ['a shared object twice (not a cycle)', [shared, shared]],
    ['a long string', 'x'.repeat(20_000)],
    ['a key that needs quotes', { 'a b': 1, __proto__: { inherited: 1 } }],
  ])('%s', (_label, value) => {
    expect(repr(value)).toBe(inspect(value, { depth: 6, maxStringLength: 10_000, numericSeparator: false }));
  });

  it.each<[string, unknown, string]>([
    // biome-ignore lint/suspicious/noSparseArray: the holes are the point
    ['holes (one item per run)', [1, , , 4], '[ 1, <2 empty items>, 4 ]'],
    [
      'getter (not called)',
      {
        get g() {
          return 1;
        },
      },
      '{ g: [Getter] }',
    ],
    [
      'accessor pair',
      {
        get g() {
          return 1;
        },
        set g(_v) {},
      },
      '{ g: [Getter/Setter] }',
    ],
    ['setter', { set s(_v: unknown) {} }, '{ s: [Setter] }'],
    ['toStringTag getter (not called)', new Tagged(), 'Tagged {}'],
    ['__proto__ as an own key', JSON.parse('{"__proto__": 1}'), '{ __proto__: 1 }'],
  ])("where it would run the value's code or spell out every hole: %s", (_label, value, expected) => {
    expect(repr(value)).toBe(expected);
  });

  it.each<[unknown, string]>([
    [1, 'number'],
    [null, 'null'],
    [[], 'Array'],
    [new Map(), 'Map'],
    [new Point(1, 2), 'Point'],
    [Point, 'class'],
    [() => 1, 'function'],
    [Object.create(null), 'Object'],
  ])('typeName(%s) is %s', (value, expected) => {
    expect(typeName(value)).toBe(expected);
  });
});

/** A proxy over `target` (and, lazily, everything reached through it) that counts its trap calls. */
function counted<T extends object>(target: T): { value: T; calls: () => number } {
  let calls = 0;
  const proxies = new WeakMap<object, object>();
  const wrap = (object: object): object => {
    let proxy = proxies.get(object);
    if (!proxy) {
      proxy = new Proxy(object, {
        ownKeys(t) {
          calls++;
          return Reflect.ownKeys(t);
        },
        getOwnPropertyDescriptor(t, key) {
          calls++;
          const descriptor = Reflect.getOwnPropertyDescriptor(t, key);
          if (descriptor && 'value' in descriptor && typeof descriptor.value === 'object' && descriptor.value !== null)
            descriptor.value = wrap(descriptor.value);
          return descriptor;
        },
        getPrototypeOf(t) {
          calls++;
          return Reflect.getPrototypeOf(t);
        },
      });
      proxies.set(object, proxy);
    }
    return proxy;
  };
  return { value: wrap(target) as T, calls: () => calls };
}

describe('repr: bounded in the size of the value', () => {
  const limits: ReprLimits = RESULT_LIMITS;
  const note = 60;
  it.each<[string, () => unknown, RegExp]>([
    [
      'a 1,000,000-element array of numbers',
      () => Array.from({ length: 1_000_000 }, (_, i) => i),
      /\.\.\. 999900 more items \]$/,
    ],
    [
      'a 100,000-row array',
      () => Array.from({ length: 100_000 }, (_, i) => ({ i, name: `row ${i}` })),
      /\.\.\. 99900 more items \]$/,
    ],
    [
      'a 100,000-key object',
      () => Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i])),
      /\.\.\. 99900 more properties \}$/,
    ],
    [
      'a 100,000-entry Map',
      () => new Map(Array.from({ length: 100_000 }, (_, i) => [i, i])),
      /\.\.\. 99900 more items\}$/,
    ],
    ['a 100,000-entry Set', () => new Set(Array.from({ length: 100_000 }, (_, i) => i)), /\.\.\. 99900 more items\}$/],
    ['a 1,000,000-element typed array', () => new Float64Array(1_000_000), /\.\.\. 999900 more items \}$/],
    ['a 10,000,000-character string', () => 'x'.repeat(10_000_000), /\.\.\. 9990000 more characters$/],
    ['a 10,000,000-element sparse array', () => new Array(10_000_000), /empty items>, \.\.\. \d+ more items \]$/],
  ])('%s: at most `items` shown and `chars` characters', (_label, make, tail) => {
    const text = repr(make(), limits);
    expect(text.length).toBeLessThanOrEqual(limits.chars + note);
    expect(text).toMatch(tail);
  });

  it('a wide, deep tree stops at the total budget, however many items each level has', () => {
    // 100 children per level, 6 levels: 10^12 leaves if only depth and items bounded it.
    let level: unknown = 'leaf';
    for (let d = 0; d < 6; d++) level = Array.from({ length: 100 }, () => level);
    const text = repr(level, limits);
    expect(text.length).toBeLessThanOrEqual(limits.chars + note);
    expect(text).toMatch(/\.\.\. \d+ more items \]$/);
  });

  it('does work in proportion to what it shows: counted by proxy traps, not timed', () => {
    const small = counted(Array.from({ length: 10 }, (_, i) => ({ i })));
    repr(small.value);
    const big = counted(Array.from({ length: 100_000 }, (_, i) => ({ i })));
    repr(big.value);
    // Same shown items (100 rows max): the 100,000-row array costs what the 100 rows it shows cost.
    const hundred = counted(Array.from({ length: 100 }, (_, i) => ({ i })));
    repr(hundred.value);
    expect(big.calls()).toBeLessThanOrEqual(hundred.calls() + 10);
    expect(small.calls()).toBeLessThan(hundred.calls());
  });

  it('a deep chain renders to the depth limit without overflowing the stack', () => {
    let chain: unknown = null;
    for (let i = 0; i < 100_000; i++) chain = { next: chain };
    expect(repr(chain, { ...limits, depth: 3 })).toBe('{ next: { next: { next: [Object] } } }');
  });

  it.each<[string, unknown, number]>([
    ['array', Array.from({ length: 1000 }, (_, i) => i), 20],
    ['object', Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v'.repeat(500)])), 20],
  ])('the summary limits (namespace.list) keep a %s to one short line', (_label, value, items) => {
    const text = repr(value, SUMMARY_LIMITS);
    expect(text.length).toBeLessThanOrEqual(SUMMARY_LIMITS.chars + note);
    expect(text.split(', ').length).toBeLessThanOrEqual(items + 1);
  });
});

describe('repr: the value is data, never control', () => {
  it('runs no getter, inspect(), toString(), valueOf() or toStringTag getter of the value', () => {
    let ran = 0;
    const hostile = {
      get boom() {
        ran++;
        return 1;
      },
      inspect() {
        ran++;
        return () => 1;
      },
      toString() {
        ran++;
        return 'x';
      },
      valueOf() {
        ran++;
        return 1;
      },
      get [Symbol.toStringTag]() {
        ran++;
        return 'T';
      },
    };
    const text = repr([hostile, { nested: hostile }]);
    expect(ran).toBe(0);
    expect(typeof text).toBe('string');
  });

  it.each<[string, () => unknown]>([
    ['inspect() returning a function', () => ({ inspect: () => () => 1 })],
    ['inspect() returning a Symbol', () => ({ inspect: () => Symbol('s') })],
    [
      'a revoked Proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
    ],
    [
      'a Proxy whose traps throw',
      () =>
        new Proxy(
          {},
          {
            ownKeys() {
              throw new Error('no');
            },
            getPrototypeOf() {
              throw Symbol('no');
            },
          },
        ),
    ],
    [
      'a constructor named by a getter',
      () => {
        class Named {}
        Object.defineProperty(Named, 'name', {
          get() {
            throw new Error('no');
          },
        });
        return new Named();
      },
    ],
  ])('always returns a string: %s', (_label, make) => {
    expect(typeof repr(make())).toBe('string');
    expect(typeof repr(make(), SUMMARY_LIMITS)).toBe('string');
    expect(typeof typeName(make())).toBe('string');
  });
});
