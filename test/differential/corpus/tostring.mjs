// Function source is what the user wrote.
export default [
  { id: 'tostring/function', cells: ['function add(a, b) { return a + b }', 'add.toString()'] },
  {
    id: 'tostring/function-with-loop',
    cells: ['function loop(n) { let s = 0; for (let i = 0; i < n; i++) { s += i } return s }', 'loop.toString()'],
  },
  { id: 'tostring/function-with-while', cells: ['function spin() { while (false) {} }', 'String(spin)'] },
  { id: 'tostring/arrow', cells: ['const double = (x) => x * 2', 'double.toString()'] },
  {
    id: 'tostring/arrow-with-block',
    cells: ['const blocky = (x) => { for (const y of x) {} return x }', 'blocky.toString()'],
  },
  {
    id: 'tostring/class',
    cells: ['class Counter { n = 0; inc() { while (false) {} return ++this.n } }', 'Counter.toString()'],
  },
  { id: 'tostring/method', cells: ['const obj = { method() { return 1 } }', 'obj.method.toString()'] },
  { id: 'tostring/async-function', cells: ['async function fetchIt() { await 0; return 1 }', 'fetchIt.toString()'] },
  { id: 'tostring/generator', cells: ['function* gen() { yield 1 }', 'gen.toString()'] },
  {
    id: 'tostring/with-comments',
    cells: ['function commented(/* a */ x) {\n  // keep me\n  return x\n}', 'commented.toString()'],
  },
  { id: 'tostring/template-concat', cells: ['function t() { return 1 }', '`${t}`'] },
  { id: 'tostring/plus-empty-string', cells: ['function p() {}', 'p + ""'] },
  {
    id: 'tostring/function-prototype-call',
    cells: ['function fc() { return "fc" }', 'Function.prototype.toString.call(fc)'],
  },
  {
    id: 'tostring/rebuild-from-source',
    cells: ['function sq(x) { for (;;) { return x * x } }', 'new Function("return " + sq.toString())()(5)'],
  },
  {
    id: 'tostring/rebuild-arrow-eval',
    cells: [
      'const tri = (x) => { let s = 0; while (x > 0) s += x--; return s }',
      'eval("(" + tri.toString() + ")")(4)',
    ],
  },
  {
    id: 'tostring/rebuild-class',
    cells: [
      'class Pt { constructor(x) { this.x = x } get twice() { return this.x * 2 } }',
      'new (new Function("return " + Pt.toString())())(4).twice',
    ],
  },
  { id: 'tostring/defined-in-async-cell', cells: ['await 0; function inAsync() { return "a" }', 'inAsync.toString()'] },
  { id: 'tostring/length', cells: ['function measured() { return 1 }', 'measured.toString().length'] },
  {
    id: 'tostring/recursive',
    cells: ['function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }', 'fib.toString()'],
  },
  { id: 'tostring/function-expression-const', cells: ['const fx = function named() { return 2 }', 'fx.toString()'] },
  {
    id: 'tostring/getter',
    cells: [
      'const withGetter = { get g() { return 1 } }',
      'Object.getOwnPropertyDescriptor(withGetter, "g").get.toString()',
    ],
  },
  {
    id: 'tostring/redefined-function',
    cells: ['function v() { return 1 }', 'function v() { return 2 }', 'v.toString()'],
  },
];
