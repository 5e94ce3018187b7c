/**
 * End-to-end tests in real Chromium: the playground (built here from `demo/`) and the
 * bundles in `dist/` (built by `npm run build` before this runs). Prints `N passed, M failed`
 * and exits non-zero on any failure.
 *
 *   node e2e/run.mjs            all tests
 *   E2E_ONLY=IIFE node e2e/run.mjs   tests whose name contains "IIFE"
 *   E2E_SKIP_DEMO_BUILD=1 …          reuse demo/dist from an earlier run
 *   E2E_CONCURRENCY=1 …              one test at a time (default 2; each test has its own context)
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { launchChromium } from './browser.mjs';
import { registerBundleTests } from './bundles.mjs';
import { registerDifferentialTests } from './differential.mjs';
import { run } from './harness.mjs';
import { registerPlaygroundTests } from './playground.mjs';
import { registerSessionTests } from './sessions.mjs';
import { startStaticServer } from './static-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const demoDist = fileURLToPath(new URL('../demo/dist', import.meta.url));
const started = performance.now();

if (!existsSync(`${root}dist/sandcell.js`) || !existsSync(`${root}dist/sandcell.iife.js`)) {
  console.error('[sandcell] dist/ is missing: run `npm run build` first (or `npm run test:e2e`, which does both)');
  process.exit(1);
}

if (!process.env.E2E_SKIP_DEMO_BUILD || !existsSync(demoDist)) {
  await build({ configFile: fileURLToPath(new URL('../demo/vite.config.ts', import.meta.url)), logLevel: 'warn' });
}

const servers = {
  // The repository root, so pages in e2e/pages/ reach ../../dist/ as an app's page would.
  isolated: await startStaticServer({ root, isolate: true }),
  plain: await startStaticServer({ root, isolate: false }),
  demo: await startStaticServer({ root: demoDist, isolate: true }),
  demoPlain: await startStaticServer({ root: demoDist, isolate: false }),
};
const browser = await launchChromium();

registerPlaygroundTests(() => browser, servers.demo, servers.demoPlain);
registerBundleTests(() => browser, servers);
registerSessionTests(() => browser, servers);
registerDifferentialTests(() => browser, servers);

let failed = 1;
try {
  failed = await run({ only: process.env.E2E_ONLY, concurrency: Number(process.env.E2E_CONCURRENCY ?? 2) });
} finally {
  await browser.close();
  await Promise.all(Object.values(servers).map((server) => server.close()));
  console.log(`(e2e took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exitCode = failed === 0 ? 0 : 1;
