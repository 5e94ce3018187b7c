/**
 * Cells behave like the DevTools console (issue 12), end to end: one case per kind of
 * behaviour. Expected values are what Chrome's own REPL-mode evaluator gives (see
 * test/unit/executor/console-semantics.test.ts and the differential test for the full tables),
 * in every engine: positions are V8's everywhere (lib/executor/engine-stack.ts,
 * lib/executor/jsc-position.ts). Error messages are the engine's own, passed through: where
 * SpiderMonkey or JavaScriptCore words one differently, `engineSays` has each engine's words.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../lib/index';
import { engineSays } from './engine';
import { collectOutput, openSession } from './helpers';

/** Whether the engine running the suite parses `code` (a feature test, in the page: the worker has the same engine). */
function parses(code: string): boolean {
  try {
    new Function(code);
    return true;
  } catch {
    return false;
  }
}

/** Each cell's value (or `Name: message` of its error), in order. */
async function outcomes(session: Session, cells: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const cell of cells) {
    const r = await session.execute(cell);
    if (r.status !== 'ok') out.push(`${r.error?.name}: ${r.error?.message}`);
    else out.push(r.repr === undefined ? '(none)' : 'value' in r ? r.value : r.repr);
  }
  return out;
}

describe('the console, cell by cell', () => {
  it('a cell’s value is its completion value, and _ follows it', async () => {
    const s = await openSession();
    expect(
      await outcomes(s, [
        'if (1) { 5 }',
        'try { throw 1 } catch (e) { "c" }',
        'switch (1) { case 1: "one" }',
        'for (let i = 0; i < 3; i++) i',
        'lbl: { 4; break lbl }',
        '{ 1 }',
        '1; let x = 2',
        'f(); function f() { return 9 }',
        'await 0; class C {}',
        '_',
      ]),
    ).toEqual([5, 'c', 'one', 2, 4, 1, 1, 9, 0, 0]);
  });

  it('keeps the temporal dead zone; a redeclaration reads the old value', async () => {
    const s = await openSession();
    expect(
      await outcomes(s, [
        'let x = 1',
        'let x = x + 1',
        'x',
        'let t = t',
        'typeof y; let y = 1',
        'throw 1; let z = 2',
        'z = 5',
        'let z = 3; z',
      ]),
    ).toEqual([
      '(none)',
      '(none)',
      2,
      'ReferenceError: t is not defined',
      'ReferenceError: y is not defined',
      expect.stringContaining('Uncaught 1'),
      "ReferenceError: Cannot access 'z' before initialization",
      3,
    ]);
  });

  it('function declarations are live bindings', async () => {
    const s = await openSession();
    expect(
      await outcomes(s, [
        'function a() { return b() }; function b() { return 1 }',
        'function b() { return 2 }',
        'a()',
        'function r(n) { return n ? r(n - 1) : "old" }',
        'const r0 = r; r = () => "new"; typeof r',
        'r0(2)',
        'function later() { return lateValue }',
        'let lateValue = "seen"',
        'later()',
      ]),
    ).toEqual(['(none)', '(none)', 2, '(none)', 'function', 'new', '(none)', '(none)', 'seen']);
  });

  it('the engine does not depend on globals the user can change', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput, interruptGraceMs: 100 });
    for (const cell of [
      'let performance = 1',
      'var performance',
      'performance = null',
      'let Array = 1; let JSON = 2',
    ]) {
      expect((await s.execute(cell)).status).toBe('ok');
      const r = await s.execute('console.log("alive"); [1, 2].length');
      expect(r).toMatchObject({ status: 'ok', value: 2 });
    }
    expect(out.text('stdout')).toBe('alive\n'.repeat(4));
    const stopped = await s.execute('while (true) {}', { timeoutMs: 50 });
    expect(stopped.status).toBe('timeout');
    expect((await s.namespace.list()).map((v) => v.name)).toContain('Array');
    // A restart restores the names one checkpoint group at a time: the engine reading the next
    // group must not see the `Array` and `JSON` the ones before brought back, and they come
    // back as the lets they were, not over the built-ins on globalThis.
    const killed = await s.execute('eval("while (true) {}")', { timeoutMs: 50 });
    expect(killed).toMatchObject({ status: 'timeout', restarted: true });
    expect(
      await s.execute('console.log("alive"); [Array, JSON, typeof performance, typeof globalThis.Array]'),
    ).toMatchObject({ status: 'ok', value: [1, 2, 'object', 'function'] });
    expect((await s.namespace.list()).map((v) => v.name)).toEqual(expect.arrayContaining(['Array', 'JSON']));
  });

  it('names the user may take: input, display, host, prompt, and a user’s own _', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    expect(
      await outcomes(s, [
        'let input = "mine"; input',
        'let display = 2; display',
        'var host = 3; host',
        'function prompt() { return "asked" }',
        'prompt()',
        'console.log("engine still prints"); 1',
        'const _ = { chunk: (xs) => [xs] }',
        '40 + 2',
        'typeof _.chunk',
        // The policy's stand-in for fetch is a permanent global; the name is still the user's to take.
        'let fetch = 1; fetch',
        'fetch + 1',
      ]),
    ).toEqual(['mine', 2, 3, '(none)', 'asked', 1, '(none)', 42, 'function', 1, 2]);
    expect(out.text('stdout')).toBe('engine still prints\n');
  });

  it('let/const/class are not properties of globalThis; var/function are, and cannot be deleted', async () => {
    const s = await openSession();
    expect(
      await outcomes(s, [
        'let gl = 1; const gc = 2; class GK {}',
        '[globalThis.gl, "gc" in globalThis, globalThis.GK]',
        'let Array = 1',
        'typeof globalThis.Array',
        'var v = 1; function fn() {}',
        '[delete v, delete fn, typeof globalThis.fn]',
        'const c = 1',
        'var c',
        'c',
        'const a = 1, b = (a = 5)',
        'const k = (() => { throw new Error("init") })()',
        'k = 5',
      ]),
    ).toEqual([
      '(none)',
      [undefined, false, undefined],
      '(none)',
      'function',
      '(none)',
      [false, false, 'function'],
      '(none)',
      '(none)',
      1,
      'TypeError: Assignment to constant variable.',
      'Error: init',
      'TypeError: Assignment to constant variable.',
    ]);
  });

  it("'use strict' at the top of a cell makes it strict", async () => {
    const s = await openSession();
    expect(
      await outcomes(s, [
        '"use strict"; undeclared = 1',
        '"use strict"; (function () { return this })()',
        '"use strict"; Object.freeze({ a: 1 }).a = 2',
        '(function () { return this === globalThis })()',
      ]),
    ).toEqual([
      engineSays({
        v8: 'ReferenceError: undeclared is not defined',
        spidermonkey: 'ReferenceError: assignment to undeclared variable undeclared',
        javascriptcore: "ReferenceError: Can't find variable: undeclared",
      }),
      undefined,
      engineSays({
        v8: expect.stringMatching(/^TypeError: Cannot assign to read only property 'a'/),
        spidermonkey: 'TypeError: "a" is read-only',
        javascriptcore: 'TypeError: Attempted to assign to readonly property.',
      }),
      true,
    ]);
  });

  it('function source is the user’s, and anonymous functions keep their names', async () => {
    const s = await openSession();
    await s.execute('function spin(n) { let t = 0; for (let i = 0; i < n; i++) t += helper(i); return t }');
    expect((await s.execute('spin.toString()')).value).toBe(
      'function spin(n) { let t = 0; for (let i = 0; i < n; i++) t += helper(i); return t }',
    );
    await s.execute('const worker = (data) => data.map((v) => v * 2)');
    expect((await s.execute('String(worker)')).value).toBe('(data) => data.map((v) => v * 2)');
    // Code built from function source runs.
    expect((await s.execute('new Function("return (" + worker + ")([1, 2])")()')).value).toEqual([2, 4]);
    expect((await s.execute('(() => 1)')).repr).toBe('[Function (anonymous)]');
    expect((await s.execute('[worker.name, (class {}).name, Function.prototype.toString.toString()]')).value).toEqual([
      'worker',
      '',
      'function toString() { [native code] }',
    ]);
  });

  it('more of the language: script arguments/new.target, eval declarations, top-level using kept undisposed, Annex B, shebang', async () => {
    const s = await openSession();
    // A block's `using` is the engine's to run (sandcell lowers only the top level's); JSC 2.50
    // has no `using` at all, and the cell is then a SyntaxError placed where JSC places it.
    const blockUsing = parses('{ using x = null }');
    expect(
      await outcomes(s, [
        'typeof arguments',
        'new.target',
        "eval('var ev = 1; function ef() { return ev + 1 }')",
        'ef()',
        'using res = { [Symbol.dispose]() { globalThis.disposed = true } }; 1',
        // The console's REPL mode keeps a top-level `using` binding for later cells and never
        // disposes it (a block's `using` is disposed as usual).
        '[typeof res, typeof disposed]',
        '{ using inner = { [Symbol.dispose]() {} } } 2',
        'await using ares = { async [Symbol.asyncDispose]() { globalThis.adisposed = true } }; 3',
        'typeof adisposed',
        'if (true) function iff() { return "annex b" }',
        'iff()',
        '#!/usr/bin/env node\n6 * 7',
        '{a: 1}',
        ';',
      ]),
    ).toEqual([
      'undefined',
      expect.stringMatching(/^SyntaxError: /),
      undefined,
      2,
      1,
      ['object', 'undefined'],
      blockUsing ? 2 : "SyntaxError: Unexpected identifier 'inner'",
      3,
      'undefined',
      undefined,
      'annex b',
      42,
      { a: 1 },
      '(none)',
    ]);
    if (!blockUsing) {
      expect(await s.execute('1;\n{ using inner = { [Symbol.dispose]() {} } } 2')).toMatchObject({
        status: 'error',
        mode: 'syntax-error',
        error: { name: 'SyntaxError', line: 2, column: 9 },
      });
    }
  });

  it('errors are placed and worded as the console does', async () => {
    const s = await openSession();
    const at = async (cell: string) => {
      const r = await s.execute(cell);
      return [r.error?.name, r.error?.message, r.error?.line, r.error?.column];
    };
    await s.execute('const n = 5; class N {}');
    expect(await at('n()')).toEqual([
      'TypeError',
      engineSays({
        v8: 'n is not a function',
        spidermonkey: 'n is not a function',
        javascriptcore: "n is not a function. (In 'n()', 'n' is 5)",
      }),
      1,
      1,
    ]);
    expect(await at('let a = 1\n     N()')).toEqual([
      'TypeError',
      engineSays({
        v8: "Class constructor N cannot be invoked without 'new'",
        spidermonkey: "class constructors must be invoked with 'new'",
        javascriptcore: 'Cannot call a class constructor without |new|',
      }),
      2,
      6,
    ]);
    expect(await at('const {z} = null')).toEqual([
      'TypeError',
      engineSays({
        v8: "Cannot destructure property 'z' of 'null' as it is null.",
        spidermonkey: 'null has no properties',
        javascriptcore: 'Right side of assignment cannot be destructured',
      }),
      1,
      8,
    ]);
    // A function compiled before `later` existed looks it up in the scope first; still named and placed.
    await s.execute('function callsLater() { return later() }');
    await s.execute('let later = 3');
    expect(await at('callsLater()')).toEqual([
      'TypeError',
      engineSays({
        v8: 'later is not a function',
        spidermonkey: 'later is not a function',
        javascriptcore: "later is not a function. (In 'later()', 'later' is 3)",
      }),
      1,
      32,
    ]);
    expect(await at('const k')).toEqual(['SyntaxError', 'Missing initializer in const declaration', 1, 7]);
    expect(await at('while (false) { break nowhere }')).toEqual(['SyntaxError', 'Unsyntactic break', 1, 23]);
    // Thrown by sandcell's namespace as the cell's declarations are made, before its code runs:
    // placed at the cell's start. JavaScriptCore has a position only for the frame that threw
    // (sandcell's own, no cell's), so there the error has none.
    const noFrameOfTheCell = engineSays({ v8: false, spidermonkey: false, javascriptcore: true });
    expect(await at('let undefined = 1')).toEqual([
      'SyntaxError',
      "Identifier 'undefined' has already been declared",
      noFrameOfTheCell ? undefined : 1,
      noFrameOfTheCell ? undefined : 1,
    ]);
  });

  it('a 20,000-term chain of operators runs, as it does in the console', async () => {
    const s = await openSession();
    expect((await s.execute(`${'1 + '.repeat(20_000)}1`)).value).toBe(20_001);
  });

  it.each([
    ['a 1000-term + chain', `${'1 + '.repeat(999)}1`],
    ['1000-deep blocks', `${'{'.repeat(1000)}1${'}'.repeat(1000)}`],
    ['1000-deep ternaries', `${'true ? '.repeat(1000)}1${' : 0'.repeat(1000)}`],
    ['a 400-deep array literal', `${'['.repeat(400)}${']'.repeat(400)}`],
    ['20000-deep parentheses', `${'('.repeat(20000)}1${')'.repeat(20000)}`],
  ])('deep nesting never rejects execute: %s', async (_name, cell) => {
    const s = await openSession();
    const r = await s.execute(cell);
    if (r.status === 'error') expect(r.error?.name, r.error?.message).toBe('RangeError');
    else expect(r.status).toBe('ok');
    expect((await s.execute('1 + 1')).value).toBe(2);
  });
});

