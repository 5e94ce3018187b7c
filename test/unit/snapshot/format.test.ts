import { describe, expect, it, test } from 'vitest';
import { SnapshotError } from '../../../lib/errors.ts';
import {
  checksumOf,
  DefinitionGivenUp,
  decodeNamespace,
  encodeNamespace,
  encodePrimitiveRecord,
  FORMAT_VERSION,
  type SnapshotPayload,
  validatePayload,
} from '../../../lib/snapshot/format.ts';

/** Evaluates like the worker does: each restored function is visible to the ones evaluated after it. */
function scopeEvaluator() {
  const scope = new Map<string, unknown>();
  return (source: string, name: string): unknown => {
    const value = new Function(...scope.keys(), `return ${source}`)(...scope.values());
    scope.set(name, value);
    return value;
  };
}

/** Encode, clone the record the way IndexedDB would, decode. */
function roundTrip(vars: Record<string, unknown>, definitions: Record<string, string> = {}) {
  const encoded = encodeNamespace(new Map(Object.entries(vars)), definitions);
  const decoded = decodeNamespace(structuredClone(encoded.record), scopeEvaluator());
  return { encoded, decoded, out: Object.fromEntries(decoded.values) };
}

/** Declares functions the way a cell would, returning values plus their recorded sources. */
function declare(
  source: string,
  names: string[],
): { values: Record<string, unknown>; definitions: Record<string, string> } {
  const made = new Function(`${source}; return { ${names.join(', ')} };`)() as Record<string, unknown>;
  const definitions: Record<string, string> = {};
  for (const name of names) definitions[name] = String(made[name]);
  return { values: made, definitions };
}

describe('round trips by structured clone', () => {
  test('every cloneable kind', () => {
    const vars: Record<string, unknown> = {
      num: 42,
      nan: Number.NaN,
      str: 'héllo',
      bool: true,
      nil: null,
      undef: undefined,
      big: 2n ** 80n,
      obj: { a: 1, b: { c: [1, 2, { d: 'x' }] } },
      arr: [1, 'two', [3], { four: 4 }],
      map: new Map<unknown, unknown>([
        ['k', 1],
        [{ key: true }, new Set([1, 2])],
      ]),
      set: new Set(['a', 1, { b: 2 }]),
      date: new Date(1_700_000_000_000),
      re: /ab+c/gi,
      u8: new Uint8Array([1, 2, 3]),
      f64: new Float64Array([0.5, -1]),
      buf: new Uint16Array([7, 8]).buffer,
      view: new DataView(new ArrayBuffer(4)),
      err: new TypeError('boom'),
      boxed: Object('s'),
      nullProto: Object.assign(Object.create(null), { x: 1 }),
    };
    const { encoded, decoded, out } = roundTrip(vars);
    expect(encoded.skipped).toEqual([]);
    expect(encoded.saved).toEqual(Object.keys(vars));
    expect(decoded.restored).toEqual(Object.keys(vars));
    expect(out).toEqual(vars);
    expect(out.err).toBeInstanceOf(TypeError);
    expect((out.err as Error).message).toBe('boom');
    expect(out.re).toEqual(/ab+c/gi);
    expect(out.big).toBe(2n ** 80n);
  });

  test('the record holds the live values (structured clone does the copying)', () => {
    const big = { rows: [1, 2, 3] };
    const { record } = encodeNamespace(new Map([['big', big]]), {});
    expect(record.data[0]).toBe(big);
  });

  test('cycles inside a variable', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const m = new Map<string, unknown>();
    m.set('me', m);
    const { out } = roundTrip({ a, m });
    const ra = out.a as Record<string, unknown>;
    expect(ra.self).toBe(ra);
    const rm = out.m as Map<string, unknown>;
    expect(rm.get('me')).toBe(rm);
  });

  test('shared references between variables stay shared', () => {
    const shared = { n: 1 };
    const { out } = roundTrip({ a: { s: shared }, b: [shared], c: shared });
    const a = out.a as { s: object };
    expect(a.s).toBe((out.b as object[])[0]);
    expect(a.s).toBe(out.c);
  });

  test('a deep linked list does not overflow the walk', () => {
    let list: { next: unknown } | null = null;
    for (let i = 0; i < 100_000; i++) list = { next: list };
    const { saved, skipped } = encodeNamespace(new Map([['list', list]]), {});
    expect(saved).toEqual(['list']);
    expect(skipped).toEqual([]);
  });
});

