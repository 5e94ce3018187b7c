import { describe, expect, it } from 'vitest';
import { CellCompiler, type CompiledCell, namedCallee, userText } from '../../../lib/executor/compile';

/** `sandcell-cell-<id>.js:<line>:<column>` of the `occurrence`-th `token` in a compiled cell's generated code. */
function at(cell: CompiledCell, token: string, occurrence = 0): string {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) index = cell.plan.code.indexOf(token, index + 1);
  if (index < 0) throw new Error(`${token} is not in the generated code`);
  const before = cell.plan.code.slice(0, index).split('\n');
  return `${cell.url.replace(/\.js$/, '')}.js:${before.length}:${before[before.length - 1].length + 1}`;
}

/** Compiles cells in order (cell ids 1, 2, …) and returns them. */
function compileAll(...sources: string[]): { compiler: CellCompiler; cells: CompiledCell[] } {
  const compiler = new CellCompiler(10, {});
  const cells = sources.map((source) => {
    const compiled = compiler.compile(source);
    if (!('plan' in compiled)) throw new Error(`${source} did not compile: ${compiled.message}`);
    return compiled;
  });
  return { compiler, cells };
}

/** Stands for repr(), which never throws. */
function render(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return '<unrenderable>';
  }
}

describe('describeError: positions from a stack string', () => {
  // [cells, the stack (built from generated positions), expected line/column and stack].
  // `@cell:token` in a stack line stands for that token's generated position in that cell.
  const cases: Array<
    [title: string, cells: string[], stack: string[], expected: { line?: number; column?: number; stack: string[] }]
  > = [
    [
      'the top frame, on a line the transform left alone',
      ['let a = 1\n  boom()'],
      ['Error: bad', '    at eval (@1:boom)'],
      { line: 2, column: 3, stack: ['Error: bad', '    at eval (cell-1:2:3)'] },
    ],
    [
      'a line the transform rewrote: the column is the user’s, not the generated one',
      ['let x = 1; boom()'],
      ['Error: bad', '    at eval (@1:boom)'],
      { line: 1, column: 12, stack: ['Error: bad', '    at eval (cell-1:1:12)'] },
    ],
    [
      'inside an instrumented function',
      ['function f() {\n  return boom()\n}'],
      ['TypeError: boom is not a function', '    at f (@1:boom)'],
      { line: 2, column: 10, stack: ['TypeError: boom is not a function', '    at f (cell-1:2:10)'] },
    ],
    [
      'a function from an earlier cell, called by a later one: each frame maps into its own cell',
      ['function f() {\n  return boom()\n}', '\n\nf()'],
      ['Error: bad', '    at f (@1:boom)', '    at eval (@2:f()'],
      { line: 2, column: 10, stack: ['Error: bad', '    at f (cell-1:2:10)', '    at eval (cell-2:3:1)'] },
    ],
    [
      'engine frames (the worker’s own code) are dropped',
      ['boom()'],
      [
        'Error: bad',
        '    at eval (@1:boom)',
        '    at SessionRuntime.runSync (http://localhost:5173/lib/worker/runtime.ts:230:12)',
        '    at applyPristine (http://localhost:5173/lib/worker/lockdown/intrinsics.ts:70:3)',
      ],
      { line: 1, column: 1, stack: ['Error: bad', '    at eval (cell-1:1:1)'] },
    ],
    [
      'a message over several lines is kept whole',
      ['boom()'],
      ['Error: first line', 'second line', '    at eval (@1:boom)'],
      { line: 1, column: 1, stack: ['Error: first line', 'second line', '    at eval (cell-1:1:1)'] },
    ],
    [
      'text after the frames is not part of the message: dropped',
      ['boom()'],
      ['Error: bad', '    at eval (@1:boom)', 'trailing text'],
      { line: 1, column: 1, stack: ['Error: bad', '    at eval (cell-1:1:1)'] },
    ],
    [
      'thrown in engine code only: no position, only the message',
      ['boom()'],
      ['Error: bad', '    at http://localhost:5173/lib/worker/io/display.ts:28:11'],
      { stack: ['Error: bad'] },
    ],
    [
      'a frame of a cell this compiler never made is kept as it is, unmapped',
      ['boom()'],
      ['Error: bad', '    at eval (sandcell-cell-99.js:4:2)'],
      { stack: ['Error: bad', '    at eval (sandcell-cell-99.js:4:2)'] },
    ],
  ];

  it.each(cases)('%s', (_title, sources, stackLines, expected) => {
    const { compiler, cells } = compileAll(...sources);
    const stack = stackLines
      .map((line) =>
        line.replace(/@(\d+):([^)]+)/, (_m, id: string, token: string) => at(cells[Number(id) - 1], token)),
      )
      .join('\n');
    const error = compiler.describeError({ name: 'Error', message: 'bad', stack }, render);
    expect({ line: error.line, column: error.column, stack: error.stack?.split('\n') }).toEqual(expected);
  });
});

