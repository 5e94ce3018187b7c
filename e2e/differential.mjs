/**
 * The differential test's fast slice (test/differential/slice.json): a few dozen cell sequences
 * run through sandcell and through the DevTools console's own evaluator in this Chromium. Every
 * sequence that agreed when the baseline was taken must still agree; sequences that newly agree
 * are reported, so the baseline can be raised (`node test/differential/run.mjs --slice --update-baseline`).
 * The whole corpus runs with `npm run differential`.
 *
 * In Firefox and WebKit there is no DevTools console to ask (it is Chromium's, over CDP). The
 * console's answers are then taken from a Chromium launched for this test, in the same run
 * (`runDifferential` there, as above), and sandcell's outcomes in the engine under test are
 * compared with them. What legitimately differs by engine is left out of the comparison, and
 * only that (`ENGINE_NEUTRAL`): an error's message (each engine words its own) and its position
 * (WebKit gives none for code run by `eval`, see the README; SpiderMonkey points some columns
 * elsewhere). Compared: the status, the value's rendering, the error's name.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { corpus } from '../test/differential/corpus/index.mjs';
import { intended } from '../test/differential/intended.mjs';
import { formatDisagreement } from '../test/differential/report.mjs';
import { compareSequence, indexIntended, openDifferentialPage, runDifferential } from '../test/differential/runner.mjs';
import { launchBrowser } from './browser.mjs';
import { test } from './harness.mjs';
import { startStaticServer } from './static-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Where the engine cannot parse `using` declarations (JavaScriptCore 2.50; feature-tested in the
 * page), what sandcell must do instead for the slice's sequences that use them: the cell is a
 * SyntaxError, and what it would have done is not done (`null`: as the console).
 */
const WITHOUT_USING = {
  'using/dispose-order': [null, { status: 'error', name: 'SyntaxError' }, { status: 'ok', value: '[]' }],
};

/**
 * An outcome without what each engine says its own way: an error's message and position.
 * @param {Record<string, unknown> | null} outcome
 */
function engineNeutral(outcome) {
  if (outcome?.status !== 'error') return outcome;
  const { message: _message, line: _line, column: _column, ...rest } = outcome;
  return rest;
}

/**
 * sandcell's side of each sequence, in the engine under test: the differential page's
 * `runSandcellSequence`, the same code the Chromium run uses.
 * @param {import('playwright').Browser} browser
 * @param {string} pageUrl
 * @param {Array<{ cells: string[] }>} sequences
 * @param {number} cellTimeoutMs
 */
async function sandcellOutcomes(browser, pageUrl, sequences, cellTimeoutMs) {
  const { page, pageErrors, close } = await openDifferentialPage(browser, pageUrl);
  try {
    const hasUsing = await page.evaluate(() => {
      try {
        new Function('{ using x = null; }');
        return true;
      } catch {
        return false;
      }
    });
    const outcomes = [];
    for (const sequence of sequences) {
      outcomes.push(
        await page.evaluate(
          ([cells, timeoutMs]) => Reflect.get(window, 'runSandcellSequence')(cells, timeoutMs),
          [sequence.cells, cellTimeoutMs],
        ),
      );
    }
    return { outcomes, pageErrors, hasUsing };
  } finally {
    await close();
  }
}

/**
 * @param {() => import('playwright').Browser} browser
 * @param {{ isolated: { url: string } }} servers `isolated` serves the repository root with COOP/COEP
 * @param {{ engine: 'chromium' | 'firefox' | 'webkit' }} options the engine `browser` is
 */
export function registerDifferentialTests(browser, servers, options) {
  const { engine } = options;
  const pageUrl = `${servers.isolated.url}/test/differential/page.html`;
  const name =
    engine === 'chromium'
      ? 'differential slice: cells agree with the DevTools console at least as often as the baseline'
      : `differential slice: cells in ${engine} agree with Chromium's DevTools console (run alongside) at least as often as the baseline, messages and positions aside`;
  test(
    name,
    async () => {
      const slice = JSON.parse(await readFile(new URL('../test/differential/slice.json', import.meta.url), 'utf8'));
      const sequences = corpus.filter((s) => slice.ids.includes(s.id));
      assert.equal(sequences.length, slice.ids.length, 'every id in slice.json names a corpus sequence');
      const documented = indexIntended(intended, new Set(corpus.map((s) => s.id)));
      let results;
      if (engine === 'chromium') {
        results = await runDifferential({ browser: browser(), pageUrl, sequences, intended: documented });
      } else {
        // Chromium's console side first (its own sandcell side is not used), then this engine's,
        // from a server that gives the page the error recorder a WebDriver run reads.
        const chromium = await launchBrowser('chromium', { requestLogs: [] });
        const server = await startStaticServer({ root: ROOT, isolate: true, recordErrors: true });
        let here;
        let reference;
        try {
          const url = `${server.url}/test/differential/page.html`;
          reference = await runDifferential({ browser: chromium, pageUrl: url, sequences, intended: documented });
          await chromium.close();
          here = await sandcellOutcomes(browser(), url, sequences, 20_000);
        } finally {
          await chromium.close();
          await server.close();
        }
        assert.deepEqual(here.pageErrors, [], `the differential page threw in ${engine}`);
        results = sequences.map((sequence, i) => {
          const withoutUsing = here.hasUsing ? undefined : WITHOUT_USING[sequence.id];
          const expected = withoutUsing
            ? { key: 'no-using-in-this-engine', cells: withoutUsing }
            : documented.get(sequence.id);
          return compareSequence(
            sequence,
            reference[i].console.map(engineNeutral),
            here.outcomes[i].map(engineNeutral),
            expected && { key: expected.key, cells: expected.cells.map(engineNeutral) },
          );
        });
      }
      const agreeing = new Set(results.filter((r) => r.verdict !== 'differ').map((r) => r.id));
      const regressions = results.filter((r) => slice.agreeing.includes(r.id) && !agreeing.has(r.id));
      const improvements = [...agreeing].filter((id) => !slice.agreeing.includes(id));
      if (improvements.length > 0 && engine === 'chromium') {
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
    { timeoutMs: engine === 'chromium' ? 120_000 : 240_000 },
  );
}
