// Summaries of timing samples, and the figure record every benchmark reports: a measurement
// paired with a baseline from the same run, their ratio, and the goal it is held to.

/**
 * @param {number[]} samples
 * @returns {{ n: number, median: number, p95: number, min: number, mean: number }}
 */
export function summarize(samples) {
  if (samples.length === 0) return { n: 0, median: Number.NaN, p95: Number.NaN, min: Number.NaN, mean: Number.NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return { n: sorted.length, median: at(0.5), p95: at(0.95), min: sorted[0], mean };
}

/**
 * One line of the results table.
 * @param {object} spec
 * @param {string} spec.id stable key in results.json
 * @param {string} spec.label what was measured
 * @param {string} [spec.unit] default 'ms'
 * @param {number[]} spec.samples
 * @param {{ label: string, samples: number[], unit?: string }} [spec.baseline]
 * @param {{ ratio?: number, median?: number, p95?: number, max?: number, lowerIsBetter?: boolean }} [spec.goal]
 *   ratio: median/baseline median at most this; median/p95/max: absolute bounds
 * @param {string} [spec.note]
 */
export function figure({ id, label, unit = 'ms', samples, baseline, goal, note }) {
  const value = summarize(samples);
  const base = baseline
    ? { label: baseline.label, unit: baseline.unit ?? unit, ...summarize(baseline.samples) }
    : undefined;
  const ratio = base && base.median > 0 ? value.median / base.median : undefined;
  let met;
  if (goal) {
    met = true;
    if (goal.ratio !== undefined) met &&= ratio !== undefined && ratio <= goal.ratio;
    if (goal.median !== undefined) met &&= value.median <= goal.median;
    if (goal.p95 !== undefined) met &&= value.p95 <= goal.p95;
    if (goal.max !== undefined) met &&= Math.max(...samples) <= goal.max;
  }
  return { id, label, unit, value, baseline: base, ratio, goal, met, note };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** High-resolution now (5 µs steps on a cross-origin-isolated page). */
export const now = () => performance.now();
