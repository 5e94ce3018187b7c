import { describe, expect, it } from 'vitest';
import {
  captureIntrinsics,
  consoleExpression,
  consolePosition,
  constructorFromRepr,
  differences,
  makeRenderers,
  normalizeSandcellError,
  type Outcome,
  renderClone,
  renderRemotePrimitive,
  renderSandcellValue,
  thrownKind,
} from '../../differential/normalize.mjs';
import { compareSequence, indexIntended, summarize } from '../../differential/runner.mjs';

describe('renderClone', () => {
  const cyclic: Record<string, unknown> = { name: 'c' };
  cyclic.self = cyclic;
  const sparse: unknown[] = [];
  sparse[1] = 1;
  let deep: unknown = 0;
  for (let i = 0; i < 9; i++) deep = [deep];
  const cases: Array<[unknown, string | undefined, string]> = [
    [undefined, undefined, 'undefined'],
    [null, undefined, 'null'],
    [true, undefined, 'true'],
    [1.5, undefined, '1.5'],
    [-0, undefined, '-0'],
    [Number.NaN, undefined, 'NaN'],
    [Number.NEGATIVE_INFINITY, undefined, '-Infinity'],
    [10n, undefined, '10n'],
    ['a"b', undefined, '"a\\"b"'],
    [Symbol('s'), undefined, 'Symbol(s)'],
    [[1, [2, 'x']], undefined, '[1, [2, "x"]]'],
    [sparse, undefined, '[<hole>, 1]'],
    [{ a: 1, 'b c': [2] }, undefined, '{"a": 1, "b c": [2]}'],
    [{ a: 1 }, 'C', 'C {"a": 1}'],
    [{ inner: { a: 1 } }, 'Object', 'Object {"inner": {"a": 1}}'],
    [
      new Map<unknown, unknown>([
        [1, 'one'],
        ['k', { v: 2 }],
      ]),
      undefined,
      'Map{1 => "one", "k" => {"v": 2}}',
    ],
    [new Set([1, 'a']), undefined, 'Set{1, "a"}'],
    [new Date(0), undefined, 'Date(1970-01-01T00:00:00.000Z)'],
    [new Date(Number.NaN), undefined, 'Date(Invalid)'],
    [/a+b/gi, undefined, '/a+b/gi'],
    [new TypeError('bad'), undefined, 'TypeError("bad")'],
    [new Uint8Array([1, 2]), undefined, 'Uint8Array[1, 2]'],
    [new ArrayBuffer(3), undefined, 'ArrayBuffer(3)'],
    [new DataView(new ArrayBuffer(2)), undefined, 'DataView(2)'],
    [Object(1), undefined, 'Number(1)'],
    [Object('s'), undefined, 'String("s")'],
    [cyclic, 'Object', 'Object {"name": "c", "self": [Circular]}'],
    [deep, undefined, '[[[[[[[…]]]]]]]'],
  ];
  it.each(cases)('%o (top name %s) → %s', (value, topName, expected) => {
    expect(renderClone(value, topName)).toBe(expected);
  });
});