describe('describeError: what was thrown', () => {
  const { compiler } = compileAll('1');
  const hostile = {
    get stack(): string {
      throw new Error('getter');
    },
    message: 'm',
  };

  it.each<[title: string, thrown: unknown, expected: object]>([
    ['an Error keeps its name and message', new RangeError('too far'), { name: 'RangeError', message: 'too far' }],
    [
      'an Error-like object (another realm’s) counts as an Error',
      { name: 'DOMException', message: 'nope', stack: 'DOMException: nope' },
      { name: 'DOMException', message: 'nope', stack: 'DOMException: nope' },
    ],
    [
      'a string is shown, and said not to be an Error',
      'oops',
      { name: 'Uncaught', message: 'Uncaught "oops" (the cell threw a string, not an Error)' },
    ],
    ['null', null, { name: 'Uncaught', message: 'Uncaught null (the cell threw null, not an Error)' }],
    [
      'a plain object',
      { code: 1 },
      { name: 'Uncaught', message: 'Uncaught {"code":1} (the cell threw an object, not an Error)' },
    ],
    [
      'an object whose stack getter throws is not taken for an Error',
      hostile,
      { name: 'Uncaught', message: 'Uncaught <unrenderable> (the cell threw an object, not an Error)' },
    ],
  ])('%s', (_title, thrown, expected) => {
    const error = compiler.describeError(thrown, render);
    if (thrown instanceof Error) delete (error as { stack?: string }).stack;
    expect(error).toEqual(expected);
  });
});

describe('describeError on a real throw', () => {
  it('maps the position V8 reports for a compiled cell back into the cell', () => {
    const { compiler, cells } = compileAll('const a = 1;\nconst b = 2; null.boom');
    let thrown: unknown;
    try {
      const scope = Object.create(null);
      const init = (name: string, value: unknown) => {
        scope[name] = value;
      };
      cells[0].run({ n: new Int32Array([100]), declare() {}, init, tick: () => 100 }, scope);
    } catch (error) {
      thrown = error;
    }
    const error = compiler.describeError(thrown, render);
    expect(error).toMatchObject({ name: 'TypeError', line: 2, column: 19 });
    expect(error.stack?.split('\n')[1]).toMatch(/cell-1:2:19\)?$/);
  });
});