describe('functions and classes by source', () => {
  test('a function and a class are re-created from their declarations', () => {
    const { values, definitions } = declare(
      `function add(a, b) { return a + b }
       class Point { constructor(x, y) { this.x = x; this.y = y } norm() { return Math.hypot(this.x, this.y) } }`,
      ['add', 'Point'],
    );
    const { encoded, out } = roundTrip(values, definitions);
    expect(encoded.record.functions.map(([name]) => name)).toEqual(['add', 'Point']);
    expect((out.add as (a: number, b: number) => number)(2, 3)).toBe(5);
    const P = out.Point as new (x: number, y: number) => { norm(): number };
    expect(new P(3, 4).norm()).toBe(5);
  });

  test('instances anywhere in the graph get their prototype back', () => {
    const { values, definitions } = declare(
      `class Point { constructor(x, y) { this.x = x; this.y = y } norm() { return Math.hypot(this.x, this.y) } }
       function Dog(name) { this.name = name }`,
      ['Point', 'Dog'],
    );
    type PointLike = { x: number; norm(): number };
    const Point = values.Point as new (x: number, y: number) => PointLike;
    const Dog = values.Dog as new (name: string) => object;
    const shared = new Point(6, 8);
    const vars = {
      ...values,
      p: new Point(3, 4),
      list: [new Point(0, 1), { inner: new Point(1, 0) }, shared],
      byKey: new Map<unknown, unknown>([
        [new Point(0, 2), 'key'],
        ['v', new Point(0, 3)],
      ]),
      bag: new Set([new Point(0, 4)]),
      again: shared,
      rex: new Dog('Rex'),
    };
    const { encoded, out, decoded } = roundTrip(vars, definitions);
    expect(encoded.skipped).toEqual([]);
    expect(decoded.skipped).toEqual([]);
    const RP = out.Point as new (...a: number[]) => PointLike;
    const p = out.p as PointLike;
    expect(p).toBeInstanceOf(RP);
    expect(p.norm()).toBe(5);
    const list = out.list as [PointLike, { inner: PointLike }, PointLike];
    expect(list[0].norm()).toBe(1);
    expect(list[1].inner.norm()).toBe(1);
    expect(list[2]).toBe(out.again);
    expect(list[2].norm()).toBe(10);
    const [[key, , ,], [, value]] = [...(out.byKey as Map<PointLike, PointLike>)];
    expect(key.norm()).toBe(2);
    expect(value.norm()).toBe(3);
    expect([...(out.bag as Set<PointLike>)][0].norm()).toBe(4);
    // A constructor function's instances too (methods added to Dog.prototype by later statements are not in its source).
    expect(out.rex).toBeInstanceOf(out.Dog as new () => object);
    expect(out.rex).toEqual(new (out.Dog as new (name: string) => object)('Rex'));
  });

  test('a declared subclass of Map keeps entries and prototype', () => {
    const { values, definitions } = declare('class Registry extends Map { names() { return [...this.keys()] } }', [
      'Registry',
    ]);
    const Registry = values.Registry as new () => Map<string, number>;
    const reg = new Registry();
    reg.set('a', 1);
    const { out } = roundTrip({ ...values, reg }, definitions);
    expect((out.reg as { names(): string[] }).names()).toEqual(['a']);
  });

  test('a class that extends another is retried until its base exists', () => {
    const { values, definitions } = declare('class A { hi() { return "hi" } } class B extends A {}', ['A', 'B']);
    // B first in namespace order: its first evaluation cannot see A yet.
    const vars = { B: values.B, A: values.A, b: new (values.B as new () => object)() };
    const { out, decoded } = roundTrip(vars, definitions);
    expect(decoded.skipped).toEqual([]);
    expect((out.b as { hi(): string }).hi()).toBe('hi');
  });

  test('a source that no longer evaluates is skipped, with the instances that needed it', () => {
    const { values, definitions } = declare('class Gone { }', ['Gone']);
    const encoded = encodeNamespace(
      new Map<string, unknown>([
        ['Gone', values.Gone],
        ['g', new (values.Gone as new () => object)()],
        ['ok', 1],
      ]),
      definitions,
    );
    const decoded = decodeNamespace(structuredClone(encoded.record), () => {
      throw new SyntaxError('nope');
    });
    expect(decoded.restored).toEqual(['ok']);
    expect(decoded.skipped).toEqual([
      { name: 'Gone', reason: 'its source could not be evaluated: SyntaxError: nope' },
      { name: 'g', reason: 'it holds an instance of Gone, which could not be restored' },
    ]);
  });
});

