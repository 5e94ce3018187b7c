/**
 * Runs cell sequences on both sides — sandcell through its public API, the DevTools console's
 * evaluator over CDP — in one Chromium, and compares them cell by cell.
 *
 * A sequence agrees when every cell's normalized outcome (normalize.mjs) is the console's, or, for
 * a cell listed in intended.mjs, exactly the sandcell behaviour documented there.
 */
import { ConsoleSide } from './console.mjs';
import { differences } from './normalize.mjs';

/**
 * @typedef {{ id: string; cells: string[]; note?: string }} Sequence
 * @typedef {import('./console.mjs').Outcome} Outcome
 * @typedef {{ key: string; reason: string; sandcell: Record<string, Array<Partial<Outcome> | null>> }} Intended
 * @typedef {{
 *   id: string; category: string; cells: string[]; verdict: 'agree' | 'intended' | 'differ';
 *   intended?: string; console: Outcome[]; sandcell: Outcome[];
 *   differing: Array<{ cell: number; aspects: string[]; expected: Partial<Outcome> }>;
 *   ms?: { console: number; sandcell: number };
 * }} SequenceResult
 */

/** @param {string} id */
export const categoryOf = (id) => id.slice(0, id.indexOf('/'));

/**
 * Which documented sandcell outcome, if any, replaces the console's for each sequence id.
 * @param {Intended[]} intended
 * @param {Set<string>} knownIds every id in the corpus: an entry naming another id is a mistake
 * @returns {Map<string, { key: string; cells: Array<Partial<Outcome> | null> }>}
 */
export function indexIntended(intended, knownIds) {
  const byId = new Map();
  for (const entry of intended) {
    for (const [id, cells] of Object.entries(entry.sandcell)) {
      if (!knownIds.has(id))
        throw new Error(`[sandcell] differential: intended.mjs (${entry.key}) names ${id}, which is not in the corpus`);
      if (byId.has(id)) throw new Error(`[sandcell] differential: intended.mjs lists ${id} twice`);
      byId.set(id, { key: entry.key, cells });
    }
  }
  return byId;
}

/**
 * Compares one sequence's two runs.
 * @param {Sequence} sequence
 * @param {Outcome[]} consoleSide
 * @param {Outcome[]} sandcellSide
 * @param {{ key: string; cells: Array<Partial<Outcome> | null> } | undefined} intended
 * @returns {SequenceResult}
 */
export function compareSequence(sequence, consoleSide, sandcellSide, intended) {
  const differing = [];
  let usedIntended = false;
  sequence.cells.forEach((_, i) => {
    const documented = intended?.cells[i] ?? null;
    const expected = documented ?? consoleSide[i];
    const aspects = differences(expected, sandcellSide[i]);
    if (aspects.length > 0) differing.push({ cell: i, aspects, expected });
    else if (documented && differences(consoleSide[i], sandcellSide[i]).length > 0) usedIntended = true;
  });
  /** @type {SequenceResult['verdict']} */
  const verdict = differing.length > 0 ? 'differ' : usedIntended ? 'intended' : 'agree';
  return {
    id: sequence.id,
    category: categoryOf(sequence.id),
    cells: sequence.cells,
    verdict,
    ...(intended ? { intended: intended.key } : {}),
    console: consoleSide,
    sandcell: sandcellSide,
    differing,
  };
}

/**
 * Opens the differential page and runs `sequences`, `concurrency` at a time.
 * @param {{
 *   browser: import('playwright').Browser; pageUrl: string; sequences: Sequence[];
 *   intended: Map<string, { key: string; cells: Array<Partial<Outcome> | null> }>;
 *   concurrency?: number; cellTimeoutMs?: number; onResult?: (result: SequenceResult) => void;
 * }} options
 * @returns {Promise<SequenceResult[]>} in corpus order
 */
export async function runDifferential({
  browser,
  pageUrl,
  sequences,
  intended,
  concurrency = 2,
  cellTimeoutMs = 20_000,
  onResult,
}) {
  const { page, pageErrors, close } = await openDifferentialPage(browser, pageUrl);
  try {
    const consoleSide = await ConsoleSide.open(page);
    // Worker creation and attachment one at a time: the target is found by its name.
    let attaching = Promise.resolve();
    const attach = () => {
      const attached = attaching.then(() => consoleSide.attachWorker());
      attaching = attached.then(
        () => {},
        () => {},
      );
      return attached;
    };
    const results = new Array(sequences.length);
    let next = 0;
    async function lane() {
      while (next < sequences.length) {
        const index = next++;
        const sequence = sequences[index];
        const timed = async (run) => {
          const t0 = performance.now();
          const outcomes = await run();
          return { outcomes, ms: Math.round(performance.now() - t0) };
        };
        const [onConsole, onSandcell] = await Promise.all([
          timed(() => consoleSide.runSequence(sequence.cells, { cellTimeoutMs, attach })),
          timed(() =>
            page.evaluate(
              ([cells, timeoutMs]) => window.runSandcellSequence(cells, timeoutMs),
              [sequence.cells, cellTimeoutMs],
            ),
          ),
        ]);
        const result = compareSequence(sequence, onConsole.outcomes, onSandcell.outcomes, intended.get(sequence.id));
        result.ms = { console: onConsole.ms, sandcell: onSandcell.ms };
        results[index] = result;
        onResult?.(result);
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
    if (pageErrors.length > 0) throw new Error(`[sandcell] differential: the page threw: ${pageErrors.join('; ')}`);
    return results;
  } finally {
    await close();
  }
}

/**
 * The differential page (page.html) in a fresh context, once its sandcell side is ready. Any
 * engine: the console side, which needs CDP, is attached by the caller.
 * @param {import('playwright').Browser} browser
 * @param {string} pageUrl
 * @returns {Promise<{ page: import('playwright').Page; pageErrors: string[]; close: () => Promise<void> }>}
 *   `pageErrors` fills as the page throws; `close` ends the context
 */
export async function openDifferentialPage(browser, pageUrl) {
  const context = await browser.newContext();
  const pageErrors = [];
  try {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(pageUrl);
    await page.waitForFunction(() => Reflect.get(window, 'differentialReady') === true, undefined, {
      timeout: 15_000,
    });
    return { page, pageErrors, close: () => context.close() };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/**
 * Agreement figures: overall and by category.
 * @param {SequenceResult[]} results
 */
export function summarize(results) {
  /** @type {Record<string, { total: number; agree: number; intended: number; differ: number }>} */
  const byCategory = {};
  const overall = { total: 0, agree: 0, intended: 0, differ: 0 };
  for (const r of results) {
    byCategory[r.category] ??= { total: 0, agree: 0, intended: 0, differ: 0 };
    for (const bucket of [overall, byCategory[r.category]]) {
      bucket.total++;
      bucket[r.verdict]++;
    }
  }
  const percent = (b) => (b.total === 0 ? 100 : (100 * (b.agree + b.intended)) / b.total);
  return {
    overall: { ...overall, percent: percent(overall) },
    byCategory: Object.fromEntries(Object.entries(byCategory).map(([k, b]) => [k, { ...b, percent: percent(b) }])),
  };
}
