// The baseline: a bare module worker doing by hand what a sandcell session does (echo a
// message, run a loop, answer through a SharedArrayBuffer, write IndexedDB), with nothing
// of sandcell in it — no Comlink, no transform, no instrumentation, no namespace.
import { del, get, set } from '/node_modules/idb-keyval/dist/index.js';

const state = { data: undefined, fn: undefined };

const globalEval = eval;

self.onmessage = async (event) => {
  const m = event.data;
  switch (m.type) {
    case 'echo':
      self.postMessage(m);
      return;
    case 'compile':
      // The same source the session runs, compiled plainly: the "uninstrumented" side of the loop figures.
      state.fn = new Function(`return (${m.code});`);
      self.postMessage({ type: 'compiled' });
      return;
    case 'run': {
      const t0 = performance.now();
      const value = state.fn();
      self.postMessage({ type: 'ran', ms: performance.now() - t0, value });
      return;
    }
    case 'script': {
      // Top-level code as a script runs it: indirect eval (a call through a variable), global scope.
      const t0 = performance.now();
      const value = globalEval(m.code);
      self.postMessage({ type: 'ran', ms: performance.now() - t0, value });
      return;
    }
    case 'spin': {
      // The floor for interrupt latency: a loop that reads the flag on every iteration.
      const flag = new Int32Array(m.flag);
      let i = 0;
      while (Atomics.load(flag, 0) === 0) i++;
      self.postMessage({ type: 'stopped', i });
      return;
    }
    case 'prepare':
      state.data = new Function(`return (${m.code});`)();
      self.postMessage({ type: 'prepared' });
      return;
    case 'idb-set':
      await set(m.key, state.data);
      self.postMessage({ type: 'done' });
      return;
    case 'idb-get': {
      const value = await get(m.key);
      self.postMessage({ type: 'done', ok: value !== undefined });
      return;
    }
    case 'idb-del':
      await del(m.key);
      self.postMessage({ type: 'done' });
      return;
    case 'flood':
      // The naive way to stream output: one message per line.
      for (let i = 0; i < m.lines; i++) self.postMessage({ type: 'line', text: `line ${i}\n` });
      self.postMessage({ type: 'flood-done' });
      return;
    case 'pingpong': {
      // The floor for synchronous input(): ask the page by message, block on the shared buffer for the answer.
      const control = new Int32Array(m.control);
      const t0 = performance.now();
      for (let i = 0; i < m.rounds; i++) {
        Atomics.store(control, 0, 0);
        self.postMessage({ type: 'ping' });
        Atomics.wait(control, 0, 0);
      }
      self.postMessage({ type: 'pong-done', ms: (performance.now() - t0) / m.rounds });
      return;
    }
  }
};

self.postMessage({ type: 'ready' });