describe('definitions given up on (time limit, a worker that died in them)', () => {
  test('are tried once, reported with their own reason, while a failure that may be an ordering one is retried', () => {
    const { values, definitions } = declare('class A { } class B extends A { } class Slow { }', ['A', 'B', 'Slow']);
    const encoded = encodeNamespace(
      new Map<string, unknown>([
        ['B', values.B],
        ['A', values.A],
        ['Slow', values.Slow],
        ['s', new (values.Slow as new () => object)()],
      ]),
      // B is saved before A: its first evaluation fails and is retried once A exists.
      { B: definitions.B, A: definitions.A, Slow: definitions.Slow },
    );
    const calls: string[] = [];
    const evaluate = scopeEvaluator();
    const decoded = decodeNamespace(structuredClone(encoded.record), (source, name) => {
      calls.push(name);
      if (name === 'Slow') throw new DefinitionGivenUp('restoring it ran past the time limit');
      return evaluate(source, name);
    });
    expect(calls.filter((name) => name === 'Slow')).toHaveLength(1);
    expect(calls.filter((name) => name === 'B')).toHaveLength(2);
    expect(decoded.restored.sort()).toEqual(['A', 'B']);
    expect(decoded.skipped).toEqual([
      { name: 'Slow', reason: 'restoring it ran past the time limit' },
      { name: 's', reason: 'it holds an instance of Slow, which could not be restored' },
    ]);
  });
});

