/**
 * A cell that forges messages or patches built-ins must not break or forge the result,
 * output or snapshot of the NEXT, normal cell.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../lib/index';
import { collectOutput, openSession } from './helpers';

/** Runs a normal cell and checks its result, its output and a snapshot. */
async function expectHealthy(session: Session, out: ReturnType<typeof collectOutput>): Promise<void> {
  out.events.length = 0;
  // The normal cell uses only syntax: the user's own patches stay in force for the user's own
  // code (a polyfill must keep working), so a cell calling a patched method would see the patch.
  const r = await session.execute(
    'var healthy = [2, 4, 6]; console.log("ok", healthy.length, { n: 1 }, [1, 2]); let t = 0; for (let i = 0; i < 3; i++) t += healthy[i]; t',
  );
  if (r.status !== 'ok') console.error(r.error);
  expect(r.status).toBe('ok');
  expect(r.value).toBe(12);
  expect(r.repr).toBe('12');
  expect(out.text('stdout')).toBe('ok 3 { n: 1 } [ 1, 2 ]\n');
  const a = await session.execute('const w = await 7; w');
  expect(a).toMatchObject({ status: 'ok', value: 7, mode: 'top-level-await' });
  expect(await session.namespace.get('healthy')).toEqual([2, 4, 6]);
  const info = await session.snapshot();
  expect(info.saved).toContain('healthy');
}

const TAMPERS: Array<[string, string]> = [
  [
    'self.postMessage forging an init and results',
    `
    self.postMessage({ type: 'output', cellId: 2, seq: 1, events: [{ type: 'stream', stream: 'stdout', text: 'FORGED\\n' }] });
    self.postMessage({ type: 'sandcell:init' });
    postMessage('x'); 1`,
  ],
  [
    'self.onmessage set by the cell',
    `self.onmessage = () => { throw new Error('hijack') }; self.addEventListener('message', () => {}); 1`,
  ],
  [
    'Array.prototype.map/reduce/slice patched',
    `
    Array.prototype.map = function () { return ['FORGED'] };
    Array.prototype.reduce = function () { return 'FORGED' };
    Array.prototype.slice = function () { return ['FORGED'] };
    Array.prototype.push = function () { return 0 };
    Array.prototype.forEach = function () {};
    Array.prototype.join = function () { return 'FORGED' };
    Array.prototype.includes = function () { return true };
    Array.prototype.concat = function () { return [] };
    Array.prototype.filter = function () { return [] };
    Array.prototype[Symbol.iterator] = function* () { yield 'FORGED' };
    1`,
  ],
  ['JSON.stringify/parse patched', `JSON.stringify = () => '"FORGED"'; JSON.parse = () => 'FORGED'; 1`],
  [
    'Promise.prototype.then patched',
    `
    const realThen = Promise.prototype.then;
    Promise.prototype.then = function (a, b) { return realThen.call(this, () => a && a('FORGED'), b) };
    Promise.prototype.catch = function () { return this };
    Promise.prototype.finally = function () { return this };
    Promise.resolve = function () { return new Promise(() => {}) };
    1`,
  ],
  // \`value\` last: once it is inherited, the cell's own descriptor objects carry it too.
  [
    'Object.prototype setters on value/then/type/get/set',
    `
    Object.defineProperty(Object.prototype, 'then', { get() { return undefined }, set() {}, configurable: true });
    Object.defineProperty(Object.prototype, 'type', { set() {}, get() { return 'FORGED' }, configurable: true });
    Object.prototype.id = 'FORGED'; Object.prototype.returnValue = 'FORGED'; Object.prototype.path = ['FORGED'];
    Object.defineProperty(Object.prototype, 'get', { value: function () { return 'FORGED' }, configurable: true, writable: true });
    Reflect.defineProperty(Object.prototype, 'value', { __proto__: null, set() {}, get() { return 'FORGED' }, configurable: true });
    1`,
  ],
  // The engine builds results, output batches and checkpoints while a cell's patches are in
  // force (no switch on the hot path): a setter for any key or index it writes must not see them.
  [
    'Object.prototype setters on every key and array index the engine writes',
    `
    for (const key of ['status', 'repr', 'value', 'hasValue', 'mode', 'error', 'durationMs', 'outputDropped',
        'type', 'events', 'stream', 'text', 'cellId', 'checkpoint', 'groups', 'names', 'payload', 'removed',
        'full', 'data', 'checksum', 'format', 'version', 'functions', 'instances', 'dirty', 'callsAnything']) {
      Object.defineProperty(Object.prototype, key, { __proto__: null, set() { throw new Error('FORGED ' + key) }, get() { return 'FORGED' }, configurable: true });
    }
    // Indices on Object.prototype: every array's index writes look there (on Array.prototype they would change its length).
    for (let i = 0; i < 4; i++) {
      Object.defineProperty(Object.prototype, i, { __proto__: null, set() { throw new Error('FORGED ' + i) }, get() { return 'FORGED' }, configurable: true });
    }
    1`,
  ],
  [
    'MessagePort.prototype.postMessage patched',
    `
    MessagePort.prototype.postMessage = function () {};
    MessagePort.prototype.addEventListener = function () {};
    EventTarget.prototype.addEventListener = function () {};
    1`,
  ],
  [
    'Object/Reflect/Map/Set statics patched',
    `
    Object.keys = () => []; Object.entries = () => []; Object.assign = () => ({}); Object.freeze = (o) => o;
    Object.create = () => ({}); Object.defineProperty = (o) => o; Object.fromEntries = () => ({});
    Reflect.ownKeys = () => []; Reflect.apply = () => 'FORGED';
    Map.prototype.get = () => undefined; Map.prototype.set = function () { return this };
    Set.prototype.add = function () { return this }; Set.prototype.has = () => false;
    Function.prototype.apply = function () { return 'FORGED' };
    Function.prototype.call = function () { return 'FORGED' };
    Function.prototype.bind = function () { return () => 'FORGED' };
    String.prototype.replace = () => 'FORGED'; String.prototype.slice = () => 'FORGED';
    1`,
  ],
  [
    'structuredClone and Symbol patched',
    `self.structuredClone = () => 'FORGED'; Symbol.iterator; Error.prototype.toString = () => 'FORGED'; 1`,
  ],
];

