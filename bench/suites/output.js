// Output and input figures (issue 5): a 100,000-line flood reaching onOutput (throughput and
// the page's longest task), and synchronous input() against a bare SharedArrayBuffer ping-pong.
import { createSession } from '/dist/sandcell.js';
import { nextMessage, startBare } from '../lib/bare.js';
import { figure, now } from '../lib/stats.js';

const LINES = 100_000;

/** Runs `fn` while recording main-thread long tasks; resolves with its time and the longest task. */
async function withLongTasks(fn) {
  const tasks = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) tasks.push(entry.duration);
  });
  observer.observe({ type: 'longtask' });
  const t = now();
  await fn();
  const ms = now() - t;
  // Long-task entries are delivered after the task: give them a moment to arrive.
  await new Promise((r) => setTimeout(r, 50));
  observer.disconnect();
  return { ms, longest: tasks.length ? Math.max(...tasks) : 0 };
}

const countLines = (text) => {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

export default async function output({ quick }) {
  const reps = quick ? { flood: 1, input: 50 } : { flood: 6, input: 1000 };
  const figures = [];

  {
    let lines = 0;
    const session = await createSession({
      onOutput: (event) => {
        if (event.type === 'stream') lines += countLines(event.text);
      },
    });
    const bare = await startBare();
    let bareLines = 0;
    bare.worker.addEventListener('message', (event) => {
      if (event.data.type === 'line') bareLines += countLines(event.data.text);
    });
    const ours = [];
    const base = [];
    const longest = [];
    const bareLongest = [];
    // A flood that cannot finish in time is cut by timeoutMs and reported from what arrived, not waited out.
    const limitMs = quick ? 5000 : 20000;
    let cut = '';
    for (let i = 0; i < reps.flood + 1; i++) {
      lines = 0;
      let status = '';
      const run = await withLongTasks(async () => {
        const r = await session.execute(`for (let i = 0; i < ${LINES}; i++) console.log('line ' + i)`, {
          timeoutMs: limitMs,
        });
        status = r.status;
      });
      if (status === 'ok' && lines !== LINES)
        throw new Error(`[sandcell bench] flood delivered ${lines} of ${LINES} lines`);
      bareLines = 0;
      const bareRun = await withLongTasks(() => bare.call({ type: 'flood', lines: LINES }, 'flood-done'));
      if (bareLines !== LINES) throw new Error(`[sandcell bench] bare flood delivered ${bareLines} lines`);
      if (i >= 1 || status !== 'ok' || reps.flood === 1) {
        ours.push(lines / (run.ms / 1000));
        base.push(LINES / (bareRun.ms / 1000));
        longest.push(run.longest);
        bareLongest.push(bareRun.longest);
      }
      if (status !== 'ok') {
        cut = `; the flood did not finish within ${limitMs / 1000} s (${status}): ${lines.toLocaleString('en-US')} lines arrived`;
        break;
      }
    }
    figures.push(
      figure({
        id: 'output-throughput',
        label: `output flood, ${LINES.toLocaleString('en-US')} console.log lines → onOutput`,
        unit: 'lines/s',
        samples: ours,
        baseline: { label: 'bare worker, one postMessage per line', samples: base },
        note: `higher is better; every line arrives, in order, before execute resolves${cut}`,
      }),
      figure({
        id: 'output-longtask',
        label: 'longest main-thread task during the flood',
        samples: longest,
        baseline: { label: 'same, bare worker one message per line', samples: bareLongest },
        goal: { max: 50 },
        note: '0 = no task over 50 ms (the long-task threshold)',
      }),
    );
    bare.close();
    await session.close();
  }

  {
    const session = await createSession({ onInput: () => 'y' });
    const bare = await startBare();
    const control = new Int32Array(new SharedArrayBuffer(4));
    bare.worker.addEventListener('message', (event) => {
      if (event.data.type !== 'ping') return;
      Atomics.store(control, 0, 1);
      Atomics.notify(control, 0);
    });
    const cell = `for (let i = 0; i < ${reps.input}; i++) input('q')`;
    await session.execute(cell);
    const ours = [];
    const base = [];
    for (let i = 0; i < 5; i++) {
      const r = await session.execute(cell);
      if (r.status !== 'ok') throw new Error(`[sandcell bench] input failed: ${r.error?.message}`);
      ours.push(r.durationMs / reps.input);
      const done = nextMessage(bare.worker, 'pong-done');
      bare.worker.postMessage({ type: 'pingpong', control: control.buffer, rounds: reps.input });
      base.push((await done).ms);
    }
    figures.push(
      figure({
        id: 'input-rtt',
        label: 'synchronous input() round trip',
        samples: ours,
        baseline: { label: 'bare worker: postMessage + Atomics.wait ping-pong', samples: base },
        note: `each sample is the mean of ${reps.input} round trips, timed inside the worker`,
      }),
    );
    bare.close();
    await session.close();
  }
  return figures;
}