describe('what cannot be saved is skipped with a reason', () => {
  const { values: decl, definitions } = declare('class Secret { #key = 1; get() { return this.#key } }', ['Secret']);
  const Local = class Local {
    v = 1;
  };
  const fn = () => 1;
  const table: Array<[string, unknown, string]> = [
    ['closure', fn, 'a function that is not a top-level declaration (closure) cannot be saved'],
    ['classExpr', Local, 'a class that is not a top-level declaration cannot be saved'],
    ['sym', Symbol('s'), 'a symbol cannot be saved'],
    ['weak', new WeakMap(), 'WeakMap cannot be cloned'],
    ['weakSet', new WeakSet(), 'WeakSet cannot be cloned'],
    ['promise', Promise.resolve(1), 'Promise cannot be cloned'],
    ['handlerObj', { handler: fn }, 'contains a function at .handler (functions inside values cannot be saved)'],
    ['deep', { a: [{ b: { 'odd key': fn } }] }, 'contains a function at .a[0].b["odd key"]'],
    ['inMap', new Map([['cb', fn]]), 'contains a function at .get("cb")'],
    ['nestedWeak', { cache: new WeakMap() }, 'contains a WeakMap at .cache (WeakMap cannot be cloned)'],
    ['nestedSym', [Symbol('x')], 'contains a symbol at [0]'],
    ['local', new Local(), 'an instance of Local cannot be saved: Local is not a top-level class declaration'],
    ['localNested', { l: new Local() }, 'contains an instance of Local at .l'],
    ['secret', new (decl.Secret as new () => object)(), 'private fields'],
    // Structured clone would drop these without a word: they are reported instead.
    ['symbolKeyed', { [Symbol('tag')]: 1, plain: 2 }, 'symbol-keyed properties cannot be saved'],
    [
      'symbolNested',
      { inner: [{ [Symbol.for('k')]: true }] },
      'contains an object with symbol-keyed properties at .inner[0]',
    ],
  ];
  test.each(table)('%s', (name, value, reason) => {
    const { saved, skipped, record } = encodeNamespace(
      new Map<string, unknown>([
        ['Secret', decl.Secret],
        [name, value],
        ['fine', 1],
      ]),
      definitions,
    );
    expect(saved).toEqual(['Secret', 'fine']);
    expect(skipped).toHaveLength(1);
    expect(skipped[0].name).toBe(name);
    expect(skipped[0].reason).toContain(reason);
    expect(() => structuredClone(record)).not.toThrow();
  });

  test('a declared function with properties added later is skipped, naming them', () => {
    const { values, definitions } = declare('function memo(x) { return x }', ['memo']);
    (values.memo as { cache?: unknown }).cache = new Map();
    const { saved, skipped } = encodeNamespace(new Map([['memo', values.memo]]), definitions);
    expect(saved).toEqual([]);
    expect(skipped).toEqual([
      { name: 'memo', reason: expect.stringContaining('properties added after the declaration (cache)') },
    ]);
    // A plain declared function still goes by its source.
    const clean = declare('function plain() { return 1 }', ['plain']);
    expect(encodeNamespace(new Map([['plain', clean.values.plain]]), clean.definitions).saved).toEqual(['plain']);
  });

  test('a getter that throws skips only that variable', () => {
    const bad = {
      get x() {
        throw new Error('no');
      },
    };
    const { saved, skipped } = encodeNamespace(
      new Map<string, unknown>([
        ['bad', bad],
        ['ok', 1],
      ]),
      {},
    );
    expect(saved).toEqual(['ok']);
    expect(skipped).toEqual([{ name: 'bad', reason: 'it could not be inspected: Error: no' }]);
  });

  test('a variable sharing a clean object with a skipped one is still saved', () => {
    const shared = { rows: [1, 2] };
    const { saved, skipped, record } = encodeNamespace(
      new Map<string, unknown>([
        ['a', { shared, f: () => 1 }],
        ['b', { shared }],
      ]),
      {},
    );
    expect(saved).toEqual(['b']);
    expect(skipped.map((s) => s.name)).toEqual(['a']);
    expect(() => structuredClone(record)).not.toThrow();
  });

  test('a variable reaching a bad object through a cycle is skipped too', () => {
    const a: Record<string, unknown> = { f: () => 1 };
    const x = { parent: a };
    a.child = x;
    const { saved, skipped } = encodeNamespace(
      new Map<string, unknown>([
        ['a', a],
        ['x', x],
      ]),
      {},
    );
    expect(saved).toEqual([]);
    expect(skipped).toEqual([
      { name: 'a', reason: 'contains a function at .f (functions inside values cannot be saved)' },
      { name: 'x', reason: 'contains a function at .parent.f (functions inside values cannot be saved)' },
    ]);
  });
});

describe('size estimate', () => {
  test('counts buffers, strings and numbers, shared containers once', () => {
    const bytes = new Uint8Array(1_000_000);
    const shared = { s: 'x'.repeat(1000), inner: {} };
    const { bytes: estimate } = encodeNamespace(
      new Map<string, unknown>([
        ['bytes', bytes],
        ['nums', [1, 2, 3]],
        ['a', shared],
        ['b', shared],
      ]),
      {},
    );
    expect(estimate).toBeGreaterThan(1_000_000 + 2000 + 24);
    expect(estimate).toBeLessThan(1_000_000 + 2000 + 24 + 400);
  });
});

