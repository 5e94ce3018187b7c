/**
 * Hostile values are data, never control, and rendering is bounded (issue 11): each cell is
 * an attack from the issue; each left `execute` rejected, a session dead or the page blocked
 * for seconds before results were rendered from a bounded, inert copy.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../lib/index';
import { openSession } from './helpers';

/** A session whose cells can say they run: a cell calls `host.running()`, and `started` resolves. */
async function signallingSession(): Promise<{ session: Session; started: () => Promise<void> }> {
  let running: (() => void) | undefined;
  let signal = new Promise<void>((resolve) => (running = resolve));
  const session = await openSession({ capabilities: { running: () => running?.() } });
  const started = async () => {
    await signal;
    signal = new Promise<void>((resolve) => (running = resolve));
  };
  return { session, started };
}

describe('hostile values are data, never control', () => {
  it.each([
    ['({ inspect() { return () => 1 } })', 'ok'],
    ['({ inspect() { return Symbol("s") } })', 'ok'],
    ['throw { inspect() { return () => 1 } }', 'error'],
    ['throw { inspect() { return Symbol("s") } }', 'error'],
    ['const e = new Error("m"); e.name = { toString() { return () => 1 } }; throw e', 'error'],
    [
      'const e = new Error("m"); Object.defineProperty(e, "message", { get() { throw Symbol("x") } }); throw e',
      'error',
    ],
    ['({ get boom() { throw Symbol("no") } })', 'ok'],
  ])('execute resolves for %s', async (cell, status) => {
    const s = await openSession();
    const r = await s.execute(cell);
    expect(r.status).toBe(status);
    if (r.status === 'ok') expect(typeof r.repr).toBe('string');
    else expect(typeof r.error?.message).toBe('string');
    expect((await s.execute('1 + 1')).value).toBe(2);
  });

  it('namespace.list() renders a variable whose inspect() returns a non-string, and never calls a getter', async () => {
    const s = await openSession();
    await s.execute(
      'var odd = { inspect() { return 42 } }; var trap = { get x() { throw new Error("ran") } }; var fine = 1',
    );
    const list = await s.namespace.list();
    expect(list.find((v) => v.name === 'fine')).toEqual({ name: 'fine', type: 'number', repr: '1' });
    expect(list.find((v) => v.name === 'odd')?.repr).toBe('{ inspect: [Function: inspect] }');
    expect(list.find((v) => v.name === 'trap')?.repr).toBe('{ x: [Getter] }');
  });

  it('display() of a value whose inspect() returns a function, then a flush, leaves execute, timeouts and interrupt working', async () => {
    const { session: s, started } = await signallingSession();
    const r = await s.execute('display({ inspect() { return () => 1 } }); console.log("after")');
    expect(r.status).toBe('ok');
    expect(await s.execute('for(;;){}', { timeoutMs: 100 })).toMatchObject({ status: 'timeout' });
    const spinning = s.execute('host.running(); for(;;){}');
    await started();
    await s.interrupt();
    expect((await spinning).status).toBe('interrupted');
  });

  it('renders the same text while a cell has patched the built-ins object-inspect uses', async () => {
    const s = await openSession();
    const value = '[new Map([[1, { a: [1, 2] }]]), new Set(["s"]), /x/g, new (class Point { x = 1 })(), "q"]';
    const expected = (await s.execute(value)).repr;
    expect(expected).toBe("[ Map (1) {1 => { a: [ 1, 2 ] }}, Set (1) {'s'}, /x/g, Point { x: 1 }, 'q' ]");
    await s.execute(`
      const boom = () => { throw new Error('patched built-in called') };
      for (const [target, key] of [[Array.prototype, 'push'], [Array.prototype, 'join'], [Array.prototype, 'slice'],
        [Array.prototype, 'indexOf'], [String.prototype, 'replace'], [String.prototype, 'slice'],
        [Map.prototype, 'entries'], [Map.prototype, 'forEach'], [Set.prototype, 'values'], [Object, 'getOwnPropertySymbols']])
        target[key] = boom;
      Object.defineProperty(Object.prototype, 'inspect', { get: boom, configurable: true });
      Object.defineProperty(Array.prototype, '0', { set: boom, get: boom, configurable: true });
    `);
    const r = await s.execute(value);
    expect(r).toMatchObject({ status: 'ok', repr: expected });
  });
});

