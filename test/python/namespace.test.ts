/**
 * The Python namespace as the host sees it: list/get/set/delete/clear, engine names hidden and
 * protected, merge strategies, and conversions both ways with no JsProxy or jsnull reaching user
 * variables.
 */
import { beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { type Session, startSession } from './harness.ts';

// Pyodide is loaded once per file (seconds); cells that flood output or stop threads get room on a busy machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

let s: Session;

beforeAll(async () => {
  s = await startSession();
}, 120_000);

beforeEach(() => {
  s.engine.namespace_clear();
});

/** The Python repr and type of a variable, read by a cell. */
async function inspect(name: string): Promise<string> {
  return (await s.run(`f"{type(${name}).__name__}: {${name}!r}"`)).value as string;
}

describe('JavaScript → Python', () => {
  test.each([
    ['null', null, 'NoneType: None'],
    ['undefined', undefined, 'NoneType: None'],
    ['a number', 1.5, 'float: 1.5'],
    ['an integral number', 3, 'int: 3'],
    ['a bigint', 2n ** 70n, 'int: 1180591620717411303424'],
    ['a small bigint', 5n, 'int: 5'],
    ['a string', 'hé', "str: 'hé'"],
    ['a boolean', true, 'bool: True'],
    ['an array', [1, null, 'x'], "list: [1, None, 'x']"],
    ['a plain object', { a: 1, b: { c: null } }, "dict: {'a': 1, 'b': {'c': None}}"],
    [
      'a Map',
      new Map<unknown, unknown>([
        [1, 'one'],
        ['k', [2]],
      ]),
      "dict: {1: 'one', 'k': [2]}",
    ],
    ['a Map with array keys', new Map([[[1, 2], 'pair']]), "dict: {(1, 2): 'pair'}"],
    ['a Set', new Set([1, 2]), 'set: {1, 2}'],
    ['a Uint8Array', new Uint8Array([104, 105]), "bytes: b'hi'"],
    ['an ArrayBuffer', new Uint8Array([1, 2]).buffer, "bytes: b'\\x01\\x02'"],
    [
      'a Date',
      new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 6)),
      'datetime: datetime.datetime(2020, 1, 2, 3, 4, 5, 6000, tzinfo=datetime.timezone.utc)',
    ],
  ])('%s', async (_name, value, expected) => {
    s.engine.namespace_set({ v: value });
    expect(await inspect('v')).toBe(expected);
  });

  test('a Float64Array becomes a memoryview of doubles', async () => {
    s.engine.namespace_set({ v: new Float64Array([1.5, -2]) });
    expect((await s.run('type(v).__name__, v.format, v.tolist()')).value).toEqual(['memoryview', 'd', [1.5, -2]]);
  });

  test('no jsnull or JsProxy anywhere inside a converted value', async () => {
    s.engine.namespace_set({ v: { a: [null, { b: null }], m: new Map([['k', null]]), s: new Set([null]) } });
    const found = await s.run(
      [
        'from pyodide.ffi import JsProxy',
        'def proxies(x, seen=()):',
        '    if isinstance(x, JsProxy) or type(x).__name__ == "JsNull": return 1',
        '    if isinstance(x, dict): return sum(proxies(k) + proxies(i) for k, i in x.items())',
        '    if isinstance(x, (list, set, tuple)): return sum(proxies(i) for i in x)',
        '    return 0',
        'proxies(v), v',
      ].join('\n'),
    );
    expect(found.value).toEqual([0, { a: [null, { b: null }], m: { k: null }, s: new Set([null]) }]);
  });

  test('shared references and cycles are kept', async () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { left: shared, right: shared };
    cyclic.self = cyclic;
    s.engine.namespace_set({ v: cyclic });
    expect((await s.run('v["left"] is v["right"], v["self"] is v')).value).toEqual([true, true]);
  });

  test.each([
    ['a function', () => 1, /has no Python form/],
    ['a class instance', new (class Point {})(), /has no Python form|Point/],
    ['an invalid Date', new Date(Number.NaN), /invalid Date/],
  ])('%s is refused with a clear error', (_name, value, message) => {
    expect(() => s.engine.namespace_set({ v: value })).toThrow(message);
  });
});

describe('Python → JavaScript (namespace.get)', () => {
  test.each([
    ['None', null],
    ['2 ** 70', 2n ** 70n],
    ['2 ** 53 - 1', 2 ** 53 - 1],
    ['-(2 ** 53 - 1)', -(2 ** 53 - 1)],
    ['3_000_000_000', 3_000_000_000],
    ["{'a': (1, 2), 'b': None}", { a: [1, 2], b: null }],
    ["{(1, 2): 'pair'}", new Map([[[1, 2], 'pair']])],
    ['frozenset({1})', new Set([1])],
    ["bytearray(b'ab')", new Uint8Array([97, 98])],
    ["memoryview(b'ab')", new Uint8Array([97, 98])],
    ["__import__('array').array('i', [1, -2])", new Int32Array([1, -2])],
    ["__import__('collections').namedtuple('P', 'x y')(1, 2)", [1, 2]],
    ["__import__('datetime').datetime(2000, 1, 1)", new Date(Date.UTC(2000, 0, 1))],
  ])('%s', async (code, expected) => {
    await s.run(`v = ${code}`);
    expect(s.engine.namespace_get('v')).toEqual(expected);
  });

  test('a value with no clone is a clear error that points to list()', async () => {
    await s.run('import threading\nlock = threading.Lock()');
    expect(() => s.engine.namespace_get('lock')).toThrow(/cannot be copied to the page.*namespace\.list\(\)/s);
  });

  test('a missing name is a clear error', () => {
    expect(() => s.engine.namespace_get('nope')).toThrow(/no variable named 'nope'/);
  });
});

