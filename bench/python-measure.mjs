// Issue 13's "Measure" figures for Python sessions that bench/python-session.mjs (cold, warm,
// restart) does not take, each beside its baseline from the same run and page, in headless
// Chromium on a cross-origin-isolated page, from the built SDK (dist/, runtime in dist/python/):
//
//   roundtrip   execute('1') of a warm Python session, a warm JavaScript session and a bare
//               worker echo (bench/workers/bare-echo.js): interleaved blocks in rounds, the
//               median of the round medians (bench/lib/stats.js `rounds()`, the bench's method)
//   interrupt   interrupt() → result over N stops of a running `while True: pass`, and of a
//               loop that swallows every stop (`except BaseException: pass` around it). A stop is
//               lost when it took the hard path (result.restarted: the worker was killed after
//               interruptGraceMs, set to 5 s so a slow machine does not count as a lost stop) or
//               did not end within 30 s. Beside it, stock Pyodide's own recipe in a plain module
//               worker: loadPyodide() from dist/python/, pyodide.setInterruptBuffer(buf), the page
//               stores 2 (SIGINT) in buf[0] and times the KeyboardInterrupt that ends runPython();
//               against the swallowing loop a stop is lost when the KeyboardInterrupt arrived and
//               was caught (the loop keeps running; the cell counts catches and lets itself end
//               0.5 s after the first one, so the worker comes back)
//   stock-boot  that worker's loadPyodide() + runPython('1 + 1') from new Worker(), vs a Python
//               session's createSession() → first result, both with the runtime's bytes already
//               fetched once on the page (the stock worker fetches them itself, from localhost)
//   capability  `await host.echo(1)` in a loop of 200 inside one cell, per call, Python vs a
//               JavaScript session (the time taken inside the cell: perf_counter / performance.now)
//   print       a cell printing 100 000 lines (`print(i)`) → result, lines/s, and that every line
//               arrived once and in order through onOutput; a JavaScript session's console.log loop
//               beside it
//   pooled      SessionManager({ poolSize: 1 }).create() → first result, from a warm pool, Python
//               vs JavaScript sessions (3 each)
//   memory      PSS (proportional set size, /proc/<pid>/smaps_rollup, so shared pages are split
//               between the processes that share them) summed over every process of the browser
//               (launched with launchServer(), whose pid is the tree's root), before and after
//               opening K more Python sessions on the page, then K more JavaScript sessions:
//               Δ / K per session. Also the Pyodide wasm heap of one session (HEAP8.length, read
//               from inside through `pyodide_js`)
//
// The load average (`uptime`) is printed with every run: on a shared 2-core machine wall times
// move with it; the ratios are the steadier figures.
//
// Usage: npm run bench:python-measure [-- --stops 50 --sessions 2 --rounds 5]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import { startStaticServer } from '../e2e/static-server.mjs';
import { chromiumExecutable } from '../scripts/dev-env.mjs';
import { figure } from './lib/stats.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const STOPS = option('stops', 50);
const SESSIONS = option('sessions', 2);
const ROUNDS = option('rounds', 5);
if (!existsSync(join(ROOT, 'dist/python/python_stdlib.zip')) || !existsSync(join(ROOT, 'dist/sandcell.js')))
  throw new Error('[sandcell] run `npm run build` first: dist/ and dist/python/ are needed');

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const uptimes = [uptime()];
const log = (line) => console.log(line);
log(`start: ${uptimes[0]}`);

/** PSS in MB summed over `root` and all its descendants. */
function treePssMB(root) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
    } catch {}
  }
  const inTree = (pid) => {
    for (let p = pid; p > 1; p = parent.get(p) ?? 0) if (p === root) return true;
    return false;
  };
  let kB = 0;
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try {
      const match = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      if (match) kB += Number(match[1]);
    } catch {}
  }
  return kB / 1024;
}

