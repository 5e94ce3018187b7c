/**
 * The differential test's fast slice (test/differential/slice.json): a few dozen cell sequences
 * run through sandcell and through the DevTools console's own evaluator in this Chromium. Every
 * sequence that agreed when the baseline was taken must still agree; sequences that newly agree
 * are reported, so the baseline can be raised (`node test/differential/run.mjs --slice --update-baseline`).
 * The whole corpus runs with `npm run differential`.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { corpus } from '../test/differential/corpus/index.mjs';
import { intended } from '../test/differential/intended.mjs';
import { formatDisagreement } from '../test/differential/report.mjs';
import { indexIntended, runDifferential } from '../test/differential/runner.mjs';
import { skip, test } from './harness.mjs';

/**
 * @param {() => import('playwright').Browser} browser
 * @param {{ isolated: { url: string } }} servers `isolated` serves the repository root with COOP/COEP
 * @param {{ skipReason?: string }} [options] `skipReason`: this browser cannot run it; list it as skipped
 */
export function registerDifferentialTests(browser, servers, options = {}) {
  const { skipReason } = options;
  /** @type {typeof test} */
  const register = skipReason ? (name) => skip(name, skipReason) : test;
  register(
    'differential slice: cells agree with the DevTools console at least as often as the baseline',
    async () => {
      const slice = JSON.parse(await readFile(new URL('../test/differential/slice.json', import.meta.url), 'utf8'));
      const sequences = corpus.filter((s) => slice.ids.includes(s.id));
      assert.equal(sequences.length, slice.ids.length, 'every id in slice.json names a corpus sequence');
      const results = await runDifferential({
        browser: browser(),
        pageUrl: `${servers.isolated.url}/test/differential/page.html`,
        sequences,
        intended: indexIntended(intended, new Set(corpus.map((s) => s.id))),
      });
      const agreeing = new Set(results.filter((r) => r.verdict !== 'differ').map((r) => r.id));
      const regressions = results.filter((r) => slice.agreeing.includes(r.id) && !agreeing.has(r.id));
      const improvements = [...agreeing].filter((id) => !slice.agreeing.includes(id));
      if (improvements.length > 0) {
        console.log(
          `      differential: ${improvements.length} more sequence(s) agree than in the baseline: ${improvements.join(', ')}` +
            '\n      (raise it: node test/differential/run.mjs --slice --update-baseline)',
        );
      }
      assert.deepEqual(
        regressions.map((r) => r.id),
        [],
        `sequences that agreed with the console no longer do:\n${regressions.map(formatDisagreement).join('\n')}`,
      );
    },
    { timeoutMs: 120_000 },
  );
}
