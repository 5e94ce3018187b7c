// The code the benchmarks run, as source text: the same text goes to a sandcell session,
// to the bare worker and to QuickJS, so every pair measures the same work.

/** A tight numeric loop, in a function so locals stay locals (the REPL's top-level rules are not what is measured). */
export const tightLoop = (n) =>
  `(() => { let s = 0; for (let i = 0; i < ${n}; i++) { s = (s + i * i) % 1000003; } return s; })()`;

/** A call-heavy loop: one call per iteration, so the function-entry check runs as often as the back-edge one. */
export const callLoop = (n) =>
  `(() => { function add(a, b) { return (a + b) & 0xffff; } let s = 0; for (let i = 0; i < ${n}; i++) { s = add(s, i); } return s; })()`;

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
