// `_`: sandcell keeps the last expression value in `_` (Node's REPL and IPython do; the console
// does not, so most of these are intended differences). A user's own `_` wins, as in Node's REPL.
export default [
  { id: 'underscore/last-value', cells: ['1 + 1', '_'] },
  { id: 'underscore/arithmetic', cells: ['5', '_ * 10'] },
  { id: 'underscore/chain', cells: ['2', '_ * 3', '_ + 1'] },
  { id: 'underscore/unchanged-by-declaration', cells: ['7', 'let x = 1', '_'] },
  { id: 'underscore/unchanged-by-error', cells: ['8', 'null.x', '_'] },
  { id: 'underscore/object', cells: ['({a: 1})', '_.a'] },
  { id: 'underscore/undefined-value', cells: ['9', 'undefined', '_'] },
  { id: 'underscore/before-any-value', cells: ['_'] },
  { id: 'underscore/typeof-before-any-value', cells: ['typeof _'] },
  { id: 'underscore/after-await', cells: ['await Promise.resolve(3)', '_'] },
  { id: 'underscore/user-const-survives', cells: ['const _ = {id: "lodash-like"}', '2', '_'] },
  { id: 'underscore/user-let-survives', cells: ['let _ = 10', '3', '_ + 1'] },
  { id: 'underscore/user-var-survives', cells: ['var _ = "mine"', '4', '_'] },
  { id: 'underscore/user-assignment-survives', cells: ['_ = 5', '1', '_'] },
  { id: 'underscore/user-function', cells: ['function _(x) { return x * 2 }', '4', '_(21)'] },
  { id: 'underscore/user-const-then-assign-throws', cells: ['const _ = 1', '_ = 2'] },
  { id: 'underscore/in-function', cells: ['11', '(() => _)()'] },
  { id: 'underscore/statement-value', cells: ['if (true) { 12 }', '_'] },
  { id: 'underscore/list-not-include', cells: ['13', 'Object.keys(globalThis).includes("_")'] },
  { id: 'underscore/destructuring-named-underscore', cells: ['const [_] = [99]', '1', '_'] },
];
