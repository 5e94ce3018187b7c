/**
 * Python sessions from the one-file IIFE build: the script carries JavaScript sessions only,
 * and a Python session imports the ES module build's `sandcell.python-worker.js` and fetches
 * the runtime (`python/`) from the folder the script was served from.
 */
import assert from 'node:assert/strict';
import { withBundlePage } from './bundles.mjs';
import { test } from './harness.mjs';

/**
 * @param {() => import('playwright').Browser} browser
 * @param {{ isolated: { url: string } }} servers serves the repository root with COOP/COEP
 */
export function registerPythonBundleTests(browser, servers) {
  const name = 'IIFE bundle by <script> runs a Python cell (worker and runtime loaded from beside the script)';
  test(
    name,
    async () => {
      await withBundlePage(browser(), async (page, loaded) => {
        await page.goto(`${servers.isolated.url}/e2e/pages/iife-python.html`);
        // A Python boot: seconds on an idle machine, tens of them on a loaded one.
        await page.waitForSelector('body[data-done="1"]', { timeout: 150_000 });
        const text = (await page.textContent('#result')) ?? '';
        assert.ok(!text.startsWith('error:'), `the page reported ${text}`);
        assert.deepEqual(JSON.parse(text), { status: 'ok', value: ['2,4,6', 3] });
        for (const file of [
          '/dist/sandcell.python-worker.js',
          '/dist/python/pyodide.asm.wasm',
          '/dist/python/python_stdlib.zip',
        ])
          assert.ok(loaded.includes(file), `${file} was not loaded (loaded: ${loaded.join(', ')})`);
      });
    },
    { timeoutMs: 180_000 },
  );
}
