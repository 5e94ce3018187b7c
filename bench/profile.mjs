// `node bench/profile.mjs [--reps=400] [--only=execute,interrupt,cold,loops]` (after `npm run build`):
// where the time of the hot paths goes (issue #16), in two views.
//
// 1. A timeline per operation, from timestamps on one clock (performance.timeOrigin + now(),
//    comparable across the page, the session's frame and its worker):
//    - execute: page call → the page posts the RPC message → the cell runs in the worker (the
//      cell reads the clock: `performance.timeOrigin + performance.now()`) → the reply reaches
//      the page's port → the promise resolves; beside it the bare worker echo's send → reply;
//    - interrupt: page call → the stop command leaves the page → the worker's loop sees the
//      flag (a `finally` reads the clock) → the result reaches the page → the promise resolves.
//    The page's side is timed by wrapping MessagePort.prototype.postMessage/addEventListener
//    and Worker.prototype.postMessage in the page before the session starts (bench-only).
// 2. CPU profiles (CDP sampling profiler, 50 µs) of the page, the session's frame (an
//    out-of-process iframe) and its worker, attached through Target.setAutoAttach, while the
//    same operations run back to back: per target, busy time per operation and the functions
//    with the most self time. A busy machine inflates every figure; the shares are what to read.
//
// Prints a report and writes bench/results.profile.json. Uses the bench's server and page.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { chromium } from 'playwright';
import { chromiumExecutable } from '../scripts/dev-env.mjs';
import { startServer } from './server.mjs';

const args = process.argv.slice(2);
const reps = Number(args.find((a) => a.startsWith('--reps='))?.slice(7) ?? 400);
const only = (args.find((a) => a.startsWith('--only='))?.slice(7) ?? 'execute,interrupt,cold,loops').split(',');

/** A CDP target reached through its parent's session (non-flattened: Target.sendMessageToTarget). */
class Target {
  constructor(type, url, send) {
    this.type = type;
    this.url = url;
    this.send = send;
    this.listeners = new Map();
  }
  on(method, listener) {
    this.listeners.set(method, [...(this.listeners.get(method) ?? []), listener]);
  }
  emit(method, params) {
    for (const listener of this.listeners.get(method) ?? []) listener(params);
  }
}

/** Attaches to every target under `root` (frames, then their workers), recursively. */
function attachTree(root, found) {
  let nextId = 1;
  const children = new Map();
  root.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => {
    const pending = new Map();
    const child = new Target(targetInfo.type, targetInfo.url, (method, params = {}) => {
      const id = nextId++;
      const answer = new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
      root
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch(() => {});
      return answer;
    });
    child.pending = pending;
    children.set(sessionId, child);
    found.push(child);
    attachTree(child, found);
    child.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
    child.send('Runtime.runIfWaitingForDebugger').catch(() => {});
  });
  root.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    const child = children.get(sessionId);
    if (!child) return;
    const parsed = JSON.parse(message);
    if (parsed.id !== undefined) {
      const waiter = child.pending.get(parsed.id);
      child.pending.delete(parsed.id);
      if (parsed.error) waiter?.reject(new Error(parsed.error.message));
      else waiter?.resolve(parsed.result);
    } else {
      child.emit(parsed.method, parsed.params);
    }
  });
  root.on('Target.detachedFromTarget', ({ sessionId }) => {
    const child = children.get(sessionId);
    if (child) child.detached = true;
  });
}

