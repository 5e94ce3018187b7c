// Python sessions from the built SDK in headless Chromium, as an app loads them: dist/sandcell.js
// as an ES module, the Python runtime from its default place (dist/python/, precompiled standard
// library), over a static server with the cross-origin-isolation headers.
//
//   cold     createSession({ language: 'python' }) → first result, on a fresh page (fetches the
//            runtime: 17 MB, then boots Pyodide in the session's frame)
//   warm     the same on the same page again (the page keeps the fetched bytes: boot only)
//   js       a JavaScript session's createSession → first result on that page, for scale
//   restart  a hard-path restart: interrupt of a native call (grace 0 ms) → result, state back
//
// Usage: npm run build && node bench/python-session.mjs [--runs 3]
import { existsSync } from 'node:fs';
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

const server = await startStaticServer({ root: ROOT, isolate: true });
const executablePath = chromiumExecutable();
const browser = await chromium.launch(executablePath ? { executablePath } : {});
const samples = { cold: [], warm: [], js: [], restart: [] };
try {
  for (let run = 0; run < runs; run++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/bench/page.html`);
    const times = await page.evaluate(async (sdk) => {
      const { createSession } = await import(sdk);
      const firstResult = async (options, code) => {
        const t0 = performance.now();
        const session = await createSession(options);
        const result = await session.execute(code);
        const ms = performance.now() - t0;
        if (result.status !== 'ok') throw new Error(JSON.stringify(result));
        return { session, ms };
      };
      const cold = await firstResult({ language: 'python' }, '1 + 1');
      await cold.session.close();
      const warm = await firstResult({ language: 'python', interruptGraceMs: 0 }, 'kept = 42');
      const js = await firstResult({}, '1 + 1');
      await js.session.close();
      const t0 = performance.now();
      const running = warm.session.execute('sum(range(10**15))');
      await new Promise((resolve) => setTimeout(resolve, 100));
      await warm.session.interrupt();
      const stopped = await running;
      const back = await warm.session.execute('kept');
      const restart = performance.now() - t0;
      if (!stopped.restarted || back.value !== 42) throw new Error('the hard path lost the state');
      await warm.session.close();
      return { cold: cold.ms, warm: warm.ms, js: js.ms, restart };
    }, `${server.url}/dist/sandcell.js`);
    for (const [key, value] of Object.entries(times)) samples[key].push(value);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
}
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const { loadavg } = await import('node:os');
console.log(
  `Python sessions from dist/ in Chromium (median of ${runs} pages, ms; load average ${loadavg()[0].toFixed(1)})`,
);
for (const [key, values] of Object.entries(samples)) {
  console.log(`  ${key.padEnd(8)} ${Math.round(median(values))}  (${values.map((v) => Math.round(v)).join(', ')})`);
}
console.log(`  cold / js: ${(median(samples.cold) / median(samples.js)).toFixed(1)}×`);
