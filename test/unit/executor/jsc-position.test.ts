import { describe, expect, it } from 'vitest';
import { callsOf, jscTopFrame, jscToV8Position, unparsedUsing } from '../../../lib/executor/jsc-position';

describe('jscTopFrame: the frame JSC’s error.line / error.column belong to', () => {
  it.each<[title: string, stack: string[], expected: string | undefined]>([
    ['eval’s top level', ['eval code@', 'eval@[native code]', 'run@http://x/w.js:3:1'], 'eval code'],
    ['an anonymous function (a cell)', ['@', 'runCell@', 'execute@'], ''],
    ['native frames are skipped: the caller is placed', ['parse@[native code]', 'map@[native code]', 'g@', '@'], 'g'],
    ['a frame with a URL is a script, no cell', ['f@http://x/w.js:3:1', '@'], undefined],
    ['no frame at all', [''], undefined],
  ])('%s', (_title, stack, expected) => {
    expect(jscTopFrame(stack.join('\n'))).toBe(expected);
  });
});

describe('jscToV8Position: from JSC’s divot to V8’s token', () => {
  // [title, cell, JSC's position (or the cell's start), top frame, name, message, expected].
  it.each<
    [
      title: string,
      source: string,
      at: [number, number] | 'start',
      frame: string,
      name: string,
      message: string,
      expected: [number, number] | undefined,
    ]
  >([
    [
      'a missing name called: its start',
      'let a = 1;\n  nope();',
      [2, 7],
      '',
      'ReferenceError',
      "Can't find variable: nope",
      [2, 3],
    ],
    ['a missing name read: its start', 'f(nope)', [1, 7], '', 'ReferenceError', "Can't find variable: nope", [1, 3]],
    [
      'a missing name before a member access: the name, not the property',
      'nope.x',
      [1, 5],
      '',
      'ReferenceError',
      "Can't find variable: nope",
      [1, 1],
    ],
    [
      'strict assignment to an undeclared name',
      '"use strict";\n  undeclared = 1',
      [2, 15],
      '',
      'ReferenceError',
      "Can't find variable: undeclared",
      [2, 3],
    ],
    ['not a function: the callee', 'n()', [1, 2], '', 'TypeError', "n is not a function. (In 'n()', 'n' is 5)", [1, 1]],
    [
      'a member callee: its property',
      'o.f()',
      [1, 4],
      '',
      'TypeError',
      "o.f is not a function. (In 'o.f()', 'o.f' is undefined)",
      [1, 3],
    ],
    [
      'a native callee’s throw: its property',
      '\n\n  JSON.parse("{")',
      [3, 13],
      '',
      'SyntaxError',
      "JSON Parse error: Expected '}'",
      [3, 8],
    ],
    ['new: the keyword', '  new f()', [1, 8], '', 'TypeError', "5 is not a constructor (evaluating 'new f()')", [1, 3]],
    ['an Error constructed: new', '  throw new Error("x")', [1, 18], '', 'Error', 'x', [1, 9]],
    [
      'a null property read: the property',
      '  o.a.x',
      [1, 6],
      '',
      'TypeError',
      "null is not an object (evaluating 'o.a.x')",
      [1, 7],
    ],
    [
      'a computed one: the bracket',
      '  o["k"]',
      [1, 4],
      '',
      'TypeError',
      `null is not an object (evaluating 'o["k"]')`,
      [1, 4],
    ],
    [
      'inside a named function of the cell',
      'function inner() {\n    if (i) null.x;\n}',
      [2, 16],
      '__sc$f_inner',
      'TypeError',
      "null is not an object (evaluating 'null.x')",
      [2, 17],
    ],
    [
      'destructuring null, at the cell’s start: the first property',
      'const {z} = null',
      'start',
      '',
      'TypeError',
      'Right side of assignment cannot be destructured',
      [1, 8],
    ],
    [
      'destructuring at a function’s start: the pattern of that function',
      'let q = 1\nconst f = (o) => {\n  const { a, b } = o }',
      [2, 11],
      'f',
      'TypeError',
      'Right side of assignment cannot be destructured',
      [3, 11],
    ],
    [
      'two patterns: JSC’s position stays',
      'const {a} = x, {b} = y',
      'start',
      '',
      'TypeError',
      'Right side of assignment cannot be destructured',
      [1, 1],
    ],
    [
      'another error at the cell’s start: the start',
      'let c',
      'start',
      '',
      'TypeError',
      'Attempted to assign to readonly property.',
      [1, 1],
    ],
    [
      'no rule: JSC’s position',
      '  Symbol() + ""',
      [1, 3],
      '',
      'TypeError',
      'Cannot convert a symbol to a string',
      [1, 3],
    ],
    [
      'a named frame at the cell’s top level: not this cell’s',
      'display(1)',
      [1, 8],
      'display',
      'TypeError',
      'bad',
      undefined,
    ],
    [
      'a named frame the cell never names: not this cell’s',
      'function f() {\n  g() }',
      [2, 4],
      'validatePayload',
      'TypeError',
      'bad',
      undefined,
    ],
    ['eval code is anywhere', 'x()', [1, 2], 'eval code', 'TypeError', 'x is not a function', [1, 1]],
  ])('%s', (_title, source, at, frame, name, message, expected) => {
    const position = at === 'start' ? 'start' : { line: at[0], column: at[1] };
    expect(jscToV8Position(source, position, frame, name, message)).toEqual(
      expected && { line: expected[0], column: expected[1] },
    );
  });
});

describe('callsOf and unparsedUsing', () => {
  it.each<[source: string, name: string, expected: Array<[number, number]>]>([
    ['let a = 1\n     N()', 'N', [[2, 6]]],
    [
      'N(); new N(); o.N(); N()',
      'N',
      [
        [1, 1],
        [1, 22],
      ],
    ],
    ['let (', 'N', []],
  ])('calls of %s', (source, name, expected) => {
    expect(callsOf(source, name)).toEqual(expected.map(([line, column]) => ({ line, column })));
  });

  it.each<[source: string, message: string, expected: [number, number] | undefined]>([
    ['1;\n{ using inner = { [Symbol.dispose]() {} } } 2', "Unexpected identifier 'inner'", [2, 9]],
    ['async function f() { await using a = x, b = y }', "Unexpected identifier 'b'", [1, 41]],
    ['{ using inner = null }', "Unexpected identifier 'other'", undefined],
    ['{ let inner = null }', "Unexpected identifier 'inner'", undefined],
    ['{ using inner = null }', 'Unexpected token', undefined],
  ])('using in %s', (source, message, expected) => {
    expect(unparsedUsing(source, message)).toEqual(expected && { line: expected[0], column: expected[1] });
  });
});