describe('checkpoints see every write', () => {
  // The write, then a cell that escapes instrumentation so only the hard path (kill, respawn,
  // restore from the checkpoint) can stop it: the value that comes back is the checkpoint's.
  it.each([
    ['globalThis["a"] = 2', 'var a = 1'],
    ['eval("a = 2")', 'let a = 1'],
    ['Object.assign(globalThis, { a: 2 })', 'var a = 1'],
    ['new Function("a = 2")()', 'var a = 1'],
    ['this.a = 2', 'var a = 1'],
    ['(0, eval)("a = 2")', 'var a = 1'],
    ['const set = (v) => { a = v }; set(2)', 'let a = 1'],
  ])('%s after %s survives a restart', async (write, declare) => {
    const s = await openSession({ interruptGraceMs: 100 });
    await s.execute(declare);
    expect((await s.execute(`${write}; a`)).value).toBe(2);
    const r = await s.execute('eval("while (true) {}")', { timeoutMs: 100 });
    expect(r).toMatchObject({ status: 'timeout', restarted: true });
    expect((await s.execute('a')).value).toBe(2);
  });

  it('keeps kinds across a restart: a const stays constant, a let stays off globalThis', async () => {
    const s = await openSession({ interruptGraceMs: 100 });
    await s.execute('const k = 1; let l = 2; var v = 3; function f() { return l + k } class K { m() { return v } }');
    // Primitives only: the worker's fast checkpoint path, which must keep the kinds too.
    await s.execute('const pk = 1; let pl = 2');
    const r = await s.execute('eval("while (true) {}")', { timeoutMs: 100 });
    expect(r.restarted).toBe(true);
    expect(
      await outcomes(s, [
        '[k, l, v, f(), new K().m(), pk, pl]',
        'k = 5',
        'pk = 5',
        '["l" in globalThis, "v" in globalThis, "pl" in globalThis, "pk" in globalThis]',
      ]),
    ).toEqual([
      [1, 2, 3, 3, 3, 1, 2],
      'TypeError: Assignment to constant variable.',
      'TypeError: Assignment to constant variable.',
      [false, true, false, false],
    ]);
  });
});
