// Where a Python session's cold start goes, in headless Chromium, from the built SDK (dist/,
// precompiled standard library in dist/python/) over a static server that lets the browser cache
// (Cache-Control: max-age), so each run measures a cold HTTP cache and then a warm one:
//
//   fetched   createSession() → the runtime's files are on the page (resource timing: the Python
//             loader chunk, the worker bundle, pyodide.asm.wasm, python_stdlib.zip, the lock file)
//   ready     → createSession() resolves: the frame and worker start, the 17 MB are cloned into the
//             worker, Pyodide boots (wasm compile + instantiate, interpreter start, the standard
//             library's imports), the engine is imported and the policy installed
//   first     → the first execute('1 + 1') result
//   compile   WebAssembly.compile() of pyodide.asm.wasm's bytes on the page, alone: the share of
//             `ready` that compiling the wasm takes (the worker compiles the same bytes)
//
// The pyodide memory snapshot that would skip most of `ready` rests on options Pyodide marks
// private (`_makeSnapshot`/`_loadSnapshot`, `makeMemorySnapshot` is @private in 314.0.7): not used.
//
// Usage: npm run build && node bench/python-cold-start.mjs [--runs 3]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { startStaticServer } from '../e2e/static-server.mjs';
import { chromiumExecutable } from '../scripts/dev-env.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 3;
if (!existsSync(join(ROOT, 'dist/python/python_stdlib.zip')) || !existsSync(join(ROOT, 'dist/sandcell.js')))
  throw new Error('[sandcell] run `npm run build` first: dist/ and dist/python/ are needed');

const server = await startStaticServer({
  root: ROOT,
  isolate: true,
  headers: { 'Cache-Control': 'public, max-age=3600' },
});
const executablePath = chromiumExecutable();
/** @type {Record<'cold' | 'warm', Array<Record<string, number>>>} */
const samples = { cold: [], warm: [] };

/** @param {import('playwright').Page} page */
async function measure(page) {
  await page.goto(`${server.url}/bench/page.html`);
  return page.evaluate(async (sdk) => {
    const { createSession } = await import(sdk);
    const t0 = performance.now();
    const session = await createSession({ language: 'python' });
    const ready = performance.now() - t0;
    const result = await session.execute('1 + 1');
    const first = performance.now() - t0;
    if (result.status !== 'ok') throw new Error(JSON.stringify(result));
    await session.close();
    const runtime = performance
      .getEntriesByType('resource')
      .filter((entry) =>
        /python-worker|python-files|pyodide\.asm\.wasm|python_stdlib\.zip|pyodide-lock\.json/.test(entry.name),
      );
    const fetched = Math.max(...runtime.map((entry) => entry.responseEnd)) - t0;
    const fromNetwork = runtime.reduce((sum, entry) => sum + (entry.transferSize ?? 0), 0);
    const bytes = await (await fetch(new URL('../dist/python/pyodide.asm.wasm', location.href))).arrayBuffer();
    const c0 = performance.now();
    await WebAssembly.compile(bytes);
    const compile = performance.now() - c0;
    return { fetched, ready, first, compile, transferredMB: fromNetwork / 1e6 };
  }, `${server.url}/dist/sandcell.js`);
}

try {
  for (let run = 0; run < runs; run++) {
    // A profile on disk: an incognito context's in-memory cache keeps no 7–10 MB entries.
    const profile = mkdtempSync(join(tmpdir(), 'sandcell-cold-start-'));
    const context = await chromium.launchPersistentContext(profile, executablePath ? { executablePath } : {});
    try {
      samples.cold.push(await measure(await context.newPage()));
      // A new page of the same profile: the HTTP cache is warm, the page's own memory is not.
      samples.warm.push(await measure(await context.newPage()));
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }
} finally {
  await server.close();
}

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(
  `Python cold start from dist/ in Chromium (median of ${runs}, ms from createSession(); load average ${loadavg()[0].toFixed(1)})`,
);
for (const [cache, rows] of Object.entries(samples)) {
  const m = (key) => median(rows.map((row) => row[key]));
  const boot = m('ready') - m('fetched');
  console.log(
    `  ${cache} HTTP cache: runtime fetched ${Math.round(m('fetched'))}, ready ${Math.round(m('ready'))} (boot ${Math.round(boot)}), first result ${Math.round(m('first'))}; wasm compile alone ${Math.round(m('compile'))} (${Math.round((100 * m('compile')) / boot)}% of boot); ${m('transferredMB').toFixed(1)} MB over the network`,
  );
}
