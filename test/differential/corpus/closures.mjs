// Functions keep seeing the top-level bindings they close over, across cells.
export default [
  { id: 'closures/sees-later-assignment', cells: ['let x = 1', 'function get() { return x }', 'x = 2', 'get()'] },
  { id: 'closures/sees-redeclared-let', cells: ['let x = 1', 'function get() { return x }', 'let x = 2', 'get()'] },
  { id: 'closures/arrow-sees-redeclared-let', cells: ['let x = 1; const get = () => x', 'let x = 3', 'get()'] },
  { id: 'closures/sees-redeclared-const', cells: ['const x = 1', 'const read = () => x', 'const x = 5', 'read()'] },
  { id: 'closures/writes-top-level-let', cells: ['let n = 0', 'const inc = () => ++n', 'inc(); inc()', 'n'] },
  { id: 'closures/writes-after-redeclare', cells: ['let n = 0', 'const inc = () => ++n', 'let n = 10', 'inc()', 'n'] },
  {
    id: 'closures/counter-factory',
    cells: [
      'function counter() { let c = 0; return () => ++c }',
      'const a = counter(), b = counter()',
      'a(); a(); b()',
      '[a(), b()]',
    ],
  },
  { id: 'closures/sees-var', cells: ['var v = 1', 'const get = () => v', 'v = 9', 'get()'] },
  { id: 'closures/sees-implicit-global', cells: ['g1 = 1', 'const get = () => g1', 'g1 = 4', 'get()'] },
  {
    id: 'closures/sees-function-redefinition',
    cells: ['function helper() { return 1 }', 'const use = () => helper()', 'function helper() { return 2 }', 'use()'],
  },
  {
    id: 'closures/sees-class-redeclaration',
    cells: [
      'class Shape { kind() { return "old" } }',
      'const make = () => new Shape().kind()',
      'class Shape { kind() { return "new" } }',
      'make()',
    ],
  },
  {
    id: 'closures/timer-sees-later-value',
    cells: [
      'let msg = "before"',
      'const p = new Promise((r) => setTimeout(() => r(msg), 0))',
      'msg = "after"',
      'await p',
    ],
  },
  { id: 'closures/promise-then-closure', cells: ['let base = 10', 'await Promise.resolve(5).then((v) => v + base)'] },
  {
    id: 'closures/loop-let-capture',
    cells: ['const fns = []; for (let i = 0; i < 3; i++) fns.push(() => i)', 'fns.map((f) => f())'],
  },
  {
    id: 'closures/loop-var-capture',
    cells: ['const fns = []; for (var i = 0; i < 3; i++) fns.push(() => i)', 'fns.map((f) => f())'],
  },
  {
    id: 'closures/closure-over-param',
    cells: ['const adder = (a) => (b) => a + b', 'const add2 = adder(2)', 'add2(5)'],
  },
  {
    id: 'closures/method-sees-top-level',
    cells: ['let factor = 2', 'const o = { scale(v) { return v * factor } }', 'factor = 3', 'o.scale(2)'],
  },
  {
    id: 'closures/class-method-sees-top-level',
    cells: ['let unit = "cm"', 'class Len { show(n) { return n + unit } }', 'unit = "m"', 'new Len().show(4)'],
  },
  { id: 'closures/recursive-through-name', cells: ['const fact = (n) => n <= 1 ? 1 : n * fact(n - 1)', 'fact(5)'] },
  {
    id: 'closures/closure-made-in-async-cell',
    cells: ['let level = 1; await 0; const read = () => level', 'level = 2', 'read()'],
  },
  {
    id: 'closures/async-closure-sees-update',
    cells: [
      'let status = "a"',
      'const later = async () => { await 0; return status }',
      'status = "b"',
      'await later()',
    ],
  },
  {
    id: 'closures/getter-closure',
    cells: ['let hidden = 1', 'const box = { get value() { return hidden } }', 'hidden = 7', 'box.value'],
  },
  {
    id: 'closures/generator-closure',
    cells: ['let step = 1', 'function* seq() { let i = 0; while (i < 3) yield (i += step) }', 'step = 2', '[...seq()]'],
  },
  {
    id: 'closures/closure-across-three-cells',
    cells: ['let a = 1', 'const f = () => a', 'const g = () => f() + 1', 'a = 10', 'g()'],
  },
  {
    id: 'closures/closure-sees-deleted-global',
    cells: ['globalThis.gone = 1', 'const read = () => typeof gone', 'delete globalThis.gone', 'read()'],
  },
  {
    id: 'closures/reassigned-function-variable',
    cells: ['let op = (a, b) => a + b', 'const apply = (a, b) => op(a, b)', 'op = (a, b) => a * b', 'apply(3, 4)'],
  },
  {
    id: 'closures/closure-in-object-literal',
    cells: ['let n = 1', 'const api = { get: () => n, set: (v) => { n = v } }', 'api.set(9)', 'n'],
  },
  {
    id: 'closures/closure-in-array-callback-later',
    cells: ['let offset = 1', 'const shift = (xs) => xs.map((x) => x + offset)', 'offset = 100', 'shift([1, 2])'],
  },
  { id: 'closures/shadowing-param', cells: ['let x = "outer"', 'const f = (x) => x', 'f("param")'] },
  {
    id: 'closures/redeclared-let-function-value',
    cells: ['let fn = () => 1', 'const call = () => fn()', 'let fn = () => 2', 'call()'],
  },
];