describe('validatePayload', () => {
  const good = (): SnapshotPayload => encodeNamespace(new Map([['a', 1]]), {}).record;
  const table: Array<[string, unknown, RegExp]> = [
    ['a string', 'hello', /not a sandcell snapshot/],
    ['null', null, /not a sandcell snapshot/],
    ['a foreign object', { foo: 1 }, /foreign record/],
    ['another version', { ...good(), version: FORMAT_VERSION + 1 }, /format version 2.*reads version 1/],
    ['missing names', { ...good(), names: undefined }, /bad names/],
    ['data not matching names', { ...good(), data: [] }, /data does not match names/],
    ['bad functions', { ...good(), functions: [['f']] }, /bad functions/],
    ['bad instances', { ...good(), instances: [{ variable: 5, path: [], className: 'X' }] }, /bad instances/],
    ['a renamed variable', { ...good(), names: ['b'] }, /checksum mismatch/],
    ['no checksum', { ...good(), checksum: undefined }, /checksum mismatch/],
  ];
  test.each(table)('%s → SnapshotError corrupt', (_, value, message) => {
    let caught: unknown;
    try {
      validatePayload(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SnapshotError);
    expect((caught as SnapshotError).cause).toBe('corrupt');
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toMatch(/^\[sandcell\] .* — delete it/);
  });

  test('a good record passes, also after a clone', () => {
    const record = good();
    expect(validatePayload(structuredClone(record))).toEqual(record);
    expect(record.checksum).toBe(checksumOf(record));
  });

  test('decode refuses a corrupt record', () => {
    expect(() => decodeNamespace({ ...good(), version: 0 }, scopeEvaluator())).toThrow(SnapshotError);
  });
});

describe('encodePrimitiveRecord (the worker hot path)', () => {
  it.each<[string[], unknown[]]>([
    [['a'], [1]],
    [
      ['a', 'b', 'c'],
      ['x', null, undefined],
    ],
    [
      ['n', 'big', 'ok', 'é "q"'],
      [-0, 12n, true, Number.NaN],
    ],
  ])('makes the record encodeNamespace makes for %j', (names, values) => {
    const fast = encodePrimitiveRecord(names, values);
    const slow = encodeNamespace(new Map(names.map((name, i) => [name, values[i]])), {}).record;
    expect(fast.checksum).toBe(slow.checksum);
    // What is sent is a structured clone (the engine's own lists have no prototype).
    const sent = structuredClone(fast);
    expect(sent).toEqual({ ...slow });
    const decoded = decodeNamespace(sent, () => undefined);
    expect([...decoded.values]).toEqual(names.map((name, i) => [name, values[i]]));
  });
  it.each<[string[], unknown[], string[]]>([
    [['a'], [1], ['let']],
    [
      ['Array', 'k', 'v'],
      [1, 'x', null],
      ['let', 'const', 'var'],
    ],
  ])('with kinds, makes the record encodeNamespace makes: %j as %j', (names, values, kinds) => {
    const fast = encodePrimitiveRecord(names, values, kinds);
    const slow = encodeNamespace(
      new Map(names.map((name, i) => [name, values[i]])),
      {},
      new Map(names.map((name, i) => [name, kinds[i]])),
    ).record;
    expect(fast.checksum).toBe(slow.checksum);
    const sent = structuredClone(fast);
    expect(sent).toEqual({ ...slow });
    // The kinds come back: a restart declares a let as a let, not as a property of globalThis.
    expect([...decodeNamespace(sent, () => undefined).kinds]).toEqual(names.map((name, i) => [name, kinds[i]]));
  });
});
