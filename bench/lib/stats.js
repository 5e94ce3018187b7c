// Summaries of timing samples, the figure record every benchmark reports (a measurement
// paired with a baseline from the same run, their ratio, and the goal it is held to), and the
// method every pair is measured with: interleaved blocks in rounds (see `rounds`).

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
 * The bench's method. Each block repeats one operation `reps` times back to back (after
 * `warmup` untimed runs), so a baseline is measured in its own steady state — a bare echo
 * timed right after an execute finds its worker idle and cold, and takes twice as long.
 * A round runs every block once, in an order rotated from round to round, so drift in the
 * machine hits every block alike; the figure is the median of the rounds' medians, and the
 * spread of those round medians says how noisy the run was.
 *
 * @param {Record<string, (timed: boolean) => Promise<number>>} blocks name → one run, resolving
 *   with its time in ms (measured wherever is fairest: the page, or inside the worker); `timed`
 *   is false for warm-up runs
 * @param {{ rounds: number, reps: number, warmup?: number }} options
 * @returns {Promise<Record<string, { samples: number[], rounds: number[] }>>} per block: every
 *   timed sample, and each round's median
 */
export async function rounds(blocks, { rounds: count, reps, warmup = 3 }) {
  const names = Object.keys(blocks);
  const out = Object.fromEntries(names.map((name) => [name, { samples: [], rounds: [] }]));
  for (let round = 0; round < count; round++) {
    for (let b = 0; b < names.length; b++) {
      const name = names[(b + round) % names.length];
      const run = blocks[name];
      for (let i = 0; i < warmup; i++) await run(false);
      const times = [];
      for (let i = 0; i < reps; i++) times.push(await run(true));
      out[name].samples.push(...times);
      out[name].rounds.push(summarize(times).median);
    }
  }
  return out;
}

/**
 * One line of the results table.
 * @param {object} spec
 * @param {string} spec.id stable key in results.json
 * @param {string} spec.label what was measured
 * @param {string} [spec.unit] default 'ms'
 * @param {number[]} spec.samples
 * @param {number[]} [spec.rounds] each round's median (from `rounds`): the figure's median is
 *   then their median, and their range is reported as the spread
 * @param {{ label: string, samples: number[], rounds?: number[], unit?: string }} [spec.baseline]
 * @param {{ ratio?: number, median?: number, p95?: number, max?: number, lowerIsBetter?: boolean }} [spec.goal]
 *   ratio: median/baseline median at most this; median/p95/max: absolute bounds
 * @param {string} [spec.note]
 */
export function figure({ id, label, unit = 'ms', samples, rounds, baseline, goal, note }) {
  const value = withRounds(summarize(samples), rounds);
  const base = baseline
    ? {
        label: baseline.label,
        unit: baseline.unit ?? unit,
        ...withRounds(summarize(baseline.samples), baseline.rounds),
      }
    : undefined;
  const ratio = base && base.median > 0 ? value.median / base.median : undefined;
  // Each round's own ratio: their range says how far the ratio moved within this run.
  let ratioSpread;
  if (rounds && baseline?.rounds && rounds.length === baseline.rounds.length && rounds.length > 1) {
    const perRound = rounds.map((r, i) => r / baseline.rounds[i]).sort((a, b) => a - b);
    ratioSpread = [perRound[0], perRound[perRound.length - 1]];
  }
  let met;
  if (goal) {
    met = true;
    if (goal.ratio !== undefined) met &&= ratio !== undefined && ratio <= goal.ratio;
    if (goal.median !== undefined) met &&= value.median <= goal.median;
    if (goal.p95 !== undefined) met &&= value.p95 <= goal.p95;
    if (goal.max !== undefined) met &&= Math.max(...samples) <= goal.max;
  }
  return { id, label, unit, value, baseline: base, ratio, ratioSpread, goal, met, note };
}

/** A summary whose median is the median of the round medians, with their range as `spread`. */
function withRounds(summary, roundMedians) {
  if (!roundMedians || roundMedians.length === 0) return summary;
  const sorted = [...roundMedians].sort((a, b) => a - b);
  return {
    ...summary,
    median: summarize(sorted).median,
    spread: [sorted[0], sorted[sorted.length - 1]],
    rounds: sorted.length,
  };
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** High-resolution now (5 µs steps on a cross-origin-isolated page). */
export const now = () => performance.now();

/** Resolves with the time (`now()`) at which `session` next enters `state`. */
export function nextState(session, state) {
  return new Promise((resolve) => {
    const on = () => {
      if (session.state !== state) return;
      session.removeEventListener('state', on);
      resolve(now());
    };
    session.addEventListener('state', on);
  });
}
