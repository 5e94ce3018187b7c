import { describe, expect, it } from 'vitest';
import { toV8Position, toV8Stack } from '../../../lib/executor/engine-stack';

describe('toV8Stack: every engine’s error.stack in one shape', () => {
  it.each<[title: string, stack: string[], name: string, message: string, expected: string[]]>([
    [
      'V8 is left as it is',
      ['TypeError: x is null', '    at f (sandcell-cell-1.js:2:3)', '    at sandcell-cell-2.js:1:1'],
      'TypeError',
      'x is null',
      ['TypeError: x is null', '    at f (sandcell-cell-1.js:2:3)', '    at sandcell-cell-2.js:1:1'],
    ],
    [
      'SpiderMonkey: header added, named and anonymous frames, async marker',
      [
        'f@sandcell-cell-1.js:2:3',
        'async*@sandcell-cell-2.js:1:1',
        'run@http://localhost:5173/lib/worker/runtime.ts:230:12',
        '',
      ],
      'ReferenceError',
      'nope is not defined',
      [
        'ReferenceError: nope is not defined',
        '    at f (sandcell-cell-1.js:2:3)',
        '    at async sandcell-cell-2.js:1:1',
        '    at run (http://localhost:5173/lib/worker/runtime.ts:230:12)',
      ],
    ],
    [
      'SpiderMonkey eval code without a sourceURL: the last @ and position decide',
      ['@http://localhost:5173/w.js line 20 > eval:1:5'],
      'Error',
      'bad',
      ['Error: bad', '    at http://localhost:5173/w.js line 20 > eval:1:5'],
    ],
    [
      'JavaScriptCore: native frames dropped, empty message gives the bare name',
      ['inner@sandcell-cell-3.js:4:17', 'forEach@[native code]', 'global code@sandcell-cell-3.js:7:1'],
      'Error',
      '',
      ['Error', '    at inner (sandcell-cell-3.js:4:17)', '    at global code (sandcell-cell-3.js:7:1)'],
    ],
    [
      'JavaScriptCore, eval’d cells: frames with no location at all give the header alone',
      ['boom@', '@', 's@'],
      'TypeError',
      "undefined is not an object (evaluating 'x.missing')",
      ["TypeError: undefined is not an object (evaluating 'x.missing')"],
    ],
    [
      'an object’s own stack text with no frame is kept',
      ['DOMException: nope'],
      'DOMException',
      'nope',
      ['DOMException: nope'],
    ],
  ])('%s', (_title, stack, name, message, expected) => {
    expect(toV8Stack(stack.join('\n'), name, message).split('\n')).toEqual(expected);
  });
});

describe("toV8Position: SpiderMonkey's column of a failed property access or destructuring, where V8 puts it", () => {
  it.each<
    [title: string, source: string, at: [number, number], name: string, message: string, expected: [number, number]]
  >([
    ['null.x: the property', 'null.x', [1, 1], 'TypeError', `can't access property "x" of null`, [1, 6]],
    [
      'in a function, at the statement: the one access on that line the message names',
      'function boom(x) {\n  return x.missing.deep;\n}',
      [2, 3],
      'TypeError',
      `can't access property "missing", x is undefined`,
      [2, 12],
    ],
    [
      'at the statement, two such accesses on the line: left as it was',
      'function f(x) {\n  return x.a + x.a;\n}',
      [2, 3],
      'TypeError',
      `can't access property "a", x is undefined`,
      [2, 3],
    ],
    ['undefined.y', 'undefined.y', [1, 1], 'TypeError', `can't access property "y" of undefined`, [1, 11]],
    ['computed: the bracket', 'null[0]', [1, 1], 'TypeError', "can't access property 0 of null", [1, 5]],
    [
      'a.b.c with a.b undefined: c',
      'let a={}; a.b.c',
      [1, 11],
      'TypeError',
      `can't access property "c", a.b is undefined`,
      [1, 15],
    ],
    [
      'o.f() with o undefined: f',
      'let o; o.f()',
      [1, 8],
      'TypeError',
      `can't access property "f", o is undefined`,
      [1, 10],
    ],
    [
      'the object text picks the access',
      'x.c.c',
      [1, 1],
      'TypeError',
      `can't access property "c", x.c is undefined`,
      [1, 5],
    ],
    [
      'innermost when the object is the name',
      'x.c.c',
      [1, 1],
      'TypeError',
      `can't access property "c", x is undefined`,
      [1, 3],
    ],
    [
      'later line, indented',
      'let q = null;\n  q.zz',
      [2, 3],
      'TypeError',
      `can't access property "zz", q is null`,
      [2, 5],
    ],
    [
      'a quoted name with a quote',
      'o["a\\"b"].c',
      [1, 1],
      'TypeError',
      `can't access property "a\\"b", o is undefined`,
      [1, 2],
    ],
    [
      'V8 positions are left alone',
      'null.x',
      [1, 6],
      'TypeError',
      "Cannot read properties of null (reading 'x')",
      [1, 6],
    ],
    ['another error type', 'null.x', [1, 1], 'ReferenceError', `can't access property "x" of null`, [1, 1]],
    [
      'not the start of a matching access',
      'f(null.x)',
      [1, 1],
      'TypeError',
      `can't access property "x" of null`,
      [1, 1],
    ],
    ['a property of another name', 'null.x', [1, 1], 'TypeError', `can't access property "y" of null`, [1, 1]],
    ['a cell that does not parse', 'null.x +', [1, 1], 'TypeError', `can't access property "x" of null`, [1, 1]],
    ['a position past the text', 'null.x', [3, 1], 'TypeError', `can't access property "x" of null`, [3, 1]],
    [
      'destructuring null: the first property',
      'const {z} = null',
      [1, 13],
      'TypeError',
      'null has no properties',
      [1, 8],
    ],
    [
      'destructuring by assignment, a renamed property',
      'let a;\n({ k: a, m } = undefined)',
      [2, 16],
      'TypeError',
      'undefined has no properties',
      [2, 4],
    ],
    [
      'destructuring an empty pattern: as it was',
      'const {} = null',
      [1, 12],
      'TypeError',
      'null has no properties',
      [1, 12],
    ],
    ['no pattern takes its value there', 'f(null)', [1, 3], 'TypeError', 'null has no properties', [1, 3]],
  ])('%s', (_title, source, [line, column], name, message, [eLine, eColumn]) => {
    expect(toV8Position(source, { line, column }, name, message)).toEqual({ line: eLine, column: eColumn });
  });
});
