// Top-level loops: sandcell keeps the let/const a top-level loop uses in locals while it runs
// (lib/executor/loop-bindings.ts); whoever reads or writes them meanwhile or afterwards must see
// what a script sees.
export default [
  {
    id: 'loops/call-heavy',
    cells: ['function f(x) { return x + 1 } let c = 0; for (let i = 0; i < 1000; i++) c = f(c); c', 'c', 'c = 5; c'],
  },
  {
    id: 'loops/function-reads-during-loop',
    cells: [
      'let c = 0; function g() { return c } const seen = []; for (let i = 0; i < 3; i++) { c++; seen.push(g()) } seen',
    ],
  },
  {
    id: 'loops/function-writes-during-loop',
    cells: ['let c = 0', 'function inc() { c += 10 }', 'for (let i = 0; i < 3; i++) { inc(); c++ } c', 'inc(); c'],
  },
  {
    id: 'loops/throw-out-of-loop',
    cells: [
      'let c = 0',
      'try { for (;;) { c++; if (c === 5) throw new Error("out") } } catch (e) { e.message }',
      'c',
      'c = 7; c',
    ],
  },
  { id: 'loops/uncaught-throw-keeps-value', cells: ['let c = 0', 'for (;;) { c++; if (c === 3) null.x }', 'c'] },
  { id: 'loops/eval-in-loop', cells: ['let c = 0', 'for (var i = 0; i < 3; i++) eval("c++"); c'] },
  { id: 'loops/break-labelled-block', cells: ['let c = 0', 'outer: { for (;;) { c++; if (c > 2) break outer } } c'] },
  {
    id: 'loops/continue-label',
    cells: ['let s = 0', 'lbl: for (const x of [1, 2]) { while (s < 10) { s += x; if (s > 5) continue lbl } } s'],
  },
  { id: 'loops/const-read', cells: ['const k = 2; let s = 0; for (const x of [1, 2, 3]) s += k * x; s', 'k = 3', 'k'] },
  { id: 'loops/const-write-throws', cells: ['const k = 1', 'for (let i = 0; i < 1; i++) k = 2', 'k'] },
  {
    id: 'loops/const-pattern-write-throws',
    cells: ['const k = 1', 'for (let i = 0; i < 1; i++) ({ k } = { k: 2 })', 'k'],
  },
  { id: 'loops/dead-zone-before-declaration', cells: ['for (let i = 0; i < 1; i++) { z } let z = 1', 'z'] },
  { id: 'loops/before-redeclaration', cells: ['let z = 0', 'for (let i = 0; i < 2; i++) z++; let z = 10; z'] },
  { id: 'loops/swap-pattern', cells: ['let a = 1, b = 2', 'for (let i = 0; i < 3; i++) [a, b] = [b, a + b]; [a, b]'] },
  { id: 'loops/object-pattern', cells: ['let o = 0', 'for (let i = 0; i < 2; i++) ({ o } = { o: o + 1 }); o'] },
  {
    id: 'loops/reassigned-callee',
    cells: ['let f = () => 1', 'let n = 0; for (let i = 0; i < 3; i++) { n += f(); f = () => 2 } n'],
  },
  {
    id: 'loops/closures-see-later-value',
    cells: [
      'let c = 0',
      'const fs = []; for (let i = 0; i < 2; i++) { c++; fs.push(() => c) } c = 9; fs.map((f) => f())',
    ],
  },
  {
    id: 'loops/typeof-and-delete',
    cells: ['let c = 1', 'let r; for (let i = 0; i < 1; i++) r = [typeof c, delete c, c]; r'],
  },
  {
    id: 'loops/method-this',
    cells: ['let o = { n: 0, inc() { this.n++ } }', 'for (let i = 0; i < 3; i++) o.inc(); o.n'],
  },
  {
    id: 'loops/getter-sees-loop-value',
    cells: [
      'let c = 0',
      'const view = { get c() { return c } }',
      'let seen = 0; for (; c < 3; c++) seen += view.c; [seen, c]',
    ],
  },
  {
    id: 'loops/late-binding-in-function',
    cells: [
      'function get() { try { return later } catch (e) { return e.name } }',
      'get()',
      'let later = 1',
      'get()',
      'later = 2; get()',
    ],
  },
  {
    id: 'loops/global-call-in-function',
    cells: [
      'function inc(x) { return x + 1 }',
      'function run() { let s = 0; for (let i = 0; i < 1000; i++) s = inc(s); return s }',
      'run()',
      'inc = (x) => x + 2; run()',
    ],
  },
  {
    id: 'loops/later-let-call-in-function',
    cells: [
      'function run() { let s = 0; for (let i = 0; i < 1000; i++) s = step(s); return s }',
      'let step = (x) => x + 1',
      'run()',
      'step = (x) => x + 2; run()',
    ],
  },
  {
    id: 'loops/global-read-in-function',
    cells: ['var gv = "global"', 'function read() { return gv }', 'read()', 'let other = 1; read()'],
  },
  {
    id: 'loops/prototype-accessor',
    cells: [
      'Object.defineProperty(Object.prototype, "c", { get() { return 42 }, set() { throw new Error("setter") }, configurable: true }); 0',
      'let c = 0; for (let i = 0; i < 3; i++) c++; delete Object.prototype.c; c',
    ],
  },
  {
    id: 'loops/with-proxy',
    cells: [
      'let c = 0',
      'with (new Proxy({}, { has: (t, k) => typeof k === "string" && k.startsWith("__"), get: () => ({}) })) { for (let i = 0; i < 3; i++) c++ } c',
    ],
  },
  { id: 'loops/error-position', cells: ['let c = 0', 'for (let i = 0; i < 2; i++) {\n  c++;\n  c.x.y\n}', 'c'] },
];
