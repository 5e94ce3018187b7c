// The code the benchmarks run, as source text: the same text goes to a sandcell session,
// to the bare worker and to QuickJS, so every pair measures the same work.

/** A tight numeric loop, in a function so locals stay locals (the REPL's top-level rules are not what is measured). */
export const tightLoop = (n) =>
  `(() => { let s = 0; for (let i = 0; i < ${n}; i++) { s = (s + i * i) % 1000003; } return s; })()`;

/** A call-heavy loop: one call per iteration, so the function-entry check runs as often as the back-edge one. */
export const callLoop = (n) =>
  `(() => { function add(a, b) { return (a + b) & 0xffff; } let s = 0; for (let i = 0; i < ${n}; i++) { s = add(s, i); } return s; })()`;

/**
 * A call-heavy loop at the top level of a cell, as users write it: `f` and `c` are the
 * cell's own top-level bindings. `suffix` renames them, so a bare worker can run the same code
 * again by indirect eval (a script may not declare the same `let` twice).
 */
export const topLevelCalls = (n, suffix = '') =>
  `function f${suffix}(x) { return x + 1 } let c${suffix} = 0; for (let i = 0; i < ${n}; i++) c${suffix} = f${suffix}(c${suffix}); c${suffix}`;

/** A numeric kernel: 200×200 matrix product on typed arrays, in a function. */
export const matmul = (n = 200) =>
  `(() => { const n = ${n}; const a = new Float64Array(n * n), b = new Float64Array(n * n), c = new Float64Array(n * n);
for (let i = 0; i < n * n; i++) { a[i] = i % 7; b[i] = i % 5; }
for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) { const x = a[i * n + k]; for (let j = 0; j < n; j++) c[i * n + j] += x * b[k * n + j]; }
let s = 0; for (let i = 0; i < n * n; i++) s += c[i]; return s; })()`;

/**
 * An array of small records, about 100 bytes each once serialized: `bytes` of namespace.
 * Objects (not a typed array) so snapshot and checkpoint walk a real object graph.
 */
export const records = (bytes) =>
  `Array.from({ length: ${Math.round(bytes / 100)} }, (_, i) => ({ i, s: 'item-' + i + '${'.'.repeat(70)}' }))`;

/** A 200-line cell; `salt` makes the text distinct (a cache miss) without changing the work. */
export function cell200(salt) {
  const lines = [`// ${salt}`];
  for (let i = 1; i < 199; i++) lines.push(`v${i} = (typeof v${i - 1} === 'number' ? v${i - 1} : 0) + ${i};`);
  lines.push('v198');
  return lines.join('\n');
}
