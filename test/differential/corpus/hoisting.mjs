// Hoisting inside one cell (function and var), and what does not hoist.
export default [
  { id: 'hoisting/function-called-before', cells: ['hoisted(); function hoisted() { return "ok" }'] },
  { id: 'hoisting/function-value-before', cells: ['typeof fh; function fh() {}'] },
  { id: 'hoisting/var-undefined-before', cells: ['const seen = vh; var vh = 1; seen'] },
  { id: 'hoisting/var-typeof-before', cells: ['typeof vt; var vt = 1'] },
  { id: 'hoisting/class-not-hoisted', cells: ['typeof Later; class Later {}'] },
  { id: 'hoisting/let-not-hoisted', cells: ['String(ln); let ln = 1'] },
  {
    id: 'hoisting/function-in-earlier-cell',
    cells: ['function first() { return second() }', 'function second() { return 2 }', 'first()'],
  },
  { id: 'hoisting/call-not-yet-defined-cell', cells: ['notYet()', 'function notYet() { return 1 }', 'notYet()'] },
  {
    id: 'hoisting/mutual-recursion',
    cells: [
      'isEven(10); function isEven(n) { return n === 0 || isOdd(n - 1) } function isOdd(n) { return n !== 0 && isEven(n - 1) }',
    ],
  },
  { id: 'hoisting/function-over-var', cells: ['var fv = 1; function fv() {}', 'typeof fv'] },
  { id: 'hoisting/var-then-function-order', cells: ['typeof fo; var fo = 1; function fo() {}'] },
  { id: 'hoisting/last-function-wins', cells: ['lf(); function lf() { return 1 } function lf() { return 2 }'] },
  { id: 'hoisting/async-function-hoisted', cells: ['const p = ah(); async function ah() { return 3 }', 'await p'] },
  { id: 'hoisting/generator-hoisted', cells: ['[...gh()]; function* gh() { yield 1 }'] },
  { id: 'hoisting/var-in-loop-hoisted', cells: ['typeof lv; for (var lv of [1]) {}'] },
  { id: 'hoisting/function-expression-not-hoisted', cells: ['fe(); var fe = function () {}'] },
  { id: 'hoisting/arrow-not-hoisted', cells: ['af(); const af = () => 1'] },
  {
    id: 'hoisting/hoisted-function-uses-later-let',
    cells: ['function usesLet() { return laterLet } let laterLet = 5; usesLet()'],
  },
  { id: 'hoisting/var-in-catch', cells: ['try { throw 1 } catch (e) { var fromCatch = e }', 'fromCatch'] },
  { id: 'hoisting/var-in-try', cells: ['try { var fromTry = 2 } finally {}', 'fromTry'] },
  { id: 'hoisting/var-in-switch', cells: ['switch (1) { case 1: var fromSwitch = 3 }', 'fromSwitch'] },
  {
    id: 'hoisting/function-declared-after-return-value',
    cells: ['const r = calc(2); function calc(n) { return n * 21 }', 'r'],
  },
  { id: 'hoisting/var-in-await-cell', cells: ['await 0; var va = 1', 'va'] },
  {
    id: 'hoisting/function-in-await-cell-called-before',
    cells: ['const v = fa(); await 0; function fa() { return "a" }', 'v'],
  },
  { id: 'hoisting/var-hoisted-in-await-cell', cells: ['const seen = typeof vaw; await 0; var vaw = 1', 'seen'] },
];
