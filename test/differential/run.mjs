// `npm run differential`: the whole corpus through sandcell and through the DevTools console's
// evaluator in one headless Chromium; prints every disagreement and the agreement overall and by
// category, and writes the JSON report (test/differential/report.json, not committed).
//
//   node test/differential/run.mjs [--only=tdz,closures] [--id=tdz/self-reference,…] [--slice]
//                                  [--concurrency=2] [--report=path.json] [--update-baseline]
//
// --slice runs only the fast slice of slice.json (what npm test runs); with --update-baseline it
// also rewrites slice.json's `agreeing` list from this run (do it when a change made more agree).
// dist/ must be built: `npm run differential` builds it first.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../e2e/browser.mjs';
import { startStaticServer } from '../../e2e/static-server.mjs';
import { corpus } from './corpus/index.mjs';
import { intended as intendedList } from './intended.mjs';
import { formatDisagreement, formatSummary } from './report.mjs';
import { indexIntended, runDifferential, summarize } from './runner.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const slicePath = fileURLToPath(new URL('./slice.json', import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? true];
  }),
);
if (!existsSync(`${root}dist/sandcell.js`)) {
  console.error(
    '[sandcell] differential: dist/sandcell.js is missing — run `npm run build` first (npm run differential does)',
  );
  process.exit(1);
}
if (args['update-baseline'] && !args.slice) {
  console.error('[sandcell] differential: --update-baseline rewrites the slice baseline, so it needs --slice');
  process.exit(1);
}

const slice = JSON.parse(await readFile(slicePath, 'utf8'));
let sequences = corpus;
if (args.slice) sequences = sequences.filter((s) => slice.ids.includes(s.id));
if (typeof args.only === 'string') {
  const only = args.only.split(',');
  sequences = sequences.filter((s) => only.some((c) => s.id.startsWith(`${c}/`)));
}
if (typeof args.id === 'string') {
  const ids = args.id.split(',');
  sequences = sequences.filter((s) => ids.includes(s.id));
}
if (sequences.length === 0) {
  console.error('[sandcell] differential: no sequence matches the filters');
  process.exit(1);
}

const intended = indexIntended(intendedList, new Set(corpus.map((s) => s.id)));
const server = await startStaticServer({ root, isolate: true });
// The console side speaks CDP: Chromium only.
const browser = await launchBrowser('chromium');
const started = performance.now();
let done = 0;
let results;
try {
  results = await runDifferential({
    browser,
    pageUrl: `${server.url}/test/differential/page.html`,
    sequences,
    intended,
    concurrency: Number(args.concurrency ?? 2),
    onResult: () => {
      done++;
      if (process.stderr.isTTY) process.stderr.write(`\r${done}/${sequences.length}`);
    },
  });
} finally {
  await browser.close();
  await server.close();
}
const seconds = (performance.now() - started) / 1000;
if (process.stderr.isTTY) process.stderr.write('\n');

const summary = summarize(results);
for (const r of results) if (r.verdict === 'differ') console.log(formatDisagreement(r));
console.log(formatSummary(summary));
const cells = results.reduce((n, r) => n + r.cells.length, 0);
console.log(`${sequences.length} sequences, ${cells} cells in ${seconds.toFixed(1)} s`);

// Cells of the robustness category are up to 200 kB: the report keeps their start.
const shorten = (cell) => (cell.length > 2000 ? `${cell.slice(0, 2000)}… (${cell.length} characters)` : cell);
const reportPath = typeof args.report === 'string' ? args.report : `${root}test/differential/report.json`;
const report = {
  date: new Date().toISOString(),
  seconds: Math.round(seconds),
  summary,
  results: results.map((r) => ({ ...r, cells: r.cells.map(shorten) })),
};
await writeFile(reportPath, `${JSON.stringify(report, null, 1)}\n`);
console.log(`report: ${reportPath}`);

if (args['update-baseline']) {
  const agreeing = results.filter((r) => r.verdict !== 'differ').map((r) => r.id);
  await writeFile(slicePath, `${JSON.stringify({ ...slice, agreeing }, null, 2)}\n`);
  console.log(`slice baseline: ${agreeing.length} of ${results.length} agree (written to ${slicePath})`);
}