describe('makeRenderers: live values (the console side)', () => {
  const renderers = makeRenderers(captureIntrinsics(), globalThis);
  class C {
    a = 1;
  }
  const cases: Array<[string, unknown, string]> = [
    ['a class instance keeps its constructor name', new C(), 'C {"a": 1}'],
    ['a plain object', { a: [1] }, 'Object {"a": [1]}'],
    ['a null-prototype object', Object.create(null), 'null-prototype {}'],
    ['a named function', function named() {}, 'function named'],
    ['an anonymous arrow', [() => 1][0], 'function (anonymous)'],
    ['a class', C, 'function C'],
    ['an object holding a function', { f() {} }, 'uncloneable Object'],
    ['a promise', Promise.resolve(1), 'uncloneable Promise'],
    ['the global object', globalThis, 'globalThis'],
    ['an array', [1, 2], '[1, 2]'],
    ['a primitive', 'text', '"text"'],
  ];
  it.each(cases)('%s', (_, value, expected) => {
    expect(renderers.live(value)).toBe(expected);
  });

  it('renders with the intrinsics it captured, whatever a cell patched afterwards', () => {
    const push = Object.getOwnPropertyDescriptor(Array.prototype, 'push')!;
    const join = Object.getOwnPropertyDescriptor(Array.prototype, 'join')!;
    const objectToString = Object.getOwnPropertyDescriptor(Object.prototype, 'toString')!;
    const stringify = JSON.stringify;
    try {
      Object.defineProperty(Array.prototype, 'push', { value: null, configurable: true, writable: true });
      Object.defineProperty(Array.prototype, 'join', { value: null, configurable: true, writable: true });
      Object.defineProperty(Object.prototype, 'toString', { value: null, configurable: true, writable: true });
      JSON.stringify = () => 'patched';
      expect(renderers.live({ a: [1, new Map([[1, 2]])] })).toBe('Object {"a": [1, Map{1 => 2}]}');
    } finally {
      Object.defineProperty(Array.prototype, 'push', push);
      Object.defineProperty(Array.prototype, 'join', join);
      Object.defineProperty(Object.prototype, 'toString', objectToString);
      JSON.stringify = stringify;
    }
  });

  const thrown: Array<[string, unknown, { name: string; message?: string }]> = [
    ['an Error', new RangeError('r'), { name: 'RangeError', message: 'r' }],
    ['an error-like object', { name: 'Fake', message: 'm', stack: 's' }, { name: 'Fake', message: 'm' }],
    ['a number', 1, { name: 'throw number' }],
    ['undefined', undefined, { name: 'throw undefined' }],
    ['null', null, { name: 'throw null' }],
    ['an array', [1], { name: 'throw array' }],
    ['an object', { code: 1 }, { name: 'throw object' }],
  ];
  it.each(thrown)('thrown %s', (_, value, expected) => {
    expect(renderers.thrown(value)).toEqual(expected);
  });
});

