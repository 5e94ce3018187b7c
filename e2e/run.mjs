/**
 * End-to-end tests in a real browser (Chromium unless `E2E_BROWSER` says otherwise): the
 * playground (built here from `demo/`), the bundles in `dist/` (built by `npm run build`
 * before this runs), and consumer apps built from the packed tarball with each mainstream
 * toolchain (`e2e/consumers/`). Prints `N passed, M failed` and exits non-zero on any failure.
 *
 *   node e2e/run.mjs            all tests
 *   E2E_ONLY=IIFE node e2e/run.mjs   tests whose name contains "IIFE"
 *   E2E_ONLY=consumer node e2e/run.mjs  the consumer apps only (the demo is not built)
 *   E2E_SKIP_DEMO_BUILD=1 …          reuse demo/dist from an earlier run
 *   E2E_CONCURRENCY=1 …              one test at a time (default 2; each test has its own context)
 *   E2E_BROWSER=firefox|webkit …     another engine (see e2e/browser.mjs; webkit: one test at a time)
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchBrowser, selectedEngine } from './browser.mjs';
import { registerBundleTests } from './bundles.mjs';
import { registerPythonBundleTests } from './bundles-python.mjs';
import { registerConsumerTests } from './consumers/consumers.mjs';
import { registerDifferentialTests } from './differential.mjs';
import { run } from './harness.mjs';
import { registerHostingTests } from './hosting.mjs';
import { registerPlaygroundTests } from './playground.mjs';
import { registerPlaygroundPythonTests } from './playground-python.mjs';
import { registerSessionTests } from './sessions.mjs';
import { startStaticServer } from './static-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const demoDist = fileURLToPath(new URL('../demo/dist', import.meta.url));
const started = performance.now();

if (!existsSync(`${root}dist/sandcell.js`) || !existsSync(`${root}dist/sandcell.iife.js`)) {
  console.error('[sandcell] dist/ is missing: run `npm run build` first (or `npm run test:e2e`, which does both)');
  process.exit(1);
}

const only = process.env.E2E_ONLY;
// Consumer apps bring their own toolchains; only the playground tests need demo/dist.
const needsDemo = !only?.startsWith('consumer');
if (needsDemo && (!process.env.E2E_SKIP_DEMO_BUILD || !existsSync(demoDist))) {
  await build({ configFile: fileURLToPath(new URL('../demo/vite.config.ts', import.meta.url)), logLevel: 'warn' });
}

const engine = selectedEngine();
const servers = {
  // The repository root, so pages in e2e/pages/ reach ../../dist/ as an app's page would.
  isolated: await startStaticServer({ root, isolate: true }),
  plain: await startStaticServer({ root, isolate: false }),
  // Over WebDriver the playground's errors are read from the page (webdriver-page.mjs).
  demo: await startStaticServer({ root: demoDist, isolate: true, recordErrors: engine === 'webkit' }),
  demoPlain: await startStaticServer({ root: demoDist, isolate: false, recordErrors: engine === 'webkit' }),
};
const browser = await launchBrowser(engine, { requestLogs: Object.values(servers) });
// Over WebDriver, `request` events come from the servers' logs: only one test may run at a time.
const concurrency = engine === 'webkit' ? 1 : Number(process.env.E2E_CONCURRENCY ?? 2);

/** @type {Promise<import('playwright').Browser> | undefined} */
let darkFirefox;
registerPlaygroundTests(() => browser, servers.demo, servers.demoPlain, {
  // Firefox cannot emulate a colour scheme per context: the dark-mode test gets a Firefox of its own.
  darkBrowser:
    engine === 'firefox'
      ? () => {
          darkFirefox ??= launchBrowser('firefox', { requestLogs: [], prefersDark: true });
          return darkFirefox;
        }
      : undefined,
});
registerPlaygroundPythonTests(() => browser, servers.demo);
registerBundleTests(() => browser, servers);
registerPythonBundleTests(() => browser, servers);
registerHostingTests(() => browser, servers);
registerSessionTests(() => browser, servers);
registerDifferentialTests(() => browser, servers, { engine });
const consumers = registerConsumerTests(() => browser);

let failed = 1;
try {
  failed = await run({ only, concurrency });
} finally {
  await consumers.cleanup();
  await browser.close();
  await darkFirefox?.then((dark) => dark.close());
  await Promise.all(Object.values(servers).map((server) => server.close()));
  console.log(`(e2e in ${engine} ${browser.version()} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exitCode = failed === 0 ? 0 : 1;
