// Turns the figures into the printed table (also pasted into the README's Performance section).

const fmt = (value, unit) => {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (unit === 'ms')
    return value >= 100 ? `${value.toFixed(0)} ms` : value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`;
  if (unit === 'lines/s') return `${Math.round(value).toLocaleString('en-US')} lines/s`;
  if (unit === 'ns/iter') return `${value.toFixed(2)} ns/iter`;
  return `${value.toPrecision(3)} ${unit}`;
};

/** A median, with the range of the round medians when it came from rounds. */
function withSpread(summary, unit) {
  const median = fmt(summary.median, unit);
  if (!summary.spread) return median;
  const [low, high] = summary.spread.map((v) => fmt(v, unit).replace(/ [^ ]+$/, ''));
  return `${median} (${low}–${high})`;
}

function goalText(goal) {
  if (!goal) return '';
  const parts = [];
  if (goal.ratio !== undefined) parts.push(`≤ ${goal.ratio}×`);
  if (goal.median !== undefined) parts.push(`median ≤ ${goal.median} ms`);
  if (goal.p95 !== undefined) parts.push(`p95 ≤ ${goal.p95} ms`);
  if (goal.max !== undefined) parts.push(`max ≤ ${goal.max} ms`);
  return parts.join(', ');
}

/**
 * @param {Array<{ suite: string } & object>} figures
 * @returns {string} a Markdown table
 */
export function formatTable(figures) {
  const rows = [['figure', 'median', 'p95', 'n', 'baseline (same run)', 'baseline median', 'ratio', 'goal', '']];
  for (const f of figures) {
    rows.push([
      f.label,
      withSpread(f.value, f.unit),
      fmt(f.value.p95, f.unit),
      String(f.value.n),
      f.baseline?.label ?? '',
      f.baseline ? withSpread(f.baseline, f.baseline.unit) : '',
      f.ratio === undefined
        ? ''
        : `${f.ratio.toFixed(2)}×${f.ratioSpread ? ` (${f.ratioSpread[0].toFixed(2)}–${f.ratioSpread[1].toFixed(2)})` : ''}`,
      goalText(f.goal),
      f.met === undefined ? '' : f.met ? 'ok' : 'MISSED',
    ]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

/** Notes under the table: what each figure's note says. */
export function formatNotes(figures) {
  return figures
    .filter((f) => f.note)
    .map((f) => `- ${f.label}: ${f.note}`)
    .join('\n');
}
