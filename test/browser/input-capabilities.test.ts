/** input() and host capabilities: the human-in-the-loop path and host functions, in a real browser. */
import type * as Comlink from 'comlink';
import { afterEach, describe, expect, it } from 'vitest';
import { type BridgeChannel, type BridgeRequest, type HostBridge, startHostBridge } from '../../lib/host/host-bridge';
import { javascriptWorkerSource } from '../../lib/host/hosting/worker-source';
import { WorkerLink } from '../../lib/host/worker-link';
import type { CellOutcome, HostEvent, RuntimeApi } from '../../lib/protocol';
import type { SessionOptions } from '../../lib/types';
import { awaitInput, openSession, sharedMemory } from './helpers';

const links: WorkerLink[] = [];
afterEach(() => {
  for (const link of links.splice(0)) link.dispose();
});

/**
 * A worker started the way a page without cross-origin isolation starts it: no shared
 * control buffer, so input() must take the awaited path. (The page here is isolated, and
 * its headers cannot change inside Vitest; the e2e suite also covers a non-isolated page.)
 */
async function bareWorker(
  options: SessionOptions,
): Promise<{ remote: Comlink.Remote<RuntimeApi>; run: (code: string) => Promise<CellOutcome> }> {
  let bridge: HostBridge | undefined;
  const link = new WorkerLink({
    name: 'sandcell:test-non-isolated',
    source: javascriptWorkerSource,
    isolated: false,
    config: {
      sessionId: 'non-isolated',
      policy: { network: false, storage: false, workers: false },
      cacheSize: 10,
      hasInput: typeof options.onInput === 'function',
      capabilities: Object.keys(options.capabilities ?? {}),
    },
    onEvent: (event) => {
      if (event.type === 'input-request' || event.type === 'capability-call') bridge?.handle(event);
    },
    onDeath: () => {},
  });
  links.push(link);
  bridge = startHostBridge({ channel: link, options, isCurrentCell: () => true });
  const ready = await link.ready;
  expect(ready.crossOriginIsolated).toBe(false);
  let cellId = 0;
  return { remote: link.remote, run: (code) => link.remote.execute({ cellId: ++cellId, code }) };
}

