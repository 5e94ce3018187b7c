/**
 * Cell sequences and what each cell gives, as Chrome's console evaluator (`Runtime.evaluate`
 * with `replMode: true` in a dedicated worker) gave them — run here through the transform and
 * the real namespace model in a Node vm. `(none)` is a cell that completed without a value
 * (the console shows `undefined`; sandcell reports no value). Where sandcell differs from the
 * console on purpose, the row says so and why.
 */
import { describe, expect, it } from 'vitest';
import { ReplHarness } from './repl-harness';

type Row = [cells: string[], outcomes: string[]];

const table: Record<string, Row[]> = {
  'let/const/class live in a script scope, not on globalThis': [
    [['let x = 1; globalThis.x'], ['undefined']],
    [
      ['const c = 1', "'c' in globalThis"],
      ['(none)', 'false'],
    ],
    [
      ['class GK {}', 'globalThis.GK'],
      ['(none)', 'undefined'],
    ],
    [
      ['let Array = 1', 'typeof globalThis.Array', 'Array'],
      ['(none)', '"function"', '1'],
    ],
    [
      ['globalThis.shadowed = "global"', 'let shadowed = "lexical"', 'shadowed', 'globalThis.shadowed'],
      ['"global"', '(none)', '"lexical"', '"global"'],
    ],
    [
      ['var gv = 1', 'globalThis.gv'],
      ['(none)', '1'],
    ],
    [
      ['function gf() {}', 'typeof globalThis.gf'],
      ['(none)', '"function"'],
    ],
  ],
  'redeclaration reuses the binding (REPL mode)': [
    [
      ['let x = 1; function f() { return x }', 'let x = 2', 'f()', 'x'],
      ['(none)', '(none)', '2', '2'],
    ],
    [
      ['const c = 1', 'const c = 2', 'c', 'c = 3'],
      ['(none)', '(none)', '2', 'TypeError: Assignment to constant variable.'],
    ],
    [
      ['class A {}', 'class A { static z = 1 }', 'A.z'],
      ['(none)', '(none)', '1'],
    ],
    [
      ['let x = 1', 'let x = x + 1', 'x'],
      ['(none)', '(none)', '2'],
    ],
    [
      ['let df = [1, 2, 3, 4]', 'let df = df.filter((n) => n % 2 === 0)', 'df'],
      ['(none)', '(none)', '[2,4]'],
    ],
    [
      ['const c = 1', 'const c = c * 3', 'c'],
      ['(none)', '(none)', '3'],
    ],
    [
      ['let x = 1', 'let x = null.y', 'x'],
      ['(none)', "TypeError: Cannot read properties of null (reading 'y')", '1'],
    ],
    // Cross-kind redeclaration is a SyntaxError in the console; sandcell lets the new one win.
    [
      ['let x = 1', 'const x = 2', 'x', 'x = 3'],
      ['(none)', '(none)', '2', 'TypeError: Assignment to constant variable.'],
    ],
    [
      ['const c = 1', 'var c', 'c'],
      ['(none)', '(none)', '1'],
    ],
    // The `var` wins: the binding becomes assignable, keeping its value until assigned.
    [
      ['const c = 1', 'var c = 2', 'c', 'c = 3'],
      ['(none)', '(none)', '2', '3'],
    ],
  ],
  'destructuring declarations': [
    [
      ['const {p, q: [r, ...s], ...t} = {p: 1, q: [2, 3, 4], u: 5}', '[p, r, s, t]'],
      ['(none)', '[1,2,[3,4],{"u":5}]'],
    ],
    [
      ['let {a1 = 2} = {}', 'a1 = 3', 'a1'],
      ['(none)', '3', '3'],
    ],
    [
      ['const {c1} = {c1: 1}', 'c1 = 2'],
      ['(none)', 'TypeError: Assignment to constant variable.'],
    ],
    [
      ['const [x1] = await Promise.resolve([7])', 'x1'],
      ['(none)', '7'],
    ],
    [
      ['let {f1 = function () {}} = {}', 'f1.name'],
      ['(none)', '"f1"'],
    ],
    [
      ['let g1 = 1', 'let {g1: h1 = g1} = {}', 'h1'],
      ['(none)', '(none)', '1'],
    ],
    // REPL mode: a redeclaration's initialiser reads the binding it replaces.
    [
      ['let w1 = {w1: 5}', 'let {w1} = w1', 'w1'],
      ['(none)', '(none)', '5'],
    ],
    [
      ['const {z1} = null', 'typeof z1'],
      ["TypeError: Cannot destructure property 'z1' of 'null' as it is null.", 'ReferenceError: z1 is not defined'],
    ],
  ],
  'temporal dead zone': [
    [
      ['let t = t', 't', 'let t = 1', 't'],
      ['ReferenceError: t is not defined', 'ReferenceError: t is not defined', '(none)', '1'],
    ],
    [
      ['z; let z = 1', 'z', 'z = 2'],
      [
        'ReferenceError: z is not defined',
        'ReferenceError: z is not defined',
        "ReferenceError: Cannot access 'z' before initialization",
      ],
    ],
    [['typeof y; let y = 1'], ['ReferenceError: y is not defined']],
    [
      ['x = 1; let x = 2', 'x'],
      ["ReferenceError: Cannot access 'x' before initialization", 'ReferenceError: x is not defined'],
    ],
    [
      ['function early() { return late } early(); let late = 1', 'early()'],
      ['ReferenceError: late is not defined', 'ReferenceError: late is not defined'],
    ],
    [
      ['throw 1; let y = 2', 'y', 'y = 5', 'let y = 3', 'y'],
      [
        'throw 1',
        'ReferenceError: y is not defined',
        "ReferenceError: Cannot access 'y' before initialization",
        '(none)',
        '3',
      ],
    ],
    [
      ['const k = (() => { throw 1 })()', 'k = 5'],
      ['throw 1', 'TypeError: Assignment to constant variable.'],
    ],
    [
      ['const a = 1, b = (a = 5)', 'a', 'b'],
      ['TypeError: Assignment to constant variable.', '1', 'ReferenceError: b is not defined'],
    ],
    [
      ['let ok = 1, bad = null.x', 'ok', 'bad'],
      ["TypeError: Cannot read properties of null (reading 'x')", '1', 'ReferenceError: bad is not defined'],
    ],
    [
      ['let {a, b = a} = {a: 1}', 'b'],
      ['(none)', '1'],
    ],
    [['class S extends S {}'], ["ReferenceError: Cannot access 'S' before initialization"]],
  ],
  'function declarations are live global bindings': [
    [
      ['function a() { return b() }; function b() { return 1 }', 'function b() { return 2 }', 'a()'],
      ['(none)', '(none)', '2'],
    ],
    [
      ['function f() {}', 'f = 2', 'typeof f', 'delete f'],
      ['(none)', '2', '"number"', 'false'],
    ],
    [
      ['function r(n) { return n ? r(n - 1) : "done" }', 'const r0 = r; r = () => "new"', 'r0(2)'],
      ['(none)', 'function r', '"new"'],
    ],
    [['f(); function f() { return 9 }'], ['9']],
    [
      ['function f() { return later }', 'let later = 1', 'f()', 'globalThis.later'],
      ['(none)', '(none)', '1', 'undefined'],
    ],
  ],
  'delete and typeof': [
    [
      ['var v = 1', 'delete v', 'delete globalThis.v'],
      ['(none)', 'false', 'false'],
    ],
    [
      ['let m = 1', 'delete m', 'const k = 1', 'delete k'],
      ['(none)', 'false', '(none)', 'false'],
    ],
    [
      ['ipd = 1', 'Object.getOwnPropertyDescriptor(globalThis, "ipd").configurable'],
      ['1', 'true'],
    ],
    [
      ['var dv = 1', 'Object.getOwnPropertyDescriptor(globalThis, "dv").configurable'],
      ['(none)', 'false'],
    ],
    [['typeof neverDeclared'], ['"undefined"']],
  ],
  'completion values': [
    [['if (1) { 5 }'], ['5']],
    [['1; let x = 2'], ['1']],
    [['await 0; class C {}'], ['0']],
    [['try { throw 1 } catch (e) { "c" }'], ['"c"']],
    [['{ 1 }'], ['1']],
    [['switch (1) { case 1: "one" }'], ['"one"']],
    [['for (let i = 0; i < 3; i++) i'], ['2']],
    [['1; if (false) 2'], ['undefined']],
    [['"use strict"; { function sbf() {} }'], ['"use strict"']],
  ],
  'the top level is a script': [
    [
      ['typeof arguments', 'this === globalThis', '(() => typeof arguments)()'],
      ['"undefined"', 'true', '"undefined"'],
    ],
    [
      ['this.viaThis = 4', 'viaThis'],
      ['4', '4'],
    ],
    [['"use strict"; undeclared = 1'], ['ReferenceError: undeclared is not defined']],
    [['"use strict"; (function () { return this })()'], ['undefined']],
    [['(function () { return this === undefined })()'], ['false']],
    [['#!/usr/bin/env node\n1 + 1'], ['2']],
    // Names a built-in holds non-configurably cannot be declared lexically, nor as functions.
    [['let undefined = 1'], ["SyntaxError: Identifier 'undefined' has already been declared"]],
    [['const NaN = 1'], ["SyntaxError: Identifier 'NaN' has already been declared"]],
    [['function Infinity() {}'], ["SyntaxError: Identifier 'Infinity' has already been declared"]],
    [
      ['var undefined', 'typeof undefined'],
      ['(none)', '"undefined"'],
    ],
    [
      ['{ function bf() { return 1 } }', 'bf()', 'if (true) function iff() { return 2 }', 'iff()'],
      ['(none)', '1', 'undefined', '2'],
    ],
    [
      ['"use strict"; { function sbf() {} }', 'typeof sbf'],
      ['"use strict"', '"undefined"'],
    ],
  ],
  'direct eval at the top level': [
    [
      ["eval('var ev = 1')", 'ev'],
      ['undefined', '1'],
    ],
    [["eval('var ev2 = 2'); ev2"], ['2']],
    [
      ["eval('function ef() { return 3 }')", 'ef()'],
      ['undefined', '3'],
    ],
    [
      ["eval('let el = 1')", 'typeof el'],
      ['undefined', '"undefined"'],
    ],
    [
      ['const seen = 5', "eval('seen * 2')"],
      ['(none)', '10'],
    ],
    [
      ['let target = 1', "eval('target = 2')", 'target'],
      ['(none)', '2', '2'],
    ],
    [["eval('{a: 1}')"], ['1']],
    [
      ["eval('const ec = 3; ec')", 'typeof ec'],
      ['3', '"undefined"'],
    ],
    [
      ["eval('var counter = 0; function incr() { return ++counter }')", 'incr(); incr()', 'counter'],
      ['undefined', '2', '2'],
    ],
    [
      ["function fe() { eval('var inner = 1'); return inner }", 'fe()', 'typeof inner'],
      ['(none)', '1', '"undefined"'],
    ],
    [
      ["eval('var dv = 1')", 'delete dv', 'typeof dv'],
      ['undefined', 'true', '"undefined"'],
    ],
    [["'use strict'; eval('var sv = 1'); typeof sv"], ['"undefined"']],
    [
      ['let taken = 1', "eval('var taken = 2')", 'taken'],
      ['(none)', "SyntaxError: Identifier 'taken' has already been declared", '1'],
    ],
    [
      ['const held = 1', "eval('function held() {}')", 'held'],
      ['(none)', "SyntaxError: Identifier 'held' has already been declared", '1'],
    ],
    [
      ['let lb = 1; { function lb() {} }', 'typeof lb'],
      ['(none)', '"number"'],
    ],
    [
      ['lbl: function lf() { return "lbl" }', 'lf()'],
      ['(none)', '"lbl"'],
    ],
    [['{} + {}'], ['NaN']],
  ],
  'names keep their functions': [
    [
      ['const r = () => 1; r.name', 'let c = class {}; c.name', 'let f; f = function () {}; f.name'],
      ['"r"', '"c"', '"f"'],
    ],
    [['(() => 1).name'], ['""']],
  ],
  'names the user may take': [
    [
      ['let input = 1', 'input', 'var host = 2', 'host', 'function prompt() { return 3 }', 'prompt()'],
      ['(none)', '1', '(none)', '2', '(none)', '3'],
    ],
    [
      ['let performance = 1', 'performance'],
      ['(none)', '1'],
    ],
  ],
  // A top-level loop keeps the bindings it uses in a local holder (lib/executor/loop-bindings.ts):
  // nothing about them may change, whoever looks at them while the loop runs or after it ends.
  'top-level loops that keep their bindings in locals': [
    [
      ['function f(x) { return x + 1 } let c = 0; for (let i = 0; i < 1000; i++) c = f(c); c', 'c', 'c = 5; c'],
      ['1000', '1000', '5'],
    ],
    [
      [
        'let c = 0; function g() { return c } const seen = []; for (let i = 0; i < 3; i++) { c++; seen.push(g()) } seen',
      ],
      ['[1,2,3]'],
    ],
    [['let c = 0; function inc() { c += 10 } for (let i = 0; i < 3; i++) { inc(); c++ } c'], ['33']],
    [
      ['let c = 0', 'function inc() { c += 10 }', 'for (let i = 0; i < 3; i++) { inc(); c++ } c', 'inc(); c'],
      ['(none)', '(none)', '33', '43'],
    ],
    [
      [
        'let c = 0',
        'try { for (;;) { c++; if (c === 5) throw new Error("out") } } catch (e) { e.message }',
        'c',
        'c = 7; c',
      ],
      ['(none)', '"out"', '5', '7'],
    ],
    [
      ['let c = 0', 'for (var i = 0; i < 3; i++) eval("c++"); c'],
      ['(none)', '3'],
    ],
    [
      ['let c = 0', 'outer: { for (;;) { c++; if (c > 2) break outer } } c'],
      ['(none)', '3'],
    ],
    [
      ['const k = 2; let s = 0; for (const x of [1, 2, 3]) s += k * x; s', 'k = 3', 'k'],
      ['12', 'TypeError: Assignment to constant variable.', '2'],
    ],
    [
      ['const k = 1', 'for (let i = 0; i < 1; i++) k = 2', 'k'],
      ['(none)', 'TypeError: Assignment to constant variable.', '1'],
    ],
    [
      ['const k = 1', 'for (let i = 0; i < 1; i++) ({ k } = { k: 2 })', 'k'],
      ['(none)', 'TypeError: Assignment to constant variable.', '1'],
    ],
    [
      ['for (let i = 0; i < 1; i++) { z } let z = 1', 'z'],
      ['ReferenceError: z is not defined', 'ReferenceError: z is not defined'],
    ],
    [
      ['let z = 0', 'for (let i = 0; i < 2; i++) z++; let z = 10; z'],
      ['(none)', '10'],
    ],
    [
      ['let a = 1, b = 2', 'for (let i = 0; i < 3; i++) [a, b] = [b, a + b]; [a, b]'],
      ['(none)', '[5,8]'],
    ],
    [
      ['let o = 0', 'for (let i = 0; i < 2; i++) ({ o } = { o: o + 1 }); o'],
      ['(none)', '2'],
    ],
    [
      ['let f = () => 1', 'let n = 0; for (let i = 0; i < 3; i++) { n += f(); f = () => 2 } n'],
      ['(none)', '5'],
    ],
    [
      ['class K { static n = 0 }', 'for (let i = 0; i < 2; i++) K.n++; K.n'],
      ['(none)', '2'],
    ],
    [
      ['let c = 0', 'const fs = []; for (let i = 0; i < 2; i++) { c++; fs.push(() => c) } c = 9; fs.map((f) => f())'],
      ['(none)', '[9,9]'],
    ],
    [
      ['let __proto__ = 1', 'for (let i = 0; i < 2; i++) __proto__++; __proto__'],
      ['(none)', '3'],
    ],
    // Functions look a name up in the scope once per generation of it (lib/executor/references.ts).
    [
      [
        'function get() { try { return later } catch (e) { return e.name } }',
        'get()',
        'let later = 1',
        'get()',
        'later = 2; get()',
      ],
      ['(none)', '"ReferenceError"', '(none)', '1', '2'],
    ],
    [
      [
        'function inc(x) { return x + 1 }',
        'function run() { let s = 0; for (let i = 0; i < 1000; i++) s = inc(s); return s }',
        'run()',
        'inc = (x) => x + 2; run()',
      ],
      ['(none)', '(none)', '1000', '2000'],
    ],
    [
      [
        'function run() { let s = 0; for (let i = 0; i < 1000; i++) s = step(s); return s }',
        'let step = (x) => x + 1',
        'run()',
        'step = (x) => x + 2; run()',
      ],
      ['(none)', '(none)', '1000', '2000'],
    ],
    [
      ['var gv = "global"', 'function read() { return gv }', 'read()', 'let other = 1; read()'],
      ['(none)', '(none)', '"global"', '"global"'],
    ],
    // Hostile cells: the holder is reached by neither a prototype accessor nor a with-object.
    [
      [
        'Object.defineProperty(Object.prototype, "c", { get() { return 42 }, set() { throw new Error("setter") }, configurable: true }); 0',
        'let c = 0; for (let i = 0; i < 3; i++) c++; delete Object.prototype.c; c',
      ],
      ['0', '3'],
    ],
    [
      [
        'let c = 0',
        'with (new Proxy({}, { has: (t, k) => typeof k === "string" && k.startsWith("__"), get: () => ({}) })) { for (let i = 0; i < 3; i++) c++ } c',
      ],
      ['(none)', '3'],
    ],
  ],
};

describe('cells against the console evaluator', () => {
  for (const [category, rows] of Object.entries(table)) {
    describe(category, () => {
      it.each(rows)('%j', async (cells, outcomes) => {
        expect(await new ReplHarness().outcomes(cells)).toEqual(outcomes);
      });
    });
  }
});
