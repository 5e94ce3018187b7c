/** Stop anything: the interrupt flag, time limits, and the hard path with the namespace restored. */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../lib/index';
import { openSession } from './helpers';

/** Starts `cell`, waits until it is surely running, interrupts, and returns the result. */
async function interruptAfter(session: Session, cell: string, ms = 150) {
  const running = session.execute(cell);
  await new Promise((r) => setTimeout(r, ms));
  await session.interrupt();
  return running;
}

async function expectHealthy(session: Session) {
  const r = await session.execute('typeof keep === "undefined" ? 21 * 2 : keep');
  expect(r.status).toBe('ok');
  return r.value;
}

describe('cooperative interrupts (SharedArrayBuffer flag)', () => {
  it.each([
    ['while (true) {}'],
    ['for (;;) { try {} catch (e) {} }'],
    ['for (;;) { try { throw 1 } catch { } }'],
    ['try { while (true) {} } finally { while (true) {} }'],
    ['function r() { try { r() } catch { r() } } r()'],
    ['let i = 0; do { i++ } while (true)'],
    ['const o = {a: 1}; for (;;) { for (const k in o) {} for (const v of [1]) {} }'],
    ['[1].forEach(function spin() { while (true) {} })'],
    ['for (;;) await 0'],
    ['function spin() { return Promise.resolve().then(spin) } await spin()'],
    ['await new Promise(() => {})'],
    ['async function f() { for (;;) await null } await f()'],
  ])('stops %s without a restart and keeps the session', async (cell) => {
    const s = await openSession();
    await s.execute('let keep = "kept"');
    const r = await interruptAfter(s, cell);
    expect(r.status).toBe('interrupted');
    expect(r.restarted).toBeUndefined();
    expect(await expectHealthy(s)).toBe('kept');
  });

  it('a user catch cannot swallow the interrupt, even around an awaited loop', async () => {
    const s = await openSession();
    const r = await interruptAfter(
      s,
      'let caught = 0; for (;;) { try { await 0; for (;;) {} } catch (e) { caught++ } }',
    );
    expect(r.status).toBe('interrupted');
    expect((await s.execute('caught')).value).toBe(0);
  });

  it('resolves interrupt() only once the running cell has settled; queued cells still run', async () => {
    const s = await openSession();
    const first = s.execute('while (true) {}');
    const second = s.execute('"second"');
    await new Promise((r) => setTimeout(r, 100));
    let settled = false;
    void first.then(() => (settled = true));
    await s.interrupt();
    expect(settled).toBe(true);
    expect((await first).status).toBe('interrupted');
    expect((await second).value).toBe('second');
  });

  it('a stale interrupt (sent while idle) never hits the next cell', async () => {
    const s = await openSession();
    await s.interrupt();
    await s.interrupt();
    const r = await s.execute('let n = 0; for (let i = 0; i < 1e6; i++) n++; n');
    expect(r).toMatchObject({ status: 'ok', value: 1e6 });
  });

  it('clears the timers and intervals of an interrupted cell', async () => {
    const s = await openSession();
    const r = await interruptAfter(
      s,
      'globalThis.ticks = 0; setInterval(() => ticks++, 1); setTimeout(() => { ticks = -1000 }, 300); await new Promise(() => {})',
    );
    expect(r.status).toBe('interrupted');
    const before = (await s.execute('ticks')).value as number;
    expect(before).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 400));
    expect((await s.execute('ticks')).value).toBe(before);
  });

  it('interrupt() while idle stops intervals that completed cells left running', async () => {
    const s = await openSession();
    await s.execute('globalThis.bg = 0; setInterval(() => bg++, 1)');
    await new Promise((res) => setTimeout(res, 50));
    await s.interrupt();
    const before = (await s.execute('bg')).value as number;
    expect(before).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 100));
    expect((await s.execute('bg')).value).toBe(before);
  });

  it('goes busy → interrupting → idle', async () => {
    const s = await openSession();
    const states: string[] = [];
    s.addEventListener('state', (e) => states.push((e as CustomEvent).detail));
    await interruptAfter(s, 'while (true) {}');
    expect(states).toEqual(['busy', 'interrupting', 'idle']);
  });
});