describe('input()', () => {
  it('is synchronous in the cell with shared memory (no await), and a promise to await without it', async () => {
    const prompts: string[] = [];
    const s = await openSession({
      onInput: async (prompt) => {
        prompts.push(prompt);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return `answer ${prompts.length} ✓`;
      },
    });
    expect(s.crossOriginIsolated).toBe(sharedMemory);
    if (s.crossOriginIsolated) {
      const r = await s.execute(`const a = input('name?'); const b = prompt('again?'); typeof a + ':' + a + '|' + b`);
      expect(r).toMatchObject({ status: 'ok', value: 'string:answer 1 ✓|answer 2 ✓', mode: 'blocking' });
    } else {
      const r = await s.execute(
        `const a = await input('name?'); const b = await prompt('again?'); typeof a + ':' + a + '|' + b`,
      );
      expect(r).toMatchObject({ status: 'ok', value: 'string:answer 1 ✓|answer 2 ✓', mode: 'top-level-await' });
      // Used as text without await, it says what to do instead of printing "[object Promise]".
      const unawaited = await s.execute(`'Hi ' + input('again?')`);
      expect(unawaited.status).toBe('error');
      expect(unawaited.error?.message).toMatch(/write `await input/);
    }
    expect(prompts.slice(0, 2)).toEqual(['name?', 'again?']);
  });

  it('output printed before input() reaches the page before the question', async () => {
    const seen: string[] = [];
    let printedWhenAsked = '';
    const s = await openSession({
      onOutput: (e) => {
        if (e.type === 'stream') seen.push(e.text);
      },
      onInput: () => {
        printedWhenAsked = seen.join('');
        return 'ok';
      },
    });
    const r = await s.execute(`for (let i = 0; i < 2000; i++) console.log('line', i); ${awaitInput(s)}('q')`);
    expect(r.value).toBe('ok');
    expect(printedWhenAsked).toContain('line 1999');
  });

  it('an interrupt wakes an input() that is waiting (without a restart where there is shared memory)', async () => {
    let asked!: () => void;
    const waiting = new Promise<void>((resolve) => (asked = resolve));
    const s = await openSession({
      onInput: () => {
        asked();
        return new Promise<string>(() => {});
      },
      // The cooperative path is under test: a loaded machine may starve the worker for a while.
      interruptGraceMs: 20_000,
    });
    await s.execute(`let kept = 'before'`);
    const running = s.execute(`let got = 'none'; got = ${awaitInput(s)}('wait forever')`);
    await waiting;
    expect(s.state).toBe('busy');
    await s.interrupt();
    const r = await running;
    expect(r.status).toBe('interrupted');
    // Without shared memory nothing can reach the worker's cell but a kill: the hard path, state restored.
    if (s.crossOriginIsolated) expect(r.restarted).toBeFalsy();
    else expect(r.restarted).toBe(true);
    const next = await s.execute('kept + " " + (1 + 1)');
    expect(next.value).toBe('before 2');
  });

  it('an error thrown by onInput is an error in the cell', async () => {
    const s = await openSession({
      onInput: () => {
        throw new Error('no person here');
      },
    });
    const r = await s.execute(`${awaitInput(s)}('x')`);
    expect(r.status).toBe('error');
    expect(r.error?.message).toContain('no person here');
  });

  it('without onInput is a clear error in the cell', async () => {
    const s = await openSession();
    const r = await s.execute(`input('x')`);
    expect(r.status).toBe('error');
    expect(r.error?.message).toMatch(/^\[sandcell\] .*onInput/);
  });

  it('returns a promise to await when the page is not cross-origin isolated', async () => {
    const { run } = await bareWorker({ onInput: (prompt) => `async ${prompt}` });
    const pending = await run(`const p = input('q'); p instanceof Promise`);
    expect(pending).toMatchObject({ status: 'ok', value: true });
    const r = await run(`await input('q2')`);
    expect(r).toMatchObject({ status: 'ok', value: 'async q2' });
    const bad = await bareWorker({});
    const e = await bad.run(`await input('q')`);
    expect(e.status).toBe('error');
    expect(e.error?.message).toContain('onInput');
  });
});

describe('capabilities', () => {
  it('calls host functions with arguments and results by structured clone', async () => {
    const seen: unknown[] = [];
    const s = await openSession({
      capabilities: {
        add: (a: number, b: number) => a + b,
        echo: async (value: unknown) => {
          seen.push(value);
          return { got: value, at: new Date(0) };
        },
      },
    });
    expect((await s.execute('await host.add(2, 3)')).value).toBe(5);
    const r = await s.execute(
      `const sent = { list: [1, 2], m: new Map([[1, 'a']]) }; const back = await host.echo(sent); [back.got !== sent, back.got.m.get(1), back.at instanceof Date, back.at.getTime()]`,
    );
    expect(r.value).toEqual([true, 'a', true, 0]);
    expect(seen[0]).toEqual({ list: [1, 2], m: new Map([[1, 'a']]) });
  });

  it('an error thrown by the host function is thrown in the cell', async () => {
    const s = await openSession({
      capabilities: {
        fail: () => {
          throw new RangeError('out of range on the host');
        },
      },
    });
    const r = await s.execute(`await host.fail()`);
    expect(r.status).toBe('error');
    expect(r.error).toMatchObject({ name: 'RangeError', message: 'out of range on the host' });
    const caught = await s.execute(`let m; try { await host.fail() } catch (e) { m = e.name + ': ' + e.message } m`);
    expect(caught.value).toBe('RangeError: out of range on the host');
  });

  it('an unknown name and uncloneable arguments are errors in the cell', async () => {
    const s = await openSession({ capabilities: { ok: () => 1 } });
    const unknown = await s.execute(`await host.nope()`);
    expect(unknown.status).toBe('error');
    expect(unknown.error?.name).toBe('TypeError');
    const clone = await s.execute(`await host.ok(() => 1)`);
    expect(clone.status).toBe('error');
    expect(clone.error?.message).toMatch(/cannot be sent/);
  });

  it('host.__proto__, host.constructor and inherited names reach nothing', async () => {
    const s = await openSession({ capabilities: { ok: () => 1 } });
    const r = await s.execute(
      `[host.__proto__, host.constructor, host.hasOwnProperty, host.toString, Object.getPrototypeOf(host), Object.isFrozen(host), Object.keys(host).join()]`,
    );
    expect(r.value).toEqual([undefined, undefined, undefined, undefined, null, true, 'ok']);
    // A strict cell (as in the console) throws on the write to the frozen object; either way nothing is forged.
    const write = await s.execute(`'use strict'; host.ok = () => 'forged'; 1`);
    expect(write.error?.name).toBe('TypeError');
    expect((await s.execute('await host.ok()')).value).toBe(1);
  });
});

describe('startHostBridge refuses forged capability calls', () => {
  async function ask(
    message: unknown,
    capabilities: Record<string, (...args: unknown[]) => unknown>,
  ): Promise<HostEvent | 'no reply'> {
    let answer!: (event: HostEvent) => void;
    const replied = new Promise<HostEvent>((resolve) => (answer = resolve));
    const channel: BridgeChannel = { post: answer, answerSyncInput: () => {} };
    const bridge = startHostBridge({ channel, options: { capabilities }, isCurrentCell: (id) => id === 1 });
    try {
      bridge.handle(message as BridgeRequest);
      // A refused or answered call replies within a few microtasks; 300 ms of silence means none is coming.
      return await Promise.race([
        replied,
        new Promise<'no reply'>((resolve) => setTimeout(() => resolve('no reply'), 300)),
      ]);
    } finally {
      bridge.dispose();
    }
  }

  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'inherited'])(
    'a call naming %s is refused',
    async (name) => {
      let called = false;
      const capabilities = Object.create({
        inherited: () => {
          called = true;
        },
      }) as Record<string, (...args: unknown[]) => unknown>;
      capabilities.real = () => {
        called = true;
      };
      const reply = await ask({ type: 'capability-call', cellId: 1, requestId: 7, name, args: [] }, capabilities);
      expect(reply).toMatchObject({ type: 'capability-reply', requestId: 7, ok: false, error: { name: 'TypeError' } });
      expect(called).toBe(false);
    },
  );

  it('answers a well-formed call, and ignores or refuses malformed ones', async () => {
    const capabilities = { real: (x: unknown) => [x] };
    expect(
      await ask({ type: 'capability-call', cellId: 1, requestId: 1, name: 'real', args: [5] }, capabilities),
    ).toEqual({
      type: 'capability-reply',
      requestId: 1,
      ok: true,
      value: [5],
    });
    expect(
      await ask({ type: 'capability-call', cellId: 1, requestId: 'x', name: 'real', args: [] }, capabilities),
    ).toBe('no reply');
    expect(
      await ask({ type: 'capability-call', cellId: 1, requestId: 2, name: 'real', args: 'nope' }, capabilities),
    ).toMatchObject({ ok: false });
    // A call from a cell that is not running is refused.
    expect(
      await ask({ type: 'capability-call', cellId: 9, requestId: 3, name: 'real', args: [] }, capabilities),
    ).toMatchObject({ ok: false });
    expect(await ask({ type: 'bogus' }, capabilities)).toBe('no reply');
  });
});
