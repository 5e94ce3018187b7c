// `npm run bench`: serves the built SDK and the bench pages cross-origin isolated, runs each
// suite in a fresh page of headless Chromium, prints a table and writes bench/results.json.
//
//   node bench/run.mjs [--quick] [--only=core,peer]      (BENCH_QUICK=1 = --quick)
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { chromium } from 'playwright';
import { chromiumExecutable } from '../scripts/dev-env.mjs';
import { formatNotes, formatTable } from './report.mjs';
import { startServer } from './server.mjs';

const SUITES = ['core', 'hosting', 'interrupts', 'snapshots', 'output', 'peer', 'render'];

const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1';
const onlyArg = args.find((a) => a.startsWith('--only='));
const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : SUITES;
for (const name of only) {
  if (!SUITES.includes(name))
    throw new Error(`[sandcell] bench: no suite ${JSON.stringify(name)}; known: ${SUITES.join(', ')}`);
}
if (!existsSync(new URL('../dist/sandcell.js', import.meta.url))) {
  throw new Error('[sandcell] bench: dist/sandcell.js is missing — run `npm run build` first (npm run bench does)');
}

const loadBefore = os.loadavg();
const server = await startServer();
const executablePath = chromiumExecutable();
const browser = await chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}) });
const started = Date.now();
const figures = [];
const failures = [];
try {
  for (const name of only) {
    const t0 = Date.now();
    const page = await browser.newPage();
    page.on('pageerror', (error) => console.error(`[${name}] page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') console.error(`[${name}] ${message.text()}`);
    });
    try {
      await page.goto(`${server.origin}/bench/page.html`);
      await page.waitForFunction(() => window.benchReady === true);
      const limitS = quick ? 120 : 300;
      let timer;
      const result = await Promise.race([
        page.evaluate(([suite, options]) => window.runSuite(suite, options), [name, { quick }]),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`did not finish within ${limitS} s`)), limitS * 1000);
        }),
      ]).finally(() => clearTimeout(timer));
      for (const f of result) figures.push({ suite: name, ...f });
      console.error(`[sandcell] bench: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (error) {
      failures.push({ suite: name, error: String(error?.message ?? error) });
      console.error(`[sandcell] bench: suite ${name} failed: ${error?.message ?? error}`);
    } finally {
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
}

const machine = {
  cpus: os.cpus().length,
  // Other processes share the cores: the load before and after the run says how quiet it was.
  loadBefore: loadBefore.map((l) => Number(l.toFixed(2))),
  loadAfter: os.loadavg().map((l) => Number(l.toFixed(2))),
  cpuModel: os.cpus()[0]?.model,
  memoryGB: Math.round(os.totalmem() / 2 ** 30),
  platform: `${os.platform()} ${os.release()}`,
  node: process.version,
  browser: `${browser.browserType().name()} ${browser.version()}`,
};
const results = {
  date: new Date().toISOString(),
  quick,
  machine,
  durationS: (Date.now() - started) / 1000,
  figures,
  failures,
};
// Quick runs (CI) go to a git-ignored file so they never overwrite the quotable full results.
const output = quick ? 'results.quick.json' : 'results.json';
await writeFile(new URL(`./${output}`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

console.log(
  `\nsandcell bench${quick ? ' (quick: few repetitions, not for quoting)' : ''} — ${machine.browser}, ${machine.cpus} cores (${machine.cpuModel}), ${machine.memoryGB} GB, load ${machine.loadBefore[0]} → ${machine.loadAfter[0]} (1-min average)\n`,
);
console.log(formatTable(figures));
const notes = formatNotes(figures);
if (notes) console.log(`\n${notes}`);
console.log(`\nwritten to bench/${output} in ${results.durationS.toFixed(0)} s`);
if (failures.length > 0) {
  console.error(`\n[sandcell] bench: ${failures.length} suite(s) failed: ${failures.map((f) => f.suite).join(', ')}`);
  process.exitCode = 1;
}
