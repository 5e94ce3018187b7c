import { afterEach, describe, expect, it } from 'vitest';
import { SessionClosedError, SessionLimitError, SessionManager } from '../../lib/index';
import { awaitInput } from './helpers';
import { liveRunners, startedRunners } from './setup/runners';

// Session runners (frames, page workers) are counted by the suite's setup (./setup/runners.ts):
// a pooled create is told from a cold one, and "nothing left running" checked, by what happened,
// not by how long it took.

const managers: SessionManager[] = [];
function manager(options?: ConstructorParameters<typeof SessionManager>[0]): SessionManager {
  const m = new SessionManager(options);
  managers.push(m);
  return m;
}
afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.closeAll()));
  expect(liveRunners()).toHaveLength(0);
});

/** Resolves when `session` next enters `state` (an event, not a timer that checks). */
function nextState(session: { state: string } & EventTarget, state: string): Promise<void> {
  return new Promise((resolve) => {
    const on = () => {
      if (session.state !== state) return;
      session.removeEventListener('state', on);
      resolve();
    };
    session.addEventListener('state', on);
  });
}

describe('SessionManager', () => {
  it('rejects past maxSessions with SessionLimitError, and a closed session frees its slot', async () => {
    const m = manager({ maxSessions: 2 });
    const a = await m.create();
    await m.create();
    const error = await m.create().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionLimitError);
    expect((error as Error).message).toMatch(/maxSessions is 2.*close one/);
    await a.close();
    expect(m.list()).toHaveLength(1);
    expect(m.get(a.id)).toBeUndefined();
    const c = await m.create();
    expect((await c.execute('1 + 1')).value).toBe(2);
  });

  it('counts concurrent creates against the limit', async () => {
    const m = manager({ maxSessions: 1 });
    const results = await Promise.allSettled([m.create(), m.create()]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('rejects bad options and a duplicate id', async () => {
    expect(() => new SessionManager({ maxSessions: 0 })).toThrow(TypeError);
    expect(() => new SessionManager({ poolSize: -1 })).toThrow(/poolSize/);
    expect(() => new SessionManager({ defaults: { id: 'x' } })).toThrow(/create\(\)/);
    const m = manager();
    await m.create({ id: 'dup' });
    await expect(m.create({ id: 'dup' })).rejects.toThrow(/already open/);
  });

  it('hands out a pre-started session from the pool without starting a worker, then refills', async () => {
    const m = manager({ poolSize: 1 });
    await m.whenPoolReady();
    const before = startedRunners();
    const s = await m.create({ id: 'pooled-1' });
    expect(startedRunners()).toBe(before); // no worker started by create(): it is the pooled one
    expect(s.id).toBe('pooled-1');
    expect(s.state).toBe('idle');
    expect(m.get('pooled-1')).toBe(s);
    expect((await s.stats()).executions).toBe(0);
    expect((await s.execute('let x = 20; x * 2')).value).toBe(40);
    await m.whenPoolReady();
    expect(startedRunners()).toBe(before + 1);
    expect(m.list()).toEqual([s]); // pooled sessions are not listed
  });

  it('applies host-side options to a pooled session: onOutput, onInput, capabilities, snapshot id', async () => {
    const m = manager({ poolSize: 1, defaults: { capabilities: { twice: (n: number) => n } } });
    await m.whenPoolReady();
    const before = startedRunners();
    const lines: string[] = [];
    const s = await m.create({
      id: 'adopted',
      onOutput: (e) => e.type === 'stream' && lines.push(e.text),
      onInput: (prompt) => `answer to ${prompt}`,
      capabilities: { twice: (n: number) => n * 2 },
    });
    expect(startedRunners()).toBe(before);
    const r = await s.execute(`console.log("hi"); const a = ${awaitInput(s)}("q"); [a, await host.twice(21)]`);
    expect(r.status).toBe('ok');
    expect(r.value).toEqual(['answer to q', 42]);
    expect(lines.join('')).toBe('hi\n');
    const info = await s.snapshot();
    expect(info.sessionId).toBe('adopted');
  });

  it('gives input() a clear error in a pooled session without onInput', async () => {
    const m = manager({ poolSize: 1 });
    await m.whenPoolReady();
    const s = await m.create();
    const r = await s.execute(`${awaitInput(s)}("name?")`);
    expect(r.status).toBe('error');
    expect(r.error?.message).toMatch(/onInput/);
  });

  it('restores the latest snapshot into a pooled session with restore: true', async () => {
    const m = manager({ poolSize: 1 });
    const first = await m.create({ id: 'restore-me' });
    await first.execute('var kept = { n: 41 }');
    await first.snapshot();
    await first.close();
    await m.whenPoolReady();
    const before = startedRunners();
    const again = await m.create({ id: 'restore-me', restore: true });
    expect(startedRunners()).toBe(before);
    expect((await again.execute('kept.n + 1')).value).toBe(42);
  });

  it('starts a cold session when the options change the worker (policy, capability names, cacheSize)', async () => {
    const m = manager({ poolSize: 1 });
    await m.whenPoolReady();
    const before = startedRunners();
    const s = await m.create({ policy: 'standard' });
    expect(startedRunners()).toBe(before + 1);
    expect(m.pooled).toBe(1);
    expect((await s.execute('typeof fetch')).value).toBe('function');
    await m.create({ cacheSize: 5 });
    await m.create({ capabilities: { f: () => 1 } });
    expect(startedRunners()).toBe(before + 3);
  });

  it('does not refill the pool while a session is running a cell', async () => {
    const m = manager({ poolSize: 1 });
    await m.whenPoolReady();
    const before = startedRunners();
    // The cell is held in input() until the test answers: busy for as long as the test needs.
    let asked!: () => void;
    let answer!: (text: string) => void;
    const waiting = new Promise<void>((resolve) => (asked = resolve));
    const s = await m.create({
      onInput: () => {
        asked();
        return new Promise<string>((resolve) => (answer = resolve));
      },
    });
    const running = s.execute(`${awaitInput(s)}("hold")`);
    await waiting;
    // A refill is started by a zero-delay timer after a state change: give one the time to show up.
    await new Promise((r) => setTimeout(r, 300));
    expect(s.state).toBe('busy');
    expect(startedRunners()).toBe(before);
    answer('go');
    expect((await running).status).toBe('ok');
    await m.whenPoolReady();
    expect(startedRunners()).toBe(before + 1);
  });

  it('closeAll closes every session and pooled worker; later calls reject with SessionClosedError', async () => {
    const m = manager({ poolSize: 2, maxSessions: 4 });
    const a = await m.create();
    const b = await m.create();
    await m.whenPoolReady();
    expect(m.pooled).toBe(2);
    expect(liveRunners()).toHaveLength(4);
    await m.closeAll();
    expect(liveRunners()).toHaveLength(0);
    expect(m.list()).toEqual([]);
    expect(m.pooled).toBe(0);
    for (const s of [a, b]) {
      expect(s.state).toBe('closed');
      await expect(s.execute('1')).rejects.toBeInstanceOf(SessionClosedError);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(liveRunners()).toHaveLength(0); // no background refill after closeAll
  });

  it('keeps a restarted session listed under the same id, and drops a closed one', async () => {
    const m = manager({ poolSize: 1 });
    await m.whenPoolReady();
    const s = await m.create({ id: 'restarts', interruptGraceMs: 200 });
    await s.execute('var before = 7');
    const busy = nextState(s, 'busy');
    const running = s.execute("eval('while(true){}')");
    await busy;
    await s.interrupt();
    const r = await running;
    expect(r).toMatchObject({ status: 'interrupted', restarted: true });
    expect(s.id).toBe('restarts');
    expect(m.get('restarts')).toBe(s);
    expect(m.list()).toContain(s);
    expect((await s.execute('before')).value).toBe(7);
    // The respawned worker keeps the adopted id for snapshots.
    expect((await s.snapshot()).sessionId).toBe('restarts');
    await s.close();
    expect(m.get('restarts')).toBeUndefined();
    expect(m.list()).toEqual([]);
  });
});