const server = await startStaticServer({ root: ROOT, isolate: true });
const executablePath = chromiumExecutable();
const browserServer = await chromium.launchServer(executablePath ? { executablePath } : {});
const browser = await chromium.connect(browserServer.wsEndpoint());
const figures = [];
const notes = [];
try {
  const page = await (await browser.newContext()).newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') console.error(`page: ${message.text()}`);
  });
  await page.goto(`${server.url}/bench/page.html`);
  const base = server.url;

  // --- Sessions and baselines on one page ------------------------------------------------
  const start = await page.evaluate(async (base) => {
    const { createSession } = await import(`${base}/dist/sandcell.js`);
    const { startBare } = await import(`${base}/bench/lib/bare.js`);
    const capabilities = { echo: (x) => x };
    // The first Python session fetches the runtime onto the page; the figures use the second.
    const first = await createSession({ language: 'python' });
    await first.close();
    let t0 = performance.now();
    const py = await createSession({ language: 'python', capabilities, interruptGraceMs: 5000 });
    const r = await py.execute('1 + 1');
    const pyFirst = performance.now() - t0;
    if (r.status !== 'ok') throw new Error(JSON.stringify(r));
    const js = await createSession({ capabilities });
    const bare = await startBare({ echoOnly: true });
    globalThis.bench = { createSession, capabilities, py, js, bare };
    // Stock Pyodide in a plain module worker: its own recipe, nothing of sandcell's.
    const source = `
      import { loadPyodide } from '${base}/dist/python/pyodide.mjs';
      const pyodide = await loadPyodide({ indexURL: '${base}/dist/python/' });
      pyodide.globals.set('started', () => postMessage({ type: 'started' }));
      self.onmessage = (event) => {
        const { type, code, buffer } = event.data;
        if (type === 'buffer') return pyodide.setInterruptBuffer(buffer);
        try {
          const value = pyodide.runPython(code);
          postMessage({ type: 'done', value: typeof value === 'number' ? value : String(value) });
        } catch (error) {
          postMessage({ type: 'done', error: String(error.type ?? error.message) });
        }
      };
      postMessage({ type: 'ready' });`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    t0 = performance.now();
    const worker = new Worker(url, { type: 'module' });
    const next = (type) =>
      new Promise((resolve, reject) => {
        const on = (event) => {
          if (event.data?.type !== type) return;
          worker.removeEventListener('message', on);
          resolve(event.data);
        };
        worker.addEventListener('message', on);
        worker.addEventListener('error', (e) => reject(new Error(`stock worker: ${e.message}`)), { once: true });
      });
    await next('ready');
    worker.postMessage({ type: 'run', code: '1 + 1' });
    const one = await next('done');
    if (one.value !== 2) throw new Error(`stock worker: ${JSON.stringify(one)}`);
    const buffer = new Int32Array(new SharedArrayBuffer(4));
    worker.postMessage({ type: 'buffer', buffer });
    globalThis.bench.stock = { worker, next, buffer };
    return { pyFirst, stockFirst: performance.now() - t0 };
  }, base);
  log(
    `boot → first result (runtime fetched): session ${Math.round(start.pyFirst)} ms, stock loadPyodide+runPython ${Math.round(start.stockFirst)} ms`,
  );
  figures.push(
    figure({
      id: 'python.boot',
      label: "createSession({ language: 'python' }) → first result, runtime on the page",
      samples: [start.pyFirst],
      baseline: { label: 'stock loadPyodide() + runPython in a plain worker', samples: [start.stockFirst] },
    }),
  );

  // --- execute('1') round trip -------------------------------------------------------------
  const trip = await page.evaluate(
    async ({ base, ROUNDS }) => {
      const { rounds } = await import(`${base}/bench/lib/stats.js`);
      const { py, js, bare } = globalThis.bench;
      const timed = (fn) => async () => {
        const t0 = performance.now();
        await fn();
        return performance.now() - t0;
      };
      return rounds(
        {
          python: timed(async () => {
            const r = await py.execute('1');
            if (r.value !== 1) throw new Error(JSON.stringify(r));
          }),
          javascript: timed(() => js.execute('1')),
          bare: timed(() => bare.call({ type: 'echo', n: 1 }, 'echo')),
        },
        { rounds: ROUNDS, reps: 20 },
      );
    },
    { base, ROUNDS },
  );
  figures.push(
    figure({
      id: 'python.execute',
      label: "Python execute('1') round trip",
      samples: trip.python.samples,
      rounds: trip.python.rounds,
      baseline: { label: 'bare worker echo', samples: trip.bare.samples, rounds: trip.bare.rounds },
    }),
    figure({
      id: 'python.execute-vs-js',
      label: "Python execute('1') round trip",
      samples: trip.python.samples,
      rounds: trip.python.rounds,
      baseline: {
        label: "JavaScript session execute('1')",
        samples: trip.javascript.samples,
        rounds: trip.javascript.rounds,
      },
    }),
  );
  log('round trip done');

  // --- capability round trip ---------------------------------------------------------------
  const calls = await page.evaluate(
    async ({ base, ROUNDS }) => {
      const { rounds } = await import(`${base}/bench/lib/stats.js`);
      const { py, js } = globalThis.bench;
      const N = 200;
      const check = (r) => {
        if (r.status !== 'ok' || typeof r.value !== 'number') throw new Error(JSON.stringify(r));
        return r.value;
      };
      return rounds(
        {
          python: async () =>
            check(
              await py.execute(
                `import time\n_t0 = time.perf_counter()\nfor _ in range(${N}):\n    assert await host.echo(1) == 1\n(time.perf_counter() - _t0) * 1000 / ${N}`,
              ),
            ),
          javascript: async () =>
            check(
              await js.execute(
                `{ const t0 = performance.now(); for (let i = 0; i < ${N}; i++) if (await host.echo(1) !== 1) throw new Error('echo'); (performance.now() - t0) / ${N} }`,
              ),
            ),
        },
        { rounds: ROUNDS, reps: 1, warmup: 1 },
      );
    },
    { base, ROUNDS },
  );
  figures.push(
    figure({
      id: 'python.capability',
      label: 'await host.echo(1) from Python, per call (200 in a cell)',
      samples: calls.python.samples,
      rounds: calls.python.rounds,
      baseline: {
        label: 'the same from a JavaScript session',
        samples: calls.javascript.samples,
        rounds: calls.javascript.rounds,
      },
    }),
  );
  log('capability done');

  // --- print throughput --------------------------------------------------------------------
  const LINES = 100_000;
  const print = await page.evaluate(async (LINES) => {
    const { py, js } = globalThis.bench;
    const expected = Array.from({ length: LINES }, (_, i) => `${i}\n`).join('');
    const run = async (session, code) => {
      let text = '';
      const t0 = performance.now();
      const r = await session.execute(code, {
        onOutput: (e) => {
          if (e.type === 'stream' && e.stream === 'stdout') text += e.text;
        },
      });
      const ms = performance.now() - t0;
      if (r.status !== 'ok') throw new Error(JSON.stringify(r));
      return { ms, intact: text === expected, bytes: text.length, dropped: r.outputDropped ?? 0 };
    };
    const out = { python: [], javascript: [] };
    for (let i = 0; i < 3; i++) {
      out.python.push(await run(py, `for i in range(${LINES}):\n    print(i)`));
      out.javascript.push(await run(js, `for (let i = 0; i < ${LINES}; i++) console.log(i)`));
    }
    return out;
  }, LINES);
  for (const [language, runs] of Object.entries(print)) {
    if (!runs.every((r) => r.intact)) notes.push(`${language} print: output NOT intact ${JSON.stringify(runs)}`);
  }
  const linesPerS = (runs) => runs.map((r) => (LINES / r.ms) * 1000);
  figures.push(
    figure({
      id: 'python.print',
      label: `print() of ${LINES} lines → result, every line intact: ${print.python.every((r) => r.intact)}`,
      unit: 'lines/s',
      samples: linesPerS(print.python),
      baseline: {
        label: `console.log of ${LINES} lines in a JavaScript session`,
        samples: linesPerS(print.javascript),
      },
    }),
  );
  log('print done');

  // --- interrupt → result ------------------------------------------------------------------
  const SESSION_LOOPS = {
    plain: "print('go', flush=True)\nwhile True:\n    pass",
    swallowing:
      "print('go', flush=True)\nwhile True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass",
  };
  const STOCK_LOOPS = {
    plain: 'started()\nwhile True:\n    pass',
    swallowing: [
      'import time',
      'caught = 0',
      'deadline = None',
      'started()',
      'while deadline is None or time.monotonic() < deadline:',
      '    try:',
      '        while deadline is None or time.monotonic() < deadline:',
      '            pass',
      '    except KeyboardInterrupt:',
      '        caught += 1',
      '        if deadline is None:',
      '            deadline = time.monotonic() + 0.5',
      'f"caught {caught}"',
    ].join('\n'),
  };
  for (const kind of ['plain', 'swallowing']) {
    const stops = await page.evaluate(
      async ({ code, STOPS }) => {
        const { py } = globalThis.bench;
        const times = [];
        let lost = 0;
        let restarts = 0;
        for (let i = 0; i < STOPS; i++) {
          let go;
          const started = new Promise((resolve) => {
            go = resolve;
          });
          const running = py.execute(code, { onOutput: (e) => e.type === 'stream' && e.text.includes('go') && go() });
          const began = await Promise.race([
            started.then(() => true),
            new Promise((r) => setTimeout(r, 30_000, false)),
          ]);
          if (!began)
            throw new Error(
              `the cell never printed 'go': ${JSON.stringify(await Promise.race([running, 'still running']))}`,
            );
          const t0 = performance.now();
          py.interrupt();
          const result = await Promise.race([running, new Promise((r) => setTimeout(() => r('limit'), 30_000))]);
          const ms = performance.now() - t0;
          if (result === 'limit' || result.status !== 'interrupted' || result.restarted) {
            lost++;
            if (result !== 'limit' && result.restarted) restarts++;
            if (result === 'limit') await running;
          } else times.push(ms);
        }
        return { times, lost, restarts };
      },
      { code: SESSION_LOOPS[kind], STOPS },
    );
    const stock = await page.evaluate(
      async ({ code, STOPS }) => {
        const { worker, next, buffer } = globalThis.bench.stock;
        const times = [];
        let lost = 0;
        let caught = 0;
        for (let i = 0; i < STOPS; i++) {
          const started = next('started');
          const done = next('done');
          Atomics.store(buffer, 0, 0);
          worker.postMessage({ type: 'run', code });
          await started;
          const t0 = performance.now();
          Atomics.store(buffer, 0, 2);
          const result = await Promise.race([done, new Promise((r) => setTimeout(() => r('limit'), 30_000))]);
          const ms = performance.now() - t0;
          if (result === 'limit') throw new Error('stock Pyodide: a stop never ended the cell (the worker is stuck)');
          if (result.error === 'KeyboardInterrupt') times.push(ms);
          else {
            lost++;
            if (/caught [1-9]/.test(result.value)) caught++;
          }
        }
        return { times, lost, caught };
      },
      { code: STOCK_LOOPS[kind], STOPS },
    );
    figures.push(
      figure({
        id: `python.interrupt.${kind}`,
        label: `interrupt() → result, ${kind === 'plain' ? 'while True: pass' : 'a loop swallowing every stop'}: lost ${stops.lost} of ${STOPS} (hard path ${stops.restarts})`,
        samples: stops.times,
        baseline: stock.times.length
          ? {
              label: `stock Pyodide setInterruptBuffer, buf[0] = 2 → KeyboardInterrupt: lost ${stock.lost} of ${STOPS}`,
              samples: stock.times,
            }
          : undefined,
        note: stock.times.length
          ? undefined
          : `stock Pyodide: lost ${stock.lost} of ${STOPS} (the KeyboardInterrupt arrived and was caught in ${stock.caught})`,
      }),
    );
    log(`interrupt ${kind} done`);
  }

  // --- pooled create → first result ------------------------------------------------------
  const pooled = await page.evaluate(async (base) => {
    const { SessionManager } = await import(`${base}/dist/sandcell.js`);
    const out = {};
    for (const language of ['python', 'javascript']) {
      const manager = new SessionManager({ poolSize: 1, defaults: { language } });
      out[language] = [];
      for (let i = 0; i < 3; i++) {
        // Timed from a warm pool: what an app that keeps one ready sees.
        await manager.whenPoolReady();
        const t0 = performance.now();
        const session = await manager.create();
        const r = await session.execute('1 + 1');
        out[language].push(performance.now() - t0);
        if (r.value !== 2) throw new Error(JSON.stringify(r));
        await session.close();
      }
      await manager.closeAll();
    }
    return out;
  }, base);
  figures.push(
    figure({
      id: 'python.pooled',
      label: 'pooled manager.create() → first result, Python (3, each from a warm pool of 1)',
      samples: pooled.python,
      baseline: { label: 'the same for JavaScript sessions', samples: pooled.javascript },
    }),
  );
  log('pooled done');

  // --- memory per session ------------------------------------------------------------------
  const pid = browserServer.process().pid;
  const settle = async () => {
    await page.evaluate(() => new Promise((r) => setTimeout(r, 2000)));
    return treePssMB(pid);
  };
  const heap = await page.evaluate(async () => {
    const r = await globalThis.bench.py.execute('import pyodide_js\npyodide_js._module.HEAP8.length');
    return r.status === 'ok' ? r.value / 2 ** 20 : `unreadable: ${r.error?.message}`;
  });
  const before = await settle();
  await page.evaluate(async (K) => {
    const { createSession } = globalThis.bench;
    globalThis.bench.morePy = [];
    for (let i = 0; i < K; i++) {
      const s = await createSession({ language: 'python' });
      await s.execute('1');
      globalThis.bench.morePy.push(s);
    }
  }, SESSIONS);
  const afterPy = await settle();
  await page.evaluate(async (K) => {
    const { createSession } = globalThis.bench;
    globalThis.bench.moreJs = [];
    for (let i = 0; i < K; i++) {
      const s = await createSession();
      await s.execute('1');
      globalThis.bench.moreJs.push(s);
    }
  }, SESSIONS);
  const afterJs = await settle();
  const pyMB = (afterPy - before) / SESSIONS;
  const jsMB = (afterJs - afterPy) / SESSIONS;
  figures.push(
    figure({
      id: 'python.memory',
      label: `memory per Python session (Δ PSS of the browser's processes over ${SESSIONS} sessions); wasm heap ${typeof heap === 'number' ? `${heap.toFixed(0)} MB` : heap}`,
      unit: 'MB',
      samples: [pyMB],
      baseline: { label: 'per JavaScript session, the same way', samples: [jsMB] },
    }),
  );
  log(`memory: browser PSS ${before.toFixed(0)} → ${afterPy.toFixed(0)} → ${afterJs.toFixed(0)} MB`);
} finally {
  await browser.close();
  await browserServer.close();
  await server.close();
}