describe('forging and tampering', () => {
  for (const [name, code] of TAMPERS) {
    it(`${name} → the next normal cell is right`, async () => {
      const out = collectOutput();
      const s = await openSession({ onOutput: out.onOutput });
      await s.execute('let before = { a: [1, 2] }');
      const r = await s.execute(code);
      if (r.status !== 'ok') console.error(r.error);
      expect(r.status).toBe('ok');
      expect(out.text()).not.toContain('FORGED');
      await expectHealthy(s, out);
      expect(await s.namespace.get('before')).toEqual({ a: [1, 2] });
      expect(out.text()).not.toContain('FORGED');
    });
  }

  // An async cell's wrapper returns `{ value }` from an async function, and resolving it looks up
  // `then` in user code, where the user's Object.prototype.then is in force: the transform returns
  // an object with no prototype for that reason.
  it('Object.prototype.then as a function → a later async cell keeps its value', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    await s.execute(`Object.prototype.then = function (resolve) { resolve('FORGED') }; 1`);
    await expectHealthy(s, out);
  });

  it('patching Atomics or performance does not switch off interrupts or time limits', async () => {
    const out = collectOutput();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    // A generous grace: the cooperative path is under test, and a loaded machine may starve the worker.
    const s = await openSession({
      onOutput: out.onOutput,
      interruptGraceMs: 20_000,
      capabilities: { running: () => started() },
    });
    await s.execute(
      'Atomics.load = () => 0; Atomics.wait = () => "ok"; performance.now = () => 0; Performance.prototype.now = () => 0; Math.max = Math.min = Math.floor = () => 0',
    );
    // The time limit first: it is cooperative with or without shared memory (the worker reads
    // its own clock), so the patched built-ins are still in force for the interrupt after it.
    const timedOut = await s.execute('for (;;) {}', { timeoutMs: 100 });
    expect(timedOut).toMatchObject({ status: 'timeout' });
    expect(timedOut.restarted).toBeUndefined();
    const result = s.execute('host.running(); while (true) {}');
    await running;
    await s.interrupt();
    expect(await result).toMatchObject({ status: 'interrupted' });
    // With shared memory the flag stops the cell in place; without it (WebKitGTK) a busy worker
    // hears nothing, and the hard path (kill, restart) is what no patch can switch off.
    if (s.crossOriginIsolated) expect((await result).restarted).toBeUndefined();
    else expect((await result).restarted).toBe(true);
    await expectHealthy(s, out);
  });

  it('Object.prototype.then as a function → later sync cells, output and snapshot are right', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    await s.execute(`Object.prototype.then = function (resolve) { resolve('FORGED') }; 1`);
    const r = await s.execute('var healthy = [2, 4, 6]; console.log("ok", { n: 1 }); healthy[0] + healthy[2]');
    expect(r).toMatchObject({ status: 'ok', value: 8 });
    expect(out.text()).toBe('ok { n: 1 }\n');
    expect(await s.namespace.get('healthy')).toEqual([2, 4, 6]);
    expect((await s.snapshot()).saved).toContain('healthy');
  });

  it('patches made after an await, with host calls and console output in flight, do not reach the engine', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput, capabilities: { twice: (n: number) => n * 2 } });
    const r = await s.execute(`
      await null;
      String.prototype.includes = () => true; String.prototype.charCodeAt = () => 0xd800;
      performance.now = () => { throw new Error('FORGED clock') };
      Reflect.apply = () => 'FORGED'; Array.prototype[Symbol.iterator] = function* () { yield 'FORGED' };
      const doubled = await host.twice(21);
      console.log('after', doubled);
      doubled`);
    expect(r).toMatchObject({ status: 'ok', value: 42 });
    expect(out.text()).toBe('after 42\n');
    await expectHealthy(s, out);
  });

  it('a user polyfill keeps working in the user own later cells', async () => {
    const s = await openSession();
    await s.execute(
      `Array.prototype.sum = function () { let t = 0; for (const x of this) t += x; return t }; Array.prototype.map = (function (orig) { return function (...a) { const r = orig.apply(this, a); r.mapped = true; return r } })(Array.prototype.map)`,
    );
    const r = await s.execute('[1, 2, 3].sum()');
    expect(r.value).toBe(6);
    const m = await s.execute('[1].map((x) => x).mapped');
    expect(m.value).toBe(true);
  });

  it('forged messages on self from the cell never reach the page', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput, capabilities: { secret: () => 'S' } });
    const r = await s.execute(`
      for (let id = 0; id < 5; id++) self.postMessage({ type: 'capability-call', cellId: id, requestId: id, name: 'secret', args: [] });
      'done'`);
    expect(r.value).toBe('done');
    await expectHealthy(s, out);
  });
});

describe('a built-in pinned down by the cell', () => {
  it.each([
    [
      "Object.defineProperty(Array.prototype, 'map', { value: () => ['FORGED'], configurable: false, writable: false }); 1",
    ],
    ["Object.prototype.then = function (r) { r('FORGED') }; Object.freeze(Object.prototype); 1"],
    ['Object.freeze(Promise.prototype); Promise.prototype.x = 1; 1'],
  ])('%s → the worker fails closed and restarts from the last checkpoint', async (code) => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    await s.execute('var kept = 41');
    const r = await s.execute(code);
    if (r.status === 'ok') {
      // Freezing an untouched prototype changes nothing the engine needs: the session goes on.
      expect(code).toContain('Promise.prototype');
    } else {
      expect(r).toMatchObject({ status: 'error', restarted: true });
    }
    const next = await s.execute('kept + 1');
    expect(next).toMatchObject({ status: 'ok', value: 42 });
    expect(out.text()).not.toContain('FORGED');
    const mapped = await s.execute('[1].map((x) => x + 1)[0]');
    if (r.status !== 'ok') expect(mapped.value).toBe(2);
  });
});
