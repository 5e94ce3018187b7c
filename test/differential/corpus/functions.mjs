// Function declarations are live bindings; functions behave as functions.
export default [
  {
    id: 'functions/live-binding-redefinition',
    cells: ['function a() { return b() }; function b() { return 1 }', 'function b() { return 2 }', 'a()'],
  },
  { id: 'functions/assign-number-over-function', cells: ['function f() {}', 'f = 2', 'typeof f'] },
  { id: 'functions/assign-function-over-function', cells: ['function f() { return 1 }', 'f = () => 2', 'f()'] },
  {
    id: 'functions/recursion-through-reassigned-name',
    cells: [
      'function r(n) { return n === 0 ? "base" : r(n - 1) }',
      'const original = r',
      'r = () => "replaced"',
      'original(3)',
    ],
  },
  {
    id: 'functions/reassign-inside-function',
    cells: ['function once() { once = () => "later"; return "first" }', 'once()', 'once()'],
  },
  {
    id: 'functions/redefine-then-old-reference',
    cells: ['function v() { return 1 }', 'const old = v', 'function v() { return 2 }', '[old(), v(), old === v]'],
  },
  { id: 'functions/name-property', cells: ['function named() {}', 'named.name'] },
  { id: 'functions/arrow-name-from-const', cells: ['const arrow = () => 1', 'arrow.name'] },
  { id: 'functions/anonymous-arrow-value', cells: ['(() => 1)'] },
  { id: 'functions/anonymous-function-value', cells: ['(function () {})'] },
  { id: 'functions/anonymous-arrow-name', cells: ['(() => 1).name'] },
  { id: 'functions/anonymous-class-value', cells: ['(class {})'] },
  { id: 'functions/anonymous-class-name', cells: ['(class {}).name'] },
  { id: 'functions/function-value', cells: ['function shown() {}', 'shown'] },
  { id: 'functions/length-property', cells: ['function three(a, b, c) {}', 'three.length'] },
  { id: 'functions/default-params', cells: ['function greet(name = "you") { return "hi " + name }', 'greet()'] },
  { id: 'functions/rest-params', cells: ['function count(...xs) { return xs.length }', 'count(1, 2, 3)'] },
  { id: 'functions/arguments-object', cells: ['function args() { return arguments.length }', 'args(1, 2)'] },
  { id: 'functions/this-in-sloppy-function', cells: ['function who() { return this === globalThis }', 'who()'] },
  { id: 'functions/this-in-method', cells: ['const o = { m() { return this === o } }', 'o.m()'] },
  { id: 'functions/arrow-this-top-level', cells: ['const at = () => this', 'at() === globalThis'] },
  {
    id: 'functions/new-target-in-function',
    cells: ['function NT() { return new.target === NT }', 'new NT() instanceof NT', 'NT()'],
  },
  {
    id: 'functions/generator',
    cells: ['function* g() { yield 1; yield 2 }', 'const it = g()', 'it.next().value + it.next().value'],
  },
  { id: 'functions/async-function', cells: ['async function later(v) { await 0; return v * 2 }', 'await later(4)'] },
  {
    id: 'functions/async-generator',
    cells: [
      'async function* ag() { yield 1; yield 2 }',
      'const out = []; for await (const v of ag()) out.push(v); out',
    ],
  },
  {
    id: 'functions/closure-over-loop',
    cells: ['function sum(xs) { let s = 0; for (const x of xs) s += x; return s }', 'sum([1, 2, 3])'],
  },
  {
    id: 'functions/recursion-deep',
    cells: ['function depth(n) { return n === 0 ? 0 : 1 + depth(n - 1) }', 'depth(1000)'],
  },
  { id: 'functions/stack-overflow', cells: ['function forever() { return forever() }', 'forever()'] },
  {
    id: 'functions/stack-overflow-then-works',
    cells: ['function forever() { return forever() }', 'forever()', '1 + 1'],
  },
  { id: 'functions/function-properties', cells: ['function withProps() {}', 'withProps.extra = 5', 'withProps.extra'] },
  {
    id: 'functions/bind',
    cells: ['function add(a, b) { return a + b }', 'const inc = add.bind(null, 1)', '[inc(4), inc.name]'],
  },
  {
    id: 'functions/call-apply',
    cells: [
      'function sumThis(a) { return this.base + a }',
      '[sumThis.call({base: 1}, 2), sumThis.apply({base: 10}, [5])]',
    ],
  },
  { id: 'functions/iife-defines-nothing', cells: ['(function () { var inside = 1 })()', 'typeof inside'] },
  { id: 'functions/function-constructor', cells: ['const made = new Function("a", "return a * 3")', 'made(3)'] },
  {
    id: 'functions/function-constructor-global-scope',
    cells: ['let hidden = 1', 'new Function("return typeof hidden")()'],
  },
  {
    id: 'functions/higher-order',
    cells: ['const compose = (f, g) => (x) => f(g(x))', 'compose((x) => x + 1, (x) => x * 2)(5)'],
  },
  { id: 'functions/async-arrow', cells: ['const aa = async (x) => x + 1', 'await aa(1)'] },
  { id: 'functions/method-shorthand-name', cells: ['const obj = { method() {} }', 'obj.method.name'] },
  {
    id: 'functions/getter-setter',
    cells: ['const acc = { _v: 1, get v() { return this._v }, set v(x) { this._v = x * 2 } }', 'acc.v = 5', 'acc.v'],
  },
  {
    id: 'functions/tagged-template',
    cells: ['const tag = (s, ...v) => s.raw.join("|") + v.join(",")', 'tag`a${1}b${2}c`'],
  },
  {
    id: 'functions/async-defined-then-called-later',
    cells: ['async function slow() { await new Promise((r) => setTimeout(r, 5)); return "done" }', 'await slow()'],
  },
  {
    id: 'functions/function-declared-in-async-cell',
    cells: ['await 0; function inAsync() { return "x" }', 'inAsync()'],
  },
  {
    id: 'functions/function-redefined-in-async-cell',
    cells: [
      'function ra() { return 1 }',
      'const before = ra',
      'await 0; function ra() { return 2 }',
      '[before(), ra()]',
    ],
  },
  { id: 'functions/function-returns-its-own-name', cells: ['function self() { return self }', 'self() === self'] },
  {
    id: 'functions/closure-counter-persists',
    cells: ['const tick = (() => { let n = 0; return () => ++n })()', 'tick()', 'tick()'],
  },
];
