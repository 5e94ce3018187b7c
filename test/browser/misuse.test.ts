/**
 * Misuse of the API gets an error that says what was wrong and what to do, and loses nothing:
 * the session keeps running with its variables (issue #15's misuse table, README "Errors").
 */
import { describe, expect, it } from 'vitest';
import { createSession, renderDisplay, SessionManager } from '../../lib/index';
import { openSession } from './helpers';

describe('misuse', () => {
  it('a misspelt createSession() or execute() option is a TypeError naming the likely one', async () => {
    await expect(createSession({ timeout: 100 } as never)).rejects.toThrow(
      /createSession\(\) has no option "timeout" — did you mean "timeoutMs"\?/,
    );
    const manager = new SessionManager();
    await expect(manager.create({ persits: true } as never)).rejects.toThrow(/did you mean "persist"\?/);
    await manager.closeAll();
    const s = await openSession();
    await s.execute('let keep = 1');
    await expect(s.execute('keep', { timeout: 5 } as never)).rejects.toThrow(
      /execute\(\) has no option "timeout" — did you mean "timeoutMs"\?/,
    );
    expect((await s.execute('keep')).value).toBe(1);
  });

  it('namespace.set() of a value without a structured clone names the variable and changes nothing', async () => {
    const s = await openSession();
    await s.execute('let a = 1');
    const error = await s.namespace.set({ a: 2, fn: () => 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/namespace\.set\(\): "fn" cannot be sent to the session — a function/);
    expect((error as Error).message).toMatch(/define functions and classes in a cell; no variable was changed/);
    expect((await s.execute('[a, typeof fn]')).value).toEqual([1, 'undefined']);
  });

  it('renderDisplay() without an element or a bundle says which argument is wrong', () => {
    expect(() => renderDisplay(null as never, { 'text/plain': 'x' })).toThrow(/needs a DOM element .* got null/);
    expect(() => renderDisplay(document.createElement('div'), null as never)).toThrow(
      /needs a MIME bundle object as data .* got null/,
    );
  });

  it("restore() merges by default; { mode: 'replace' } leaves only the snapshot's variables", async () => {
    const s = await openSession({ id: `misuse-restore-${crypto.randomUUID()}` });
    await s.execute('let saved = 1');
    const { id } = await s.snapshot();
    await s.execute('saved = 2; let later = 3');
    await s.restore(id);
    expect((await s.execute('[saved, typeof later]')).value).toEqual([1, 'number']);
    await s.execute('saved = 2');
    await s.restore(id, { mode: 'replace' });
    expect((await s.execute('[saved, typeof later, typeof display]')).value).toEqual([1, 'undefined', 'function']);
    await expect(s.restore(id, { mode: 'overwrite' } as never)).rejects.toThrow(
      /mode must be 'merge' or 'replace', got "overwrite"/,
    );
    // A snapshot that cannot be read clears nothing, even in replace mode.
    await expect(s.restore('no-such-snapshot', { mode: 'replace' })).rejects.toThrow(/not found|no snapshot/i);
    expect((await s.execute('saved')).value).toBe(1);
  });
});