describe('list, delete, clear and engine names', () => {
  test('list shows user variables only, with type and repr, in definition order', async () => {
    await s.run('import math\nb = [1, 2]\ndef f(): pass\nclass C: pass\n_ = 5\n_private = 1\n42');
    const listed = s.engine.namespace_list();
    expect(listed.map((v) => v.name)).toEqual(['math', 'b', 'f', 'C', '_private']);
    expect(listed.find((v) => v.name === 'b')).toEqual({ name: 'b', type: 'list', repr: '[1, 2]' });
    expect(listed.find((v) => v.name === 'C')?.type).toBe('class');
    expect(listed.find((v) => v.name === 'math')?.type).toBe('module');
  });

  test('a long repr is cut in the list', async () => {
    await s.run('big = list(range(100_000))');
    const entry = s.engine.namespace_list().find((v) => v.name === 'big');
    expect(entry?.repr.length).toBeLessThan(1100);
    expect(entry?.repr).toMatch(/more characters\)$/);
  });

  test('a hostile repr does not break the list', async () => {
    await s.run('class Bad:\n    def __repr__(self): raise RuntimeError("no")\nbad = Bad()');
    expect(s.engine.namespace_list().find((v) => v.name === 'bad')?.repr).toBe(
      '<Bad object (repr() raised RuntimeError)>',
    );
  });

  test('delete and clear remove user variables and keep engine names', async () => {
    await s.run('a = 1\nb = 2');
    expect(s.engine.namespace_delete('a')).toBe(true);
    expect(s.engine.namespace_delete('a')).toBe(false);
    s.engine.namespace_clear();
    expect(s.engine.namespace_list()).toEqual([]);
    expect((await s.run('callable(display), repr(host), __name__')).value).toEqual([
      true,
      '<host capabilities: none>',
      '__main__',
    ]);
  });

  test.each([
    [() => s.engine.namespace_set({ display: 1 }), /cannot set 'display': it is an engine internal/],
    [() => s.engine.namespace_set({ __builtins__: 1 }), /cannot set '__builtins__'/],
    [() => s.engine.namespace_delete('host'), /cannot delete 'host'/],
    [() => s.engine.namespace_get('display'), /engine internal/],
    [() => s.engine.namespace_set({ 'not a name': 1 }), /must be Python identifiers/],
    [
      () => s.engine.namespace_set({ a: 1 }, 'merge'),
      /strategy must be 'overwrite', 'preserve' or 'smart', got 'merge'/,
    ],
  ])('refused: %s', (call, message) => {
    expect(call).toThrow(message);
  });

  test('a refused set writes nothing', () => {
    expect(() => s.engine.namespace_set({ fine: 1, display: 2 })).toThrow();
    expect(s.engine.namespace_list()).toEqual([]);
  });
});

describe('merge strategies', () => {
  test.each([
    ['overwrite', { a: 1, d: { x: 1, y: 2 } }, { a: 2, b: 3, d: { y: 9 } }, { a: 2, b: 3, d: { y: 9 } }],
    ['overwrite', { a: 1 }, { a: null }, { a: null }],
    ['preserve', { a: 1 }, { a: 2, b: 3 }, { a: 1, b: 3 }],
    ['smart', { a: 1 }, { a: null, b: undefined }, { a: 1, b: null }],
    ['smart', { d: { x: 1, y: 2 } }, { d: { y: 9, z: 3 } }, { d: { x: 1, y: 9, z: 3 } }],
    ['smart', { d: { x: { deep: 1 } } }, { d: { x: { other: 2 } } }, { d: { x: { other: 2 } } }],
    ['smart', { d: { x: 1 } }, { d: [1] }, { d: [1] }],
    ['smart', { l: [1] }, { l: [2] }, { l: [2] }],
  ])('%s: %j + %j → %j', (strategy, before, incoming, after) => {
    s.engine.namespace_set(before);
    s.engine.namespace_set(incoming, strategy);
    const result = Object.fromEntries(Object.keys(after).map((name) => [name, s.engine.namespace_get(name)]));
    expect(result).toEqual(after);
  });

  test('smart merges into a new dict: the old one is not mutated', async () => {
    await s.run('d = {"x": 1}\nalias = d');
    s.engine.namespace_set({ d: { y: 2 } }, 'smart');
    expect((await s.run('d, alias, d is alias')).value).toEqual([{ x: 1, y: 2 }, { x: 1 }, false]);
  });

  test('set returns the names it wrote', () => {
    s.engine.namespace_set({ a: 1 });
    expect(s.engine.namespace_set({ a: 2, b: 3 }, 'preserve')).toEqual(['b']);
  });
});