describe('time limits', () => {
  it.each([['while (true) {}'], ['for (;;) await 0'], ['await new Promise(() => {})']])(
    'times out %s with status timeout',
    async (cell) => {
      const s = await openSession();
      const r = await s.execute(cell, { timeoutMs: 100 });
      expect(r.status).toBe('timeout');
      expect(r.restarted).toBeUndefined();
      expect(r.durationMs).toBeGreaterThanOrEqual(90);
      expect(await expectHealthy(s)).toBe(42);
    },
  );

  it('uses the session default and lets execute override it', async () => {
    const s = await openSession({ timeoutMs: 50 });
    expect((await s.execute('while (true) {}')).status).toBe('timeout');
    const r = await s.execute('await new Promise((r) => setTimeout(() => r("late"), 120))', { timeoutMs: 5000 });
    expect(r).toMatchObject({ status: 'ok', value: 'late' });
  });

  it('an AbortSignal interrupts the running cell or drops a queued one', async () => {
    const s = await openSession();
    const running = new AbortController();
    const queued = new AbortController();
    const a = s.execute('while (true) {}', { signal: running.signal });
    const b = s.execute('globalThis.ranB = true', { signal: queued.signal });
    queued.abort();
    await new Promise((r) => setTimeout(r, 100));
    running.abort();
    expect((await a).status).toBe('interrupted');
    expect((await b).status).toBe('interrupted');
    expect((await s.execute('typeof ranB')).value).toBe('undefined');
  });
});

describe('hard path: kill, respawn, restore', () => {
  it('restarts for code that escapes instrumentation and restores the last checkpoint', async () => {
    const s = await openSession({ interruptGraceMs: 200 });
    const restarts: unknown[] = [];
    s.addEventListener('restart', (e) => restarts.push((e as CustomEvent).detail));
    await s.execute(
      'const shared = {n: 1}; const a = {shared, list: [1, 2]}; const b = {shared}; const cyc = {name: "c"}; cyc.self = cyc; let count = 5; class P { constructor(x) { this.x = x } double() { return this.x * 2 } } const p = new P(21)',
    );
    await s.execute('count++');
    const states: string[] = [];
    s.addEventListener('state', (e) => states.push((e as CustomEvent).detail));
    const r = await interruptAfter(s, 'count = 100; eval("while (true) {}")');
    expect(r).toMatchObject({ status: 'interrupted', restarted: true });
    expect(states, states.join()).toEqual(['busy', 'interrupting', 'restarting', 'idle']);
    expect(restarts).toHaveLength(1);
    const check = await s.execute(
      '[count, a.shared === b.shared, cyc.self === cyc, a.list, p.double(), p instanceof P]',
    );
    expect(check.value, JSON.stringify(check)).toEqual([6, true, true, [1, 2], 42, true]);
    expect((await s.stats()).restarts).toBe(1);
  });

  it.each([['new Function("while (true) {}")()'], ['Array.from({length: 1}, () => { eval("for(;;);") })']])(
    'restarts for %s',
    async (cell) => {
      const s = await openSession({ interruptGraceMs: 100 });
      await s.execute('let keep = "kept"');
      const r = await interruptAfter(s, cell);
      expect(r).toMatchObject({ status: 'interrupted', restarted: true });
      expect(await expectHealthy(s)).toBe('kept');
    },
  );

  it('times out through the hard path when the cooperative check cannot run', async () => {
    const s = await openSession({ interruptGraceMs: 100 });
    await s.execute('let keep = "kept"');
    const r = await s.execute('eval("while (true) {}")', { timeoutMs: 100 });
    expect(r).toMatchObject({ status: 'timeout', restarted: true });
    expect(await expectHealthy(s)).toBe('kept');
  });

  it('keeps queued cells across a restart', async () => {
    const s = await openSession({ interruptGraceMs: 100 });
    await s.execute('let keep = "kept"');
    const stuck = s.execute('eval("while (true) {}")');
    const after = s.execute('keep + "!"');
    await new Promise((r) => setTimeout(r, 100));
    await s.interrupt();
    expect((await stuck).restarted).toBe(true);
    expect((await after).value).toBe('kept!');
  });

  it('detects a worker that dies on its own and restores the namespace', async () => {
    const s = await openSession();
    await s.execute('let keep = "kept"');
    const r = await s.execute('self.close(); await new Promise(() => {})', { timeoutMs: 10_000 });
    expect(r).toMatchObject({ status: 'error', restarted: true });
    expect(r.error?.message).toMatch(/restarted/);
    expect(await expectHealthy(s)).toBe('kept');
  });

  it('survives a memory bomb and stays usable', async () => {
    const s = await openSession({ interruptGraceMs: 500 });
    await s.execute('let keep = "kept"');
    const r = await s.execute('const hog = []; for (;;) hog.push(new Array(1e6).fill(1))', { timeoutMs: 1000 });
    expect(['timeout', 'error']).toContain(r.status);
    expect(await expectHealthy(s)).toBe('kept');
  });
});