describe("sandcell's side", () => {
  const reprs: Array<[string, string]> = [
    ['C { a: 1 }', 'C'],
    ['{ a: 1 }', 'Object'],
    ['[Object: null prototype] {}', 'null-prototype'],
    ['Promise [Promise] {}', 'Promise'],
    ['WeakMap { ? }', 'WeakMap'],
    ['Map (1) {1 => 2}', 'Map'],
    ['[ 1 ]', 'Array'],
    ['{ [object globalThis] }', 'globalThis'],
  ];
  it.each(reprs)('constructorFromRepr(%s) → %s', (repr, expected) => {
    expect(constructorFromRepr(repr)).toBe(expected);
  });

  const values: Array<[string, { value?: unknown; repr?: string }, boolean, string]> = [
    ['no value at all', {}, false, 'undefined'],
    ['undefined', { value: undefined, repr: 'undefined' }, true, 'undefined'],
    ['a number', { value: 2, repr: '2' }, true, '2'],
    ['a class instance (name from repr)', { value: { a: 1 }, repr: 'C { a: 1 }' }, true, 'C {"a": 1}'],
    ['an array', { value: [1], repr: '[ 1 ]' }, true, '[1]'],
    ['a named function', { repr: '[Function: f]' }, false, 'function f'],
    ['a function with properties', { repr: '[Function: f] { x: 1 }' }, false, 'function f'],
    ['an anonymous function', { repr: '[Function (anonymous)]' }, false, 'function (anonymous)'],
    ['a symbol', { repr: 'Symbol(s)' }, false, 'Symbol(s)'],
    ['an uncloneable object', { repr: '{ f: [Function: f] }' }, false, 'uncloneable Object'],
    ['the global object', { repr: '{ [object globalThis] }' }, false, 'globalThis'],
  ];
  it.each(values)('value: %s', (_, result, hasValue, expected) => {
    expect(renderSandcellValue(result, hasValue)).toBe(expected);
  });

  const errors: Array<[string, { name: string; message: string; line?: number; column?: number }, object]> = [
    [
      'a runtime error keeps name, message and position',
      { name: 'TypeError', message: 'x', line: 1, column: 2 },
      { status: 'error', name: 'TypeError', message: 'x', line: 1, column: 2 },
    ],
    [
      'a SyntaxError drops the message (acorn and V8 word it differently)',
      { name: 'SyntaxError', message: 'Unexpected token (1:2)', line: 1, column: 3 },
      { status: 'error', name: 'SyntaxError', line: 1, column: 3 },
    ],
    [
      'a thrown non-Error is named by its kind',
      { name: 'Uncaught', message: 'Uncaught 1 (the cell threw a number, not an Error)' },
      { status: 'error', name: 'throw number' },
    ],
    [
      "a stack overflow's position is not compared",
      { name: 'RangeError', message: 'Maximum call stack size exceeded', line: 1, column: 5 },
      { status: 'error', name: 'RangeError', message: 'Maximum call stack size exceeded' },
    ],
    [
      "nor that of sandcell's parser running out of stack",
      {
        name: 'RangeError',
        message: '[sandcell] the cell is nested too deeply to parse (Maximum call stack size exceeded) — split it up',
        line: 1,
        column: 380,
      },
      {
        status: 'error',
        name: 'RangeError',
        message: '[sandcell] the cell is nested too deeply to parse (Maximum call stack size exceeded) — split it up',
      },
    ],
    [
      'another RangeError keeps its position',
      { name: 'RangeError', message: 'Invalid array length', line: 1, column: 1 },
      { status: 'error', name: 'RangeError', message: 'Invalid array length', line: 1, column: 1 },
    ],
  ];
  it.each(errors)('error: %s', (_, error, expected) => {
    expect(normalizeSandcellError(error)).toEqual(expected);
  });

  const kinds: Array<[string, string]> = [
    ['Uncaught 1 (the cell threw a number, not an Error)', 'number'],
    ["Uncaught 's' (the cell threw a string, not an Error)", 'string'],
    ['Uncaught undefined (the cell threw undefined, not an Error)', 'undefined'],
    ['Uncaught null (the cell threw null, not an Error)', 'null'],
    ['Uncaught [ 1 ] (the cell threw an array, not an Error)', 'array'],
    ['Uncaught { a: 1 } (the cell threw an object, not an Error)', 'object'],
    ['Uncaught Map (0) {} (the cell threw a Map, not an Error)', 'object'],
    ['Uncaught [class K] (the cell threw a class, not an Error)', 'function'],
    ['Uncaught [Function: f] (the cell threw a function, not an Error)', 'function'],
    ['something else entirely', 'unknown'],
  ];
  it.each(kinds)('thrownKind(%j) → %s', (message, expected) => {
    expect(thrownKind(message)).toBe(expected);
  });
});

describe("the console's side", () => {
  const primitives: Array<[Parameters<typeof renderRemotePrimitive>[0], string]> = [
    [{ type: 'undefined' }, 'undefined'],
    [{ type: 'object', subtype: 'null', value: null }, 'null'],
    [{ type: 'number', unserializableValue: '-0' }, '-0'],
    [{ type: 'bigint', unserializableValue: '10n' }, '10n'],
    [{ type: 'string', value: 'a' }, '"a"'],
    [{ type: 'boolean', value: true }, 'true'],
    [{ type: 'number', value: 3 }, '3'],
  ];
  it.each(primitives)('renderRemotePrimitive(%o) → %s', (remote, expected) => {
    expect(renderRemotePrimitive(remote)).toBe(expected);
  });

  const positions: Array<[string, Parameters<typeof consolePosition>[0], string, object]> = [
    [
      'the first frame with a position, 1-based',
      {
        lineNumber: 1,
        columnNumber: 1,
        stackTrace: {
          callFrames: [
            { lineNumber: -1, columnNumber: -1 },
            { lineNumber: 0, columnNumber: 4 },
          ],
        },
      },
      'TypeError',
      { line: 1, column: 5 },
    ],
    [
      "a cell's SyntaxError: exceptionDetails, 0-based",
      { lineNumber: 0, columnNumber: 5 },
      'SyntaxError',
      { line: 1, column: 6 },
    ],
    ['a thrown primitive: none (V8 says 0:0)', { lineNumber: 0, columnNumber: 0 }, 'throw a number', {}],
    [
      'an error without frames: none',
      { lineNumber: 0, columnNumber: 0, stackTrace: { callFrames: [] } },
      'AggregateError',
      {},
    ],
  ];
  it.each(positions)('position: %s', (_, details, name, expected) => {
    expect(consolePosition(details, name)).toEqual(expected);
  });

  const inputs: Array<[string, string]> = [
    ['{a: 1}', '({a: 1})'],
    ['{a: 1};', '({a: 1})'],
    [' {a: 1} ;; ', '({a: 1})'],
    ['{\n  a: 1\n}', '({a: 1})'],
    ['{\n  a: 1,\n  b: 2\n}', '{\n  a: 1,\n  b: 2\n}'],
    ['{}', '({})'],
    ['{ 1 }', '{ 1 }'],
    ['{ let x = 1 }', '{ let x = 1 }'],
    ['{a: {b: 1}}', '({a: {b: 1}})'],
    ['{a: 1}; 2', '{a: 1}; 2'],
    ['{} + {}', '{} + {}'],
    ['1 + 1', '1 + 1'],
  ];
  it.each(inputs)('consoleExpression(%j) → %j', (code, expected) => {
    expect(consoleExpression(code)).toBe(expected);
  });
});