uptimes.push(uptime());
log(`\nPython session figures (headless Chromium, dist/; ${STOPS} stops, ${ROUNDS} rounds)`);
const fmt = (v, unit) => (unit === 'ms' ? (v < 10 ? v.toFixed(2) : v.toFixed(0)) : v.toFixed(0));
for (const f of figures) {
  const v = f.value;
  let line = `  ${f.label}\n      ${fmt(v.median, f.unit)} ${f.unit}`;
  if (v.n > 1)
    line += ` (p95 ${fmt(v.p95, f.unit)}${v.spread ? `, round medians ${fmt(v.spread[0], f.unit)}–${fmt(v.spread[1], f.unit)}` : ''}, n ${v.n})`;
  if (f.baseline) {
    line += `\n      vs ${f.baseline.label}: ${fmt(f.baseline.median, f.unit)} ${f.unit}`;
    if (f.baseline.n > 1) line += ` (p95 ${fmt(f.baseline.p95, f.unit)})`;
    line += ` → ${f.ratio.toFixed(2)}×`;
    if (f.ratioSpread) line += ` (rounds ${f.ratioSpread[0].toFixed(2)}–${f.ratioSpread[1].toFixed(2)}×)`;
  }
  if (f.note) line += `\n      ${f.note}`;
  log(line);
}
for (const note of notes) log(`  NOTE: ${note}`);
log(`uptime at start: ${uptimes[0]}\nuptime at end:   ${uptimes[1]}`);
