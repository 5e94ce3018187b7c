// Annex B: function declarations in blocks also make a var binding (sloppy mode).
export default [
  { id: 'annexb/block-function', cells: ['{ function fb() { return 1 } }', 'typeof fb'] },
  { id: 'annexb/block-function-call', cells: ['{ function fb2() { return "block" } }', 'fb2()'] },
  { id: 'annexb/if-function', cells: ['if (true) function fi() { return "if" }', 'fi()'] },
  { id: 'annexb/false-branch', cells: ['if (false) { function nf() {} }', 'typeof nf'] },
  { id: 'annexb/false-branch-declared', cells: ['if (false) { function nf2() {} }', '"nf2" in globalThis'] },
  { id: 'annexb/two-blocks', cells: ['{ function dup() { return 1 } } { function dup() { return 2 } }', 'dup()'] },
  { id: 'annexb/conflicts-with-let', cells: ['let lb = 1; { function lb() {} }', 'typeof lb'] },
  { id: 'annexb/switch-case', cells: ['switch (1) { case 1: function sw() { return "sw" } }', 'sw()'] },
  { id: 'annexb/try-block', cells: ['try { function tf() { return "t" } } finally {}', 'tf()'] },
  { id: 'annexb/labelled-function', cells: ['lbl: function lf() { return "lbl" }', 'lf()'] },
  { id: 'annexb/before-block-undefined', cells: ['const before = typeof early; { function early() {} }', 'before'] },
  { id: 'annexb/same-cell-after-block', cells: ['{ function inner() { return 1 } } inner()'] },
  { id: 'annexb/in-async-cell', cells: ['await 0; { function af() { return "a" } }', 'af()'] },
  { id: 'annexb/in-loop', cells: ['for (let i = 0; i < 1; i++) { function ff() { return i } }', 'ff()'] },
  { id: 'annexb/strict-block-scoped', cells: ["'use strict'; { function sb() {} }", 'typeof sb'] },
  {
    id: 'annexb/in-function',
    cells: ['function host2() { { function nested() { return 1 } } return typeof nested }', 'host2()'],
  },
  {
    id: 'annexb/block-function-redefines',
    cells: ['function rd() { return "top" }', '{ function rd() { return "block" } }', 'rd()'],
  },
  { id: 'annexb/block-function-reassigned-in-block', cells: ['{ function ra() {} ra = 5 }', 'typeof ra'] },
];