/** Self time (ms) per function of one CPU profile, and its idle/GC/program shares. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url ? url.replace(/^.*\//, '').replace(/^[0-9a-f-]{36}$/, 'worker') : '';
    const key = file ? `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}` : functionName || '(anonymous)';
    self.set(key, (self.get(key) ?? 0) + dt);
  }
  const wall = (profile.endTime - profile.startTime) / 1000;
  return { wall, self };
}

function describeProfile(name, profile, ops) {
  const { wall, self } = selfTimes(profile);
  const idle = self.get('(idle)') ?? 0;
  const busy = wall - idle;
  const top = [...self.entries()]
    .filter(([k]) => k !== '(idle)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 14)
    .map(([k, ms]) => ({
      fn: k,
      usPerOp: Number(((ms * 1000) / ops).toFixed(1)),
      share: Number((ms / busy).toFixed(3)),
    }));
  return { target: name, wallMs: Number(wall.toFixed(1)), busyUsPerOp: Number(((busy * 1000) / ops).toFixed(1)), top };
}

const server = await startServer();
const executablePath = chromiumExecutable();
const browser = await chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}) });
const loadBefore = os.loadavg()[0];
const report = { date: new Date().toISOString(), reps, loadBefore, timelines: {}, profiles: {} };
try {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(`${server.origin}/bench/page.html`);
  await page.waitForFunction(() => window.benchReady === true);
  const cdp = await page.context().newCDPSession(page);
  const root = new Target('page', page.url(), (method, params) => cdp.send(method, params));
  const events = ['Target.attachedToTarget', 'Target.receivedMessageFromTarget', 'Target.detachedFromTarget'];
  for (const event of events) cdp.on(event, (params) => root.emit(event, params));
  const targets = [];
  attachTree(root, targets);
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });

  // The page-side stamps: installed before any session exists, so every port the SDK makes is seen.
  await page.evaluate(async () => {
    const stamp = () => performance.timeOrigin + performance.now();
    // send/reply: of the last `execute` RPC (by its Comlink id) or the last echo; stop: the last stop command.
    const marks = { send: 0, stop: 0, reply: 0, executeId: undefined };
    window.profileMarks = marks;
    const post = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (message, ...rest) {
      if (message?.type === 'APPLY' && message.path?.[0] === 'execute') {
        marks.send = stamp();
        marks.reply = 0;
        marks.executeId = message.id;
      } else if (message?.type === 'stop') marks.stop = stamp();
      return post.call(this, message, ...rest);
    };
    const workerPost = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (message, ...rest) {
      marks.send = stamp();
      marks.reply = 0;
      return workerPost.call(this, message, ...rest);
    };
    const listen = EventTarget.prototype.addEventListener;
    const unlisten = EventTarget.prototype.removeEventListener;
    const wrappers = new WeakMap();
    EventTarget.prototype.removeEventListener = function (type, listener, ...rest) {
      return unlisten.call(this, type, wrappers.get(listener) ?? listener, ...rest);
    };
    EventTarget.prototype.addEventListener = function (type, listener, ...rest) {
      if (
        type === 'message' &&
        (this instanceof MessagePort || this instanceof Worker) &&
        typeof listener === 'function'
      ) {
        const wrapped = function (event) {
          const data = event.data;
          const mine =
            data &&
            typeof data === 'object' &&
            (data.type === 'echo' || (data.id !== undefined && data.id === marks.executeId));
          if (mine && marks.reply === 0) marks.reply = stamp();
          return listener.call(this, event);
        };
        wrappers.set(listener, wrapped);
        return listen.call(this, type, wrapped, ...rest);
      }
      return listen.call(this, type, listener, ...rest);
    };
    const { createSession } = await import('/dist/sandcell.js');
    const { startBare } = await import('/bench/lib/bare.js');
    window.profiled = {
      session: await createSession({ onOutput: () => {} }),
      bare: await startBare({ echoOnly: true }),
    };
  });
  // Let the frame and its worker attach.
  for (let i = 0; i < 50 && targets.filter((t) => t.type === 'worker').length < 2; i++)
    await new Promise((r) => setTimeout(r, 100));
  console.error(`[profile] targets: ${targets.map((t) => `${t.type} ${t.url.slice(0, 40)}`).join(' | ')}`);

  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  let clockOffset = 0;
  const profiled = async (name, ops, run) => {
    const live = [root, ...targets.filter((t) => !t.detached && t.url !== '')];
    for (const t of live) {
      await t.send('Profiler.enable');
      await t.send('Profiler.setSamplingInterval', { interval: 50 });
      await t.send('Profiler.start');
    }
    await run();
    const out = [];
    for (const t of live) {
      const { profile } = await t.send('Profiler.stop');
      const label =
        t === root
          ? 'page'
          : t.type === 'iframe'
            ? 'frame'
            : t.url.startsWith('blob:')
              ? 'session worker'
              : `${t.type} ${t.url.replace(/^.*\//, '')}`;
      out.push(describeProfile(label, profile, ops));
    }
    report.profiles[name] = out;
  };

  if (only.includes('execute')) {
    // Timeline: the cell reads the clock, so the worker's moment is on the same axis.
    const timeline = await page.evaluate(async (n) => {
      const { session, bare } = window.profiled;
      const marks = window.profileMarks;
      const stamp = () => performance.timeOrigin + performance.now();
      const rows = [];
      const code = 'performance.timeOrigin + performance.now()';
      for (let i = 0; i < n + 50; i++) {
        const t0 = stamp();
        const r = await session.execute(code);
        const t4 = stamp();
        if (i >= 50)
          rows.push({
            queue: marks.send - t0,
            toCell: r.value - marks.send,
            cellToReply: marks.reply - r.value,
            resolve: t4 - marks.reply,
            worker: r.durationMs,
            total: t4 - t0,
          });
      }
      const echo = [];
      for (let i = 0; i < n + 50; i++) {
        const t0 = stamp();
        await bare.call({ type: 'echo' }, 'echo');
        const t2 = stamp();
        if (i >= 50) echo.push({ hops: marks.reply - marks.send, total: t2 - t0 });
      }
      return { rows, echo };
    }, reps);
    // The worker's clock is another process's: its offset, NTP-style, from the fastest round trips
    // (their two legs are closest to equal), so the legs below are on the page's clock (± ~10 µs).
    const fastest = [...timeline.rows].sort((a, b) => a.toCell + a.cellToReply - (b.toCell + b.cellToReply));
    clockOffset = median(fastest.slice(0, Math.max(5, fastest.length / 10)).map((r) => (r.toCell - r.cellToReply) / 2));
    for (const r of timeline.rows) {
      r.toCell -= clockOffset;
      r.cellToReply += clockOffset;
    }
    const col = (rows, key) => Number((median(rows.map((r) => r[key])) * 1000).toFixed(0));
    report.timelines.execute = {
      'worker clock offset (removed from the legs)': Number((clockOffset * 1000).toFixed(0)),
      unit: 'µs, medians',
      'page: execute() → RPC message posted (queue, Comlink)': col(timeline.rows, 'queue'),
      'RPC posted → cell runs in the worker (hop, worker dispatch, cache lookup)': col(timeline.rows, 'toCell'),
      'cell ran → reply at the page port (outcome, checkpoint, reply hop)': col(timeline.rows, 'cellToReply'),
      'reply at the port → promise resolved (Comlink, result, queue)': col(timeline.rows, 'resolve'),
      'worker-measured durationMs': col(timeline.rows, 'worker'),
      total: col(timeline.rows, 'total'),
      'bare echo: send → reply at the page (two hops)': col(timeline.echo, 'hops'),
      'bare echo total': col(timeline.echo, 'total'),
    };
    for (const [cell, label] of [
      ['1', "execute('1')"],
      ['let y = 5', 'let y = 5'],
      ["console.log('x')", 'console.log'],
      ['[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]', '10-element array'],
    ]) {
      await profiled(label, reps, () =>
        page.evaluate(
          async ([code, n]) => {
            for (let i = 0; i < n; i++) await window.profiled.session.execute(code);
          },
          [cell, reps],
        ),
      );
    }
    await profiled('bare echo', reps, () =>
      page.evaluate(async (n) => {
        for (let i = 0; i < n; i++) await window.profiled.bare.call({ type: 'echo' }, 'echo');
      }, reps),
    );
  }

  if (only.includes('interrupt')) {
    const n = Math.max(10, Math.round(reps / 10));
    const timeline = await page.evaluate(async (count) => {
      const { session } = window.profiled;
      const marks = window.profileMarks;
      const stamp = () => performance.timeOrigin + performance.now();
      const rows = [];
      for (let i = 0; i < count; i++) {
        const running = session.execute(
          'try { while (true) {} } finally { globalThis.__seen = performance.timeOrigin + performance.now() }',
        );
        await new Promise((r) => setTimeout(r, 15));
        const t0 = stamp();
        void session.interrupt();
        const r = await running;
        const t4 = stamp();
        const { stop, reply } = marks;
        const seen = (await session.execute('__seen')).value;
        if (r.status !== 'interrupted') throw new Error(`interrupt gave ${r.status}`);
        rows.push({
          toCommand: stop - t0,
          toWorker: seen - stop,
          workerToReply: reply - seen,
          resolve: t4 - reply,
          total: t4 - t0,
        });
      }
      return rows;
    }, n);
    for (const r of timeline) {
      r.toWorker -= clockOffset;
      r.workerToReply += clockOffset;
    }
    // The frame's main thread, which relays a stop: a round trip page → frame → page with nothing else in it.
    const frameTarget = targets.find((t) => t.type === 'iframe' && !t.detached);
    await frameTarget?.send('Runtime.evaluate', {
      expression:
        "addEventListener('message', (e) => { if (e.data && e.data.probe) parent.postMessage({ probe: e.data.probe }, '*'); })",
    });
    const frameEcho = await page.evaluate(async (count) => {
      const frame = document.querySelector('iframe[data-sandcell-session]');
      const times = [];
      for (let i = 1; i <= count; i++) {
        const t = performance.now();
        await new Promise((resolve) => {
          const on = (e) => {
            if (e.data?.probe !== i) return;
            removeEventListener('message', on);
            resolve();
          };
          addEventListener('message', on);
          frame.contentWindow.postMessage({ probe: i }, '*');
        });
        times.push(performance.now() - t);
        await new Promise((r) => setTimeout(r, 5));
      }
      return times;
    }, 50);
    const col = (key) => Number((median(timeline.map((r) => r[key])) * 1000).toFixed(0));
    const sorted = timeline.map((r) => r.total).sort((a, b) => a - b);
    report.timelines.interrupt = {
      unit: 'µs, medians',
      'worker clock offset (removed from the legs; from the execute timeline)': Number((clockOffset * 1000).toFixed(0)),
      'page: interrupt() → stop command posted to the frame': col('toCommand'),
      'command posted → the worker loop sees the flag (page → frame hop, flag write)': col('toWorker'),
      'worker sees the flag → result at the page port (unwind, outcome, reply hop)': col('workerToReply'),
      'result at the port → promise resolved': col('resolve'),
      total: col('total'),
      "page → the session's frame's main thread → page, idle (µs)": Number((median(frameEcho) * 1000).toFixed(0)),
      'total p95': Number((sorted[Math.floor(sorted.length * 0.95)] * 1000).toFixed(0)),
    };
    await profiled('interrupt', n, () =>
      page.evaluate(async (count) => {
        const { session } = window.profiled;
        for (let i = 0; i < count; i++) {
          const running = session.execute('while (true) {}');
          await new Promise((r) => setTimeout(r, 15));
          void session.interrupt();
          await running;
        }
      }, n),
    );
  }

  if (only.includes('cold')) {
    // Cold start, page-side phases: the frame element appears, its document loads, the session
    // answers (worker bundle fetched as text, started from a blob:, runtime built), first result.
    const timeline = await page.evaluate(
      async (count) => {
        const { createSession } = await import('/dist/sandcell.js');
        const rows = [];
        for (let i = 0; i < count; i++) {
          const t0 = performance.now();
          let added = 0;
          let loaded = 0;
          const observer = new MutationObserver((records) => {
            for (const record of records)
              for (const node of record.addedNodes)
                if (node instanceof HTMLIFrameElement && node.dataset.sandcellSession) {
                  added = performance.now();
                  node.addEventListener('load', () => (loaded = performance.now()), { once: true });
                }
          });
          observer.observe(document.body, { childList: true });
          const session = await createSession();
          const t3 = performance.now();
          await session.execute('1');
          const t4 = performance.now();
          observer.disconnect();
          await session.close();
          rows.push({
            toFrame: added - t0,
            frameLoad: loaded - added,
            toReady: t3 - loaded,
            first: t4 - t3,
            total: t4 - t0,
          });
        }
        const { startBare } = await import('/bench/lib/bare.js');
        const bare = [];
        for (let i = 0; i < count; i++) {
          const b = await startBare({ echoOnly: true });
          bare.push(b.startMs);
          b.close();
        }
        return { rows, bare };
      },
      Math.max(5, Math.round(reps / 40)),
    );
    const col = (key) => Number(median(timeline.rows.map((r) => r[key])).toFixed(1));
    report.timelines.cold = {
      unit: 'ms, medians',
      'createSession() → the frame element is added': col('toFrame'),
      "the frame's document loads": col('frameLoad'),
      'frame loaded → session ready (bundle to blob: worker, runtime built, first answer)': col('toReady'),
      "ready → first execute('1') result": col('first'),
      total: col('total'),
      'bare module worker → first message': Number(median(timeline.bare).toFixed(1)),
    };
  }

  if (only.includes('loops')) {
    // The cost of each loop-check form, on the same machine: plain, flag load, countdown.
    const loops = await page.evaluate(async () => {
      const { session } = window.profiled;
      const forms = {
        plain: (body) => body,
        flag: (body) => `if (f[0] !== 0) tick(); ${body}`,
        countdown: (body) => `if (--l < 0) l = tick(); ${body}`,
      };
      const make = (form, n) =>
        new Function(
          'f',
          'tick',
          `let l = 100; let s = 0; for (let i = 0; i < ${n}; i++) { ${forms[form]('s = (s + i * i) % 1000003;')} } return s;`,
        );
      const flag = new Int32Array(new SharedArrayBuffer(4));
      const tick = () => 1 << 24;
      const out = {};
      for (const form of Object.keys(forms)) {
        const fn = make(form, 2e7);
        fn(flag, tick);
        const times = [];
        for (let i = 0; i < 5; i++) {
          const t = performance.now();
          fn(flag, tick);
          times.push(performance.now() - t);
        }
        out[`${form} (ns/iteration, page thread)`] = Number(((times.sort((a, b) => a - b)[2] * 1e6) / 2e7).toFixed(3));
      }
      const kernel =
        '(() => { let s = 0; for (let i = 0; i < 20000000; i++) { s = (s + i * i) % 1000003; } return s; })()';
      await session.execute(kernel);
      const ms = [];
      for (let i = 0; i < 5; i++) ms.push((await session.execute(kernel)).durationMs);
      out['session tight loop (ns/iteration, in-worker time)'] = Number(
        ((ms.sort((a, b) => a - b)[2] * 1e6) / 2e7).toFixed(3),
      );
      return out;
    });
    report.timelines.loops = loops;
  }
  report.loadAfter = os.loadavg()[0];
  await page.evaluate(async () => {
    await window.profiled.session.close();
    window.profiled.bare.close();
  });
} finally {
  await browser.close();
  await server.close();
}

await writeFile(new URL('./results.profile.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
console.log(
  `sandcell profile — ${reps} operations each, load ${report.loadBefore.toFixed(1)} → ${report.loadAfter?.toFixed(1)} (1-min average)\n`,
);
for (const [name, timeline] of Object.entries(report.timelines)) {
  console.log(`## ${name} timeline`);
  for (const [k, v] of Object.entries(timeline)) console.log(`  ${String(v).padStart(8)}  ${k}`);
  console.log('');
}
for (const [name, profiles] of Object.entries(report.profiles)) {
  console.log(`## ${name}: CPU per operation`);
  for (const p of profiles) {
    console.log(`  ${p.target}: busy ${p.busyUsPerOp} µs/op (wall ${p.wallMs} ms)`);
    for (const t of p.top.slice(0, 8))
      console.log(`    ${String(t.usPerOp).padStart(7)} µs  ${(t.share * 100).toFixed(0).padStart(3)}%  ${t.fn}`);
  }
  console.log('');
}
console.log('written to bench/results.profile.json');