describe('comparison', () => {
  const ok = (value: string): Outcome => ({ status: 'ok', value });
  const typeError = (line: number, column: number, message = 'm'): Outcome => ({
    status: 'error',
    name: 'TypeError',
    message,
    line,
    column,
  });
  const cases: Array<[string, Outcome, Outcome, string[]]> = [
    ['same value', ok('1'), ok('1'), []],
    ['another value', ok('1'), ok('2'), ['value']],
    ['ok against error', ok('1'), typeError(1, 1), ['status']],
    ['another position', typeError(1, 1), typeError(2, 3), ['line', 'column']],
    ['another message', typeError(1, 1), typeError(1, 1, 'other'), ['message']],
  ];
  it.each(cases)('differences: %s', (_, expected, actual, aspects) => {
    expect(differences(expected, actual)).toEqual(aspects);
  });

  const sequence = { id: 'cat/seq', cells: ['a', 'b'] };
  it('a sequence agrees when every cell matches the console', () => {
    const result = compareSequence(sequence, [ok('1'), typeError(1, 1)], [ok('1'), typeError(1, 1)], undefined);
    expect([result.verdict, result.category, result.differing]).toEqual(['agree', 'cat', []]);
  });
  it('a documented difference counts only when sandcell does what the entry says', () => {
    const intended = { key: 'k', cells: [null, ok('2')] };
    expect(compareSequence(sequence, [ok('1'), ok('9')], [ok('1'), ok('2')], intended).verdict).toBe('intended');
    const lost = compareSequence(sequence, [ok('1'), ok('9')], [ok('1'), ok('9')], intended);
    expect([lost.verdict, lost.differing]).toEqual(['differ', [{ cell: 1, aspects: ['value'], expected: ok('2') }]]);
  });
  it('intended entries must name corpus sequences, once', () => {
    const entry = (id: string) => ({ key: 'k', reason: 'r', sandcell: { [id]: [null] } });
    expect(indexIntended([entry('cat/seq')], new Set(['cat/seq'])).get('cat/seq')).toEqual({ key: 'k', cells: [null] });
    expect(() => indexIntended([entry('cat/other')], new Set(['cat/seq']))).toThrow(/not in the corpus/);
    expect(() => indexIntended([entry('cat/seq'), entry('cat/seq')], new Set(['cat/seq']))).toThrow(/twice/);
  });
  it('summarize counts agreement overall and by category', () => {
    const agree = compareSequence(sequence, [ok('1'), ok('2')], [ok('1'), ok('2')], undefined);
    const differ = compareSequence({ id: 'other/x', cells: ['a'] }, [ok('1')], [ok('2')], undefined);
    const { overall, byCategory } = summarize([agree, differ]);
    expect(overall).toEqual({ total: 2, agree: 1, intended: 0, differ: 1, percent: 50 });
    expect(byCategory.cat.percent).toBe(100);
    expect(byCategory.other.percent).toBe(0);
  });
});
