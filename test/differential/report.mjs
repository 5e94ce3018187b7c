/** Text renderings of the differential results, for the terminal and the e2e test's messages. */

/** @param {Record<string, unknown>} outcome */
export function formatOutcome(outcome) {
  if (!outcome) return '(none)';
  if (outcome.status === 'ok') return `ok ${outcome.value}`;
  if (outcome.status === 'error') {
    const at = outcome.line !== undefined ? ` @${outcome.line}:${outcome.column}` : ' @-';
    const message = outcome.message !== undefined ? ` "${String(outcome.message).slice(0, 80)}"` : '';
    return `${outcome.name}${message}${at}`;
  }
  return `${outcome.status}: ${outcome.message}`;
}

/**
 * @param {import('./runner.mjs').SequenceResult} result
 * @returns {string}
 */
export function formatDisagreement(result) {
  const lines = [`✗ ${result.id}${result.intended ? ` (intended: ${result.intended})` : ''}`];
  const differing = new Map(result.differing.map((d) => [d.cell, d]));
  result.cells.forEach((cell, i) => {
    const shown = cell.length > 120 ? `${cell.slice(0, 117)}…` : cell;
    lines.push(`    [${i + 1}] ${shown.replace(/\n/g, '⏎ ')}`);
    const d = differing.get(i);
    if (d) {
      lines.push(`        expected ${formatOutcome(d.expected)}`);
      lines.push(`        sandcell ${formatOutcome(result.sandcell[i])}   (${d.aspects.join(', ')})`);
    }
  });
  return lines.join('\n');
}

/** @param {ReturnType<typeof import('./runner.mjs').summarize>} summary */
export function formatSummary(summary) {
  const row = (name, b) =>
    `${name.padEnd(16)} ${b.percent.toFixed(1).padStart(5)}%  ${String(b.agree + b.intended).padStart(4)}/${String(b.total).padEnd(4)} (${b.intended} intended)`;
  const lines = ['agreement by category:'];
  for (const [name, b] of Object.entries(summary.byCategory)) lines.push(`  ${row(name, b)}`);
  lines.push(`  ${row('overall', summary.overall)}`);
  return lines.join('\n');
}