describe('describeError in JavaScriptCore: positions from error.line / error.column (lines mode)', () => {
  /**
   * Compiles cells as in JSC (each text after the blank lines of those before it) and says,
   * for the `occurrence`-th `token` of a cell's generated code plus `shift` characters, the
   * line and column JSC would report: in the text as evaluated, prefix included.
   */
  function jscCells(...sources: string[]) {
    const evaluated: string[] = [];
    const globalEval: (code: string) => unknown = globalThis.eval;
    const compiler = new CellCompiler(
      10,
      {},
      (code) => {
        evaluated.push(code);
        return globalEval(code);
      },
      undefined,
      'lines',
    );
    const cells = sources.map((source) => {
      const compiled = compiler.compile(source);
      if (!('plan' in compiled)) throw new Error(`${source} did not compile: ${compiled.message}`);
      return compiled;
    });
    const jscAt = (cell: number, token: string, shift = 0, occurrence = 0) => {
      const code = evaluated[cell - 1];
      let index = -1;
      for (let i = 0; i <= occurrence; i++) index = code.indexOf(token, index + 1);
      if (index < 0) throw new Error(`${token} is not in cell ${cell}'s code`);
      const before = code.slice(0, index + shift).split('\n');
      return { line: before.length, column: before[before.length - 1].length + 1 };
    };
    return { compiler, cells, jscAt };
  }

  // [title, cells, the running cell, the top frame, where JSC places it ([cell, token, shift]
  //  or [cell, line, column]), name, message, expected line/column and stack].
  it.each<
    [
      title: string,
      sources: string[],
      running: number,
      frame: string,
      divot: [cell: number, token: string, shift: number] | [cell: number, line: number, column: number],
      name: string,
      message: string,
      expected: { line?: number; column?: number; stack: string[] },
    ]
  >([
    [
      'a missing name, called: placed at the name',
      ['let a = 1;\nlet b = 2;\n  nope();'],
      1,
      '',
      [1, 'nope()', 4],
      'ReferenceError',
      "Can't find variable: nope",
      { line: 3, column: 3, stack: ["ReferenceError: Can't find variable: nope", '    at cell-1:3:3'] },
    ],
    [
      'a name not a function: the message reads as written',
      ['const n = 5', 'n()'],
      2,
      '',
      [2, 'n()', 1],
      'TypeError',
      "(0, __sc$s.n) is not a function. (In '(0, __sc$s.n)()', '(0, __sc$s.n)' is 5)",
      {
        line: 1,
        column: 1,
        stack: ["TypeError: n is not a function. (In 'n()', 'n' is 5)", '    at cell-2:1:1'],
      },
    ],
    [
      'a later cell’s text does not take an earlier cell’s lines',
      ['let x = 1\n\n\n  x.y.z', 'let w = 2\n\n\n  w.v.u'],
      2,
      '',
      [2, 'w.v.u', 3],
      'TypeError',
      "undefined is not an object (evaluating 'w.v.u')",
      {
        line: 4,
        column: 7,
        stack: ["TypeError: undefined is not an object (evaluating 'w.v.u')", '    at cell-2:4:7'],
      },
    ],
    [
      'a function of an earlier cell, under its hidden name',
      ['function callsLater() { return later() }', 'let later = 3', 'callsLater()'],
      3,
      '__sc$f_callsLater',
      [1, 'later))()', 7],
      'TypeError',
      'later is not a function',
      { line: 1, column: 32, stack: ['TypeError: later is not a function', '    at callsLater (cell-1:1:32)'] },
    ],
    [
      'destructuring null, placed by JSC at the start of the cell’s code',
      ['const {z} = null'],
      1,
      '',
      [1, 1, 1],
      'TypeError',
      'Right side of assignment cannot be destructured',
      {
        line: 1,
        column: 8,
        stack: ['TypeError: Right side of assignment cannot be destructured', '    at cell-1:1:8'],
      },
    ],
    [
      'a class called without new: the running cell’s call of it',
      ['const n = 5; class N {}', 'let a = 1\n     N()'],
      2,
      'N',
      [1, 'class N {}', 10],
      'TypeError',
      'Cannot call a class constructor without |new|',
      { line: 2, column: 6, stack: ['TypeError: Cannot call a class constructor without |new|', '    at cell-2:2:6'] },
    ],
    [
      'a line of no cell (sandcell’s own code): no position',
      ['let a = 1'],
      1,
      'declare',
      [1, 100_000, 3],
      'SyntaxError',
      "Identifier 'undefined' has already been declared",
      { stack: ["SyntaxError: Identifier 'undefined' has already been declared"] },
    ],
    [
      'a named frame in a cell’s lines by chance: no position',
      ['display(1)'],
      1,
      'display',
      [1, 'display(1)', 7],
      'TypeError',
      '[sandcell] display: bad',
      { stack: ['TypeError: [sandcell] display: bad'] },
    ],
  ])('%s', (_title, sources, running, frame, divot, name, message, expected) => {
    const { compiler, cells, jscAt } = jscCells(...sources);
    // A numeric place is a line of the cell's own text (1: its first) and a column.
    const { line, column } =
      typeof divot[1] === 'string'
        ? jscAt(divot[0], divot[1], divot[2])
        : { line: jscAt(divot[0], '(').line + divot[1] - 1, column: divot[2] as number };
    // JSC's own shape: frames without positions, line and column as properties.
    const thrown = { name, message, stack: `${frame}@\n@\nrunCell@\nexecute@`, line, column };
    const error = compiler.describeError(thrown, render, cells[running - 1]);
    expect({ line: error.line, column: error.column, stack: error.stack?.split('\n') }).toEqual(expected);
  });

  it('a stack with a cell frame is read as before (V8 and SpiderMonkey in this mode too)', () => {
    const { compiler } = jscCells('let a = 1\n  boom()');
    const error = compiler.describeError(
      { name: 'Error', message: 'bad', stack: 'Error: bad\n    at eval (sandcell-cell-999.js:2:3)' },
      render,
    );
    expect(error.stack).toBe('Error: bad\n    at eval (sandcell-cell-999.js:2:3)');
  });
});

describe('namedCallee: a failed call of a name looked up in the scope first, named', () => {
  it.each<[title: string, message: string, source: string, at: [number, number], expected: string]>([
    [
      'V8',
      '(intermediate value)(intermediate value)(intermediate value) is not a function',
      'f() { return later() }',
      [1, 14],
      'later is not a function',
    ],
    [
      'SpiderMonkey names the value',
      '3 is not a function',
      'f() { return later() }',
      [1, 14],
      'later is not a function',
    ],
    ['SpiderMonkey, a string value', '"s" is not a function', '\n  later ()', [2, 3], 'later is not a function'],
    ['a name is left as it is', 'g is not a function', 'g()', [1, 1], 'g is not a function'],
    ['a call of a call is not a name', 'a(...) is not a function', 'a()()', [1, 1], 'a(...) is not a function'],
    ['a property called keeps its message', '3 is not a function', 'o.later()', [1, 3], '3 is not a function'],
    ['no call at the position', '3 is not a function', '(1)()', [1, 1], '3 is not a function'],
  ])('%s', (_title, message, source, [line, column], expected) => {
    expect(namedCallee(message, source, { line, column })).toBe(expected);
  });
});

describe('userText: messages read as the user wrote the code', () => {
  it.each([
    ['(0 , __sc$s.n) is not a function', 'n is not a function'],
    ['__sc$s.o.missing is not a function', 'o.missing is not a function'],
    ['("later" in __sc$s ? __sc$s.later : later) is not a function', 'later is not a function'],
    [
      '(__sc$k0 === __sc$g[0] ? later : "later" in __sc$s ? __sc$s.later : (__sc$k0 = __sc$g[0], later)).x is not a function',
      'later.x is not a function',
    ],
    ['    at __sc$f_spin (cell-1:1:20)', '    at spin (cell-1:1:20)'],
    ['plain message', 'plain message'],
  ])('%j → %j', (text, expected) => {
    expect(userText(text)).toBe(expected);
  });
});