describe('results cannot be forged', () => {
  /** A setter on Object.prototype that turns any object's `key` into 'forged'. */
  const forger = (key: string) =>
    `const forge = { set(v) { Object.defineProperty(this, '${key}', { value: 'forged', enumerable: true, writable: true, configurable: true }) }, configurable: true };`;

  it.each(['value', 'repr', 'status', 'hasValue'])(
    'a promise chain left running cannot put a %s setter on Object.prototype under the result',
    async (key) => {
      const s = await openSession();
      // The chain re-installs the setter on every microtask, so some of them run after the cell settled.
      const r = await s.execute(`${forger(key)}
        let steps = 0;
        const chain = () => { Object.defineProperty(Object.prototype, '${key}', forge); if (steps++ < 300) Promise.resolve().then(chain) };
        Promise.resolve().then(chain);
        await 0;
        'genuine'`);
      expect(r).toMatchObject({ status: 'ok', value: 'genuine', repr: "'genuine'" });
      expect((await s.execute('1 + 1')).value).toBe(2);
    },
  );

  it('a promise chain left running cannot patch what renders the result', async () => {
    const s = await openSession();
    const r = await s.execute(`
      let steps = 0;
      const chain = () => { Array.prototype.join = () => 'forged'; if (steps++ < 300) Promise.resolve().then(chain) };
      Promise.resolve().then(chain);
      await 0;
      [1, 2]`);
    expect(r).toMatchObject({ status: 'ok', value: [1, 2], repr: '[ 1, 2 ]' });
  });

  it("the value's own getter, run while the value is copied, cannot forge the result", async () => {
    const s = await openSession();
    const r = await s.execute(`${forger('repr')}
      ({ get x() { Object.defineProperty(Object.prototype, 'repr', forge); return 1 } })`);
    expect(r).toMatchObject({ status: 'ok', value: { x: 1 }, repr: '{ x: [Getter] }' });
  });
});

describe('rendering is bounded', () => {
  it('a 20,000-row array renders its first 100 rows', async () => {
    const s = await openSession();
    const r = await s.execute('Array.from({ length: 20000 }, (_, i) => ({ id: i, name: "row " + i }))');
    expect(r.status).toBe('ok');
    expect(r.repr).toMatch(
      /^\[ \{ id: 0, name: 'row 0' \}, .*\{ id: 99, name: 'row 99' \}, \.\.\. 19900 more items \]$/,
    );
  });

  it('a 100,000-object result renders a bounded prefix, in the result and in namespace.list()', async () => {
    const s = await openSession();
    const r = await s.execute('const big = {}; for (let i = 0; i < 100000; i++) big["k" + i] = { i }; big');
    expect(r.status).toBe('ok');
    expect(r.repr).toMatch(/^\{ k0: \{ i: 0 \}, .*\.\.\. 99900 more properties \}$/);
    const list = await s.namespace.list();
    expect(list.find((v) => v.name === 'big')?.repr).toMatch(/^\{ k0: \{ i: 0 \}, .*\.\.\. 99980 more properties \}$/);
  });

  it('a tree of one shared array, 100 wide and 6 deep (10^12 leaves), renders within the total budget', async () => {
    const s = await openSession();
    const r = await s.execute('let level = "leaf"; for (let d = 0; d < 6; d++) level = Array(100).fill(level); level');
    expect(r.status).toBe('ok');
    expect(r.repr?.length).toBeLessThanOrEqual(100_000);
    expect(r.repr).toMatch(/more items \]$/);
  });
});
