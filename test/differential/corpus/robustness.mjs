// Deep nesting and large cells end in a result (ok, or an error), never a rejected execute().
const plusChain = (n) => `1${' + 1'.repeat(n - 1)}`;
export default [
  { id: 'robustness/plus-chain-1000', cells: [plusChain(1000), '1 + 1'] },
  { id: 'robustness/plus-chain-5000', cells: [plusChain(5000), '1 + 1'] },
  { id: 'robustness/blocks-1000', cells: [`${'{'.repeat(1000)}1${'}'.repeat(1000)}`, '1 + 1'] },
  { id: 'robustness/ternaries-1000', cells: [`${'true ? '.repeat(1000)}1${' : 0'.repeat(1000)}`, '1 + 1'] },
  { id: 'robustness/arrays-400', cells: [`${'['.repeat(400)}${']'.repeat(400)}`, '1 + 1'] },
  { id: 'robustness/arrays-400-assigned', cells: [`const deep = ${'['.repeat(400)}${']'.repeat(400)}`, 'deep.length'] },
  { id: 'robustness/parens-1000', cells: [`${'('.repeat(1000)}1${')'.repeat(1000)}`, '1 + 1'] },
  { id: 'robustness/objects-400', cells: [`const o = ${'{a: '.repeat(400)}1${'}'.repeat(400)}`, 'typeof o.a'] },
  { id: 'robustness/calls-500', cells: ['const id = (x) => x', `${'id('.repeat(500)}7${')'.repeat(500)}`] },
  { id: 'robustness/arrows-300', cells: [`const f = ${'() => '.repeat(300)}1`, 'typeof f'] },
  { id: 'robustness/functions-200', cells: [`${'function n() { '.repeat(200)}${'}'.repeat(200)}`, 'typeof n'] },
  { id: 'robustness/if-chain-1000', cells: [`let hit = 0; ${'if (true) '.repeat(1000)}hit = 1`, 'hit'] },
  { id: 'robustness/many-statements', cells: [`let c = 0; ${'c++; '.repeat(5000)}c`] },
  {
    id: 'robustness/many-declarations',
    cells: [Array.from({ length: 1000 }, (_, i) => `let v${i} = ${i};`).join(' '), 'v999'],
  },
  { id: 'robustness/long-string', cells: [`"${'a'.repeat(200000)}".length`] },
  { id: 'robustness/long-line-error', cells: [`${'1 + '.repeat(2000)}missing`] },
  {
    id: 'robustness/deep-value',
    cells: ['let d = {}; let cur = d; for (let i = 0; i < 2000; i++) { cur.n = {}; cur = cur.n }', 'd'],
  },
  { id: 'robustness/cyclic-value', cells: ['const c = {name: "c"}; c.self = c; c'] },
  { id: 'robustness/huge-array-value', cells: ['Array.from({length: 100000}, (_, i) => i).length'] },
  { id: 'robustness/template-nesting-200', cells: [`${'`${'.repeat(200)}1${'}`'.repeat(200)}`] },
];
