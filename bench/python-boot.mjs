// Cold start of the Python runtime in Node, without a worker: loadPyodide → first runPython result,
// and → first engine result (engine zip unpacked, create_engine, execute('1 + 1')). Each sample is
// a fresh Node process, so nothing is warm but the OS file cache.
//
// Usage: node bench/python-boot.mjs [--runs 5] [--variant name=indexURL ...]
// Default variants: stock (node_modules/pyodide) and precompiled (dist/python, `npm run build:python`).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);

if (args[0] === '--sample') {
  const [, indexURL, engineZip] = args;
  const { loadPyodide } = await import(join(indexURL, 'pyodide.mjs'));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const pyodide = await loadPyodide({ indexURL: `${indexURL}/` });
  const first = pyodide.runPython('1 + 1');
  const t1 = performance.now();
  pyodide.unpackArchive(new Uint8Array(readFileSync(engineZip)), 'zip', { extractDir: '/sandcell' });
  pyodide.pyimport('sys').path.insert(0, '/sandcell');
  const hooks = { write() {}, display() {}, callHost: async () => null, capabilities: [] };
  const engine = pyodide.pyimport('sandcell_engine').create_engine(hooks, 100);
  const result = engine.execute('1 + 1');
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  if (first !== 2 || result.value !== 2) throw new Error('wrong first result');
  // CPU time (all of the process's threads) is printed too: on a busy machine wall time is mostly waiting.
  console.log(JSON.stringify({ runPython: t1 - t0, engine: t2 - t0, cpu: (cpu.user + cpu.system) / 1000 }));
  process.exit(0);
}

const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const require = createRequire(import.meta.url);
const engineZip = join(ROOT, 'dist/python/sandcell_engine.zip');
const variants = args.flatMap((arg, i) => (args[i - 1] === '--variant' ? [arg.split('=')] : []));
if (variants.length === 0) {
  variants.push(
    ['stock', dirname(require.resolve('pyodide/package.json'))],
    ['precompiled', join(ROOT, 'dist/python')],
  );
}
if (!existsSync(engineZip))
  throw new Error('[sandcell] run `npm run build:python` first: dist/python/sandcell_engine.zip is missing');

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = {};
for (let run = 0; run < runs; run++) {
  // Interleaved, so load on a shared machine hits every variant alike.
  for (const [name, indexURL] of variants) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--sample', indexURL, engineZip]);
    (rows[name] ??= []).push(JSON.parse(out.toString()));
  }
}
console.log(`Python cold start in Node (median of ${runs} fresh processes, ms)`);
for (const [name, samples] of Object.entries(rows)) {
  const runPython = median(samples.map((s) => s.runPython));
  const engine = median(samples.map((s) => s.engine));
  const cpu = median(samples.map((s) => s.cpu));
  console.log(
    `  ${name.padEnd(14)} loadPyodide → runPython: ${runPython.toFixed(0).padStart(6)}   → engine result: ${engine.toFixed(0).padStart(6)}   CPU: ${cpu.toFixed(0).padStart(6)}`,
  );
}
