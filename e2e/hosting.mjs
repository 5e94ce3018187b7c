/**
 * Where sessions run, from an app's page: the served frame document for a page with a strict
 * Content-Security-Policy, and the browser's wall on a page without cross-origin isolation.
 */
import assert from 'node:assert/strict';
import { test } from './harness.mjs';

/**
 * @param {() => import('playwright').Browser} browser
 * @param {{ isolated: { url: string; requests: string[] }; plain: { url: string; requests: string[] } }} servers
 */
export function registerHostingTests(browser, servers) {
  /** @param {(page: import('playwright').Page) => Promise<void>} body */
  async function withPage(body) {
    const context = await browser().newContext();
    const page = await context.newPage();
    try {
      await body(page);
    } finally {
      await context.close();
    }
  }

  test(
    'a page with a strict CSP: a clear error without frameURL, sessions work with the served frame document',
    async () => {
      await withPage(async (page) => {
        await page.goto(`${servers.isolated.url}/e2e/pages/strict-csp.html`);
        await page.waitForSelector('body[data-done="1"]', { timeout: 40_000 });
        const text = (await page.textContent('#result')) ?? '';
        assert.ok(!text.startsWith('error:'), text);
        const result = JSON.parse(text);
        assert.match(result.withoutFrameURL, /frameURL/);
        assert.equal(result.status, 'ok');
        assert.match(result.repr, /2,4,6/);
        assert.equal(result.origin, 'null');
        // Shared memory wherever the engine has it (Debian's WebKitGTK has no SharedArrayBuffer).
        assert.equal(result.isolated, result.shared);
        assert.equal(typeof result.shared, 'boolean');
      });
    },
    { timeoutMs: 60_000 },
  );

  test("without COOP/COEP: the frame still keeps every request in, by the other server's count", async () => {
    await withPage(async (page) => {
      await page.goto(`${servers.plain.url}/e2e/pages/esm.html`);
      await page.waitForSelector('body[data-done="1"]', { timeout: 15_000 });
      const mark = `escape-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const target = `${servers.isolated.url}/${mark}`;
      const outcome = await page.evaluate(async (url) => {
        const sdk = /** @type {typeof import('../lib/index.ts')} */ (Reflect.get(window, 'sandcell'));
        const session = await sdk.createSession({ policy: { network: false, storage: false, workers: true } });
        try {
          const settle = (expression) =>
            `try { await Promise.race([(async () => { ${expression} })(), new Promise((r) => setTimeout(r, 1000))]) } catch {} 'done'`;
          for (const cell of [
            settle(`await eval("import('${url}/eval.js')")`),
            settle(`await new Function("return import('${url}/function.js')")()`),
            settle(`await new FontFace('f', 'url(${url}/font)').load()`),
            settle(
              `const w = new Worker(URL.createObjectURL(new Blob(["fetch('${url}/nested')"], { type: 'text/javascript' }))); await new Promise((r) => setTimeout(r, 500)); w.terminate()`,
            ),
          ])
            await session.execute(cell);
          const origin = await session.execute('self.origin');
          return { isolated: session.crossOriginIsolated, origin: origin.value };
        } finally {
          await session.close();
        }
      }, target);
      assert.equal(outcome.isolated, false);
      assert.equal(outcome.origin, 'null');
      // A round trip to the same server after the attempts: anything they sent arrived before it.
      await page.evaluate((url) => fetch(url, { mode: 'no-cors' }).catch(() => {}), `${servers.isolated.url}/settle`);
      assert.deepEqual(
        servers.isolated.requests.filter((path) => path.includes(mark)),
        [],
      );
    });
  });
}
