/**
 * The built bundles outside the playground, the way apps load them: `dist/sandcell.iife.js`
 * by script tag, `dist/sandcell.js` as an ES module, and both without cross-origin isolation.
 */
import assert from 'node:assert/strict';
import { test } from './harness.mjs';

/**
 * @param {import('playwright').Page} page
 * @returns {Promise<{ status: string; repr?: string; isolated: boolean; shared?: boolean }>}
 */
async function pageResult(page) {
  await page.waitForSelector('body[data-done="1"]', { timeout: 15_000 });
  const text = await page.textContent('#result');
  assert.ok(text && !text.startsWith('error:'), `the page reported ${text}`);
  return JSON.parse(text);
}

/**
 * Runs `body` on a fresh page, then closes it and fails on any uncaught error in the page.
 * @param {import('playwright').Browser} browser
 * @param {(page: import('playwright').Page, loaded: string[]) => Promise<void>} body
 *   `loaded`: the paths this page requested (tests run in parallel, so not the server's log)
 */
export async function withBundlePage(browser, body) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  const loaded = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('request', (request) => loaded.push(new URL(request.url()).pathname));
  try {
    await body(page, loaded);
  } finally {
    await context.close();
  }
  assert.deepEqual(errors, [], 'uncaught errors in the page');
}

/**
 * @param {() => import('playwright').Browser} browser
 * @param {{ isolated: { url: string }; plain: { url: string } }} servers
 *   both serve the repository root; `isolated` sends COOP/COEP, `plain` does not.
 */
export function registerBundleTests(browser, servers) {
  const withPage = (body) => withBundlePage(browser(), body);

  test('IIFE bundle by <script> runs a cell (worker inlined)', async () => {
    await withPage(async (page, loaded) => {
      await page.goto(`${servers.isolated.url}/e2e/pages/iife.html`);
      const result = await pageResult(page);
      assert.equal(result.status, 'ok');
      assert.match(result.repr ?? '', /2,4,6/);
      // Shared memory wherever the engine has it (Debian's WebKitGTK has no SharedArrayBuffer).
      assert.equal(result.isolated, result.shared);
      assert.equal(typeof result.shared, 'boolean');
      assert.ok(
        !loaded.some((path) => path.includes('worker')),
        `the IIFE fetched a worker file: ${loaded.join(', ')}`,
      );
    });
  });

  test('IIFE bundle defines globalThis.Sandcell with the public exports', async () => {
    await withPage(async (page) => {
      await page.goto(`${servers.plain.url}/e2e/pages/iife.html`);
      await pageResult(page);
      const names = await page.evaluate(() => Object.keys(/** @type {object} */ (globalThis.Sandcell)).sort());
      for (const name of ['createSession', 'SessionManager', 'renderDisplay', 'listSnapshots', 'deleteSnapshot']) {
        assert.ok(names.includes(name), `Sandcell.${name} is missing (has ${names.join(', ')})`);
      }
    });
  });

  test('ESM bundle by import runs a cell (worker file beside it)', async () => {
    await withPage(async (page, loaded) => {
      await page.goto(`${servers.isolated.url}/e2e/pages/esm.html`);
      const result = await pageResult(page);
      assert.equal(result.status, 'ok');
      assert.match(result.repr ?? '', /2,4,6/);
      // Shared memory wherever the engine has it (Debian's WebKitGTK has no SharedArrayBuffer).
      assert.equal(result.isolated, result.shared);
      assert.equal(typeof result.shared, 'boolean');
      assert.ok(
        loaded.some((path) => /^\/dist\/sandcell\.worker.*\.js$/.test(path)),
        `no worker file was loaded from dist/: ${loaded.join(', ')}`,
      );
    });
  });

  test('without COOP/COEP: cells run, crossOriginIsolated is false, while(true) still stops', async () => {
    await withPage(async (page) => {
      await page.goto(`${servers.plain.url}/e2e/pages/esm.html`);
      const first = await pageResult(page);
      assert.equal(first.status, 'ok');
      assert.equal(first.isolated, false);
      const outcome = await page.evaluate(async () => {
        const sdk = /** @type {typeof import('../lib/index.ts')} */ (Reflect.get(window, 'sandcell'));
        const session = await sdk.createSession({ interruptGraceMs: 300 });
        try {
          const running = session.execute('let spins = 0;\nwhile (true) { spins++; }');
          await new Promise((done) => setTimeout(done, 300));
          await session.interrupt();
          const interrupted = await running;
          const after = await session.execute('6 * 7');
          const timedOut = await session.execute('while (true) {}', { timeoutMs: 400 });
          const again = await session.execute('"still " + "here"');
          return {
            isolated: session.crossOriginIsolated,
            interrupted: interrupted.status,
            after: after.value,
            timedOut: timedOut.status,
            again: again.value,
          };
        } finally {
          await session.close();
        }
      });
      assert.equal(outcome.isolated, false);
      assert.equal(outcome.interrupted, 'interrupted');
      assert.equal(outcome.after, 42);
      assert.equal(outcome.timedOut, 'timeout');
      assert.equal(outcome.again, 'still here');
    });
  });
}
