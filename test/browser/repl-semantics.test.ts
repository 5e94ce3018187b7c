/** The REPL rules of DESIGN.md, end to end through createSession().execute() in real Chromium. */
import { describe, expect, it } from 'vitest';
import { SessionClosedError } from '../../lib/index';
import { engineSays } from './engine';
import { collectOutput, openSession } from './helpers';

describe('persistent namespace', () => {
  it('keeps var, let, const, function, class and bare assignments across cells', async () => {
    const s = await openSession();
    const r1 = await s.execute(
      'var a = 1; let b = 2; const c = 3; function f(x) { return x * 10 } class K { v() { return 7 } } d = 4',
    );
    expect(r1.status).toBe('ok');
    const r2 = await s.execute('[a, b, c, f(1), new K().v(), d]');
    expect(r2.value).toEqual([1, 2, 3, 10, 7, 4]);
  });

  it('lets let/const/class be declared again in a later cell; the new one wins', async () => {
    const s = await openSession();
    await s.execute('let x = 1; const y = 1; class C { static n = 1 }');
    const r = await s.execute('let x = "two"; const y = "two"; class C { static n = 2 }; [x, y, C.n]');
    expect(r.value).toEqual(['two', 'two', 2]);
  });

  it('throws TypeError when a later cell assigns to a const, and keeps the value', async () => {
    const s = await openSession();
    await s.execute('const k = 5');
    const r = await s.execute('k = 6');
    expect(r.status).toBe('error');
    expect(r.error?.name).toBe('TypeError');
    expect((await s.execute('k')).value).toBe(5);
  });

  it.each([
    ['let [, b] = [1, 2]', 'b', 2],
    ['let [a = 1] = []', 'a', 1],
    ['let [...r] = [1, 2, 3]', 'r', [1, 2, 3]],
    ['let {a: {b}} = {a: {b: 9}}', 'b', 9],
    ['const {p, ...rest} = {p: 1, q: 2, z: 3}', 'rest', { q: 2, z: 3 }],
    ['let [x1, [y1]] = await Promise.resolve([1, [2]])', 'y1', 2],
    ['let {m = 4} = await Promise.resolve({})', 'm', 4],
  ])('persists destructuring %s', async (cell, name, expected) => {
    const s = await openSession();
    const r = await s.execute(cell);
    expect(r.status).toBe('ok');
    expect((await s.execute(name)).value).toEqual(expected);
  });

  it('functions defined in one cell see variables changed in later cells', async () => {
    const s = await openSession();
    await s.execute('let n = 1; function getN() { return n }');
    await s.execute('n = 41; n++');
    expect((await s.execute('getN()')).value).toBe(42);
  });
});

describe('the value of a cell and _', () => {
  it('is the last expression statement; declarations have none', async () => {
    const s = await openSession();
    const r1 = await s.execute('1 + 1');
    expect(r1).toMatchObject({ value: 2, repr: '2' });
    const r2 = await s.execute('let z = 1');
    expect(r2.value).toBeUndefined();
    expect(r2.repr).toBeUndefined();
    const r3 = await s.execute('undefined');
    expect(r3.repr).toBe('undefined');
  });

  it('_ holds the last value and is left alone by cells without a final expression', async () => {
    const s = await openSession();
    await s.execute('6 * 7');
    await s.execute('let unrelated = 1');
    expect((await s.execute('_')).value).toBe(42);
    await s.execute('"next"');
    expect((await s.execute('_')).value).toBe('next');
  });

  it('treats a lone {a: 1} as an object literal', async () => {
    const s = await openSession();
    const r = await s.execute('{a: 1}');
    expect(r.value).toEqual({ a: 1 });
    expect(r.mode).toBe('expression');
  });

  it('renders values that cannot be cloned: status ok, a repr, no value', async () => {
    const s = await openSession();
    for (const cell of ['(function foo() {})', 'Symbol("s")', '({ f() {} })', 'new WeakMap()']) {
      const r = await s.execute(cell);
      expect(r.status).toBe('ok');
      expect(r.repr).toBeTruthy();
      expect('value' in r).toBe(false);
    }
  });

  it('renders cycles, proxies and throwing getters without crashing', async () => {
    const s = await openSession();
    const cyc = await s.execute('const o = {name: "o"}; o.self = o; o');
    expect(cyc.status).toBe('ok');
    expect(cyc.repr).toContain('Circular');
    const getter = await s.execute('({ get boom() { throw new Error("no") } })');
    expect(getter.status).toBe('ok');
    expect(typeof getter.repr).toBe('string');
    const proxy = await s.execute(
      'new Proxy({}, { get() { throw new Error("trap") }, ownKeys() { throw new Error("trap") } })',
    );
    expect(proxy.status).toBe('ok');
    expect(typeof proxy.repr).toBe('string');
  });
});

describe('top-level await', () => {
  it('awaits at top level and persists declarations like a sync cell', async () => {
    const s = await openSession();
    const r = await s.execute('const v = await new Promise((r) => setTimeout(() => r(5), 10)); v * 2');
    expect(r).toMatchObject({ status: 'ok', value: 10, mode: 'top-level-await' });
    expect((await s.execute('v')).value).toBe(5);
  });

  it('supports for await at top level', async () => {
    const s = await openSession();
    const r = await s.execute(
      'async function* g() { yield 1; yield 2 } let total = 0; for await (const x of g()) total += x; total',
    );
    expect(r).toMatchObject({ status: 'ok', value: 3, mode: 'top-level-await' });
  });

  it('reports modes', async () => {
    const s = await openSession();
    expect((await s.execute('1')).mode).toBe('expression');
    expect((await s.execute('let q = 1; q++')).mode).toBe('sync');
    expect((await s.execute('async function af() { await 1 }; af')).mode).toBe('async-def');
    expect((await s.execute('await 1')).mode).toBe('top-level-await');
    expect((await s.execute('let (')).mode).toBe('syntax-error');
  });
});

describe('errors', () => {
  it('reports a runtime error with line and column in the cell as written', async () => {
    const s = await openSession();
    const r = await s.execute('let a = 1;\nlet b = 2;\n  nope();');
    expect(r.status).toBe('error');
    expect(r.error).toMatchObject({ name: 'ReferenceError', line: 3, column: 3 });
    // The stack in V8's shape in every engine: the message, then the cell's frame.
    const message = engineSays({
      v8: 'nope is not defined',
      spidermonkey: 'nope is not defined',
      javascriptcore: "Can't find variable: nope",
    });
    expect(r.error?.stack?.split('\n').slice(0, 2)).toEqual([
      `ReferenceError: ${message}`,
      expect.stringMatching(/^ {4}at (?:\S+ \()?cell-\d+:3:3\)?$/),
    ]);
  });

  it.each<[title: string, setup: string, cell: string, name: string, at: [line: number, column: number]]>([
    ['a missing name in a callback', '', 'let a = 1;\n[1].map((v) =>\n   nope + v)', 'ReferenceError', [3, 4]],
    ['a native callee that throws: its property', '', '1;\n  JSON.parse("{")', 'SyntaxError', [2, 8]],
    ['an Error thrown where it is made: new', '', '\n  throw new Error("made")', 'Error', [2, 9]],
    ['a missing method after await: the property', 'const o = {}', 'await 0;\n  o.f()', 'TypeError', [2, 5]],
    ['not a constructor: new', 'const f = 5', 'let a;\n  new f()', 'TypeError', [2, 3]],
    ['a computed read of null: the bracket', 'const q = null', '\n  q["k"]', 'TypeError', [2, 4]],
    [
      'in a method of a class from an earlier cell',
      'class C { m() {\n  return this.x.y } }',
      'new C().m()',
      'TypeError',
      [2, 17],
    ],
  ])('places %s where V8 does, in every engine', async (_title, setup, cell, name, [line, column]) => {
    const s = await openSession();
    if (setup) expect((await s.execute(setup)).status).toBe('ok');
    const r = await s.execute(cell);
    expect(r.error).toMatchObject({ name, line, column });
  });

  it('an error a callback throws after its cell is reported on stderr, placed in that cell', async () => {
    let reported: (text: string) => void = () => {};
    const stderr = new Promise<string>((resolve) => {
      reported = resolve;
    });
    const s = await openSession({
      onOutput: (e) => {
        if (e.type === 'stream' && e.stream === 'stderr') reported(e.text);
      },
    });
    expect((await s.execute('let a = 1;\nsetTimeout(() => { nope2 }, 0)')).status).toBe('ok');
    const message = engineSays({
      v8: 'nope2 is not defined',
      spidermonkey: 'nope2 is not defined',
      javascriptcore: "Can't find variable: nope2",
    });
    expect((await stderr).split('\n').slice(0, 2)).toEqual([
      `Uncaught ReferenceError: ${message}`,
      expect.stringMatching(/^ {4}at (?:\S+ \()?cell-\d+:2:20\)?$/),
    ]);
  });

  it('maps positions inside functions, loops and await cells', async () => {
    const s = await openSession();
    const r = await s.execute(
      'await 0;\nfunction inner() {\n  for (let i = 0; i < 2; i++) {\n    if (i) null.x;\n  }\n}\ninner()',
    );
    // V8 points at the property name of a failed member access: `x` in `null.x`.
    expect(r.error).toMatchObject({ name: 'TypeError', line: 4, column: 17 });
  });

  it('reports syntax errors before anything runs, with position', async () => {
    const s = await openSession();
    const r = await s.execute('ran = true;\nlet = = 2;');
    expect(r).toMatchObject({ status: 'error', mode: 'syntax-error' });
    expect(r.error?.name).toBe('SyntaxError');
    expect(r.error?.line).toBe(2);
    expect((await s.execute('typeof ran')).value).toBe('undefined');
  });

  it.each([
    ['throw 42', '42'],
    ['throw undefined', 'undefined'],
    ['throw {}', '{}'],
  ])('gives a useful message for %s', async (cell, shown) => {
    const s = await openSession();
    const r = await s.execute(cell);
    expect(r.status).toBe('error');
    expect(r.error?.message).toContain(shown);
    expect(r.error?.message.length).toBeGreaterThan(shown.length + 5);
  });

  it('keeps variables assigned before the throw', async () => {
    const s = await openSession();
    const r = await s.execute('let before = 1; after = 0; throw new Error("stop"); after = 2');
    expect(r.status).toBe('error');
    expect((await s.execute('[before, after]')).value).toEqual([1, 0]);
  });
});

describe('queue, isolation and lifecycle', () => {
  it('runs queued cells one at a time, in order', async () => {
    const out = collectOutput();
    const s = await openSession({ onOutput: out.onOutput });
    const results = await Promise.all([
      s.execute('await new Promise((r) => setTimeout(r, 30)); console.log("first"); 1'),
      s.execute('console.log("second"); 2'),
      s.execute('await 0; console.log("third"); 3'),
    ]);
    expect(results.map((r) => r.value)).toEqual([1, 2, 3]);
    expect(out.text()).toBe('first\nsecond\nthird\n');
  });

  it('delivers every output event of a cell before execute resolves, to both listeners', async () => {
    const session = collectOutput();
    const perCell = collectOutput();
    const s = await openSession({ onOutput: session.onOutput });
    await s.execute('console.log("a"); console.error("b"); console.info("c"); console.warn("d"); console.debug("e")', {
      onOutput: perCell.onOutput,
    });
    expect(perCell.text('stdout')).toBe('a\nc\ne\n');
    expect(perCell.text('stderr')).toBe('b\nd\n');
    expect(session.text()).toBe(perCell.text());
  });

  it('keeps two sessions apart', async () => {
    const one = await openSession();
    const two = await openSession();
    await one.execute('let secret = 1');
    const r = await two.execute('typeof secret');
    expect(r.value).toBe('undefined');
  });

  it('close() is idempotent, rejects queued and later calls, and emits state events', async () => {
    const s = await openSession();
    const states: string[] = [];
    s.addEventListener('state', (e) => states.push((e as CustomEvent).detail));
    const running = s.execute('await new Promise(() => {})');
    const queued = s.execute('1');
    await new Promise((r) => setTimeout(r, 20));
    await Promise.all([s.close(), s.close()]);
    await expect(queued).rejects.toBeInstanceOf(SessionClosedError);
    await expect(running).rejects.toBeInstanceOf(SessionClosedError);
    await expect(s.execute('1')).rejects.toBeInstanceOf(SessionClosedError);
    expect(s.state).toBe('closed');
    expect(states).toContain('busy');
    expect(states.at(-1)).toBe('closed');
  });
});

describe('bad input', () => {
  it('rejects a non-string cell with TypeError and keeps the session', async () => {
    const s = await openSession();
    await s.execute('let keep = 1');
    await expect(s.execute(42 as unknown as string)).rejects.toBeInstanceOf(TypeError);
    expect((await s.execute('keep')).value).toBe(1);
  });

  it('rejects invalid options naming the option and value', async () => {
    const s = await openSession();
    await expect(s.execute('1', { timeoutMs: -5 })).rejects.toThrow(/timeoutMs.*-5/);
    await expect(openSession({ cacheSize: 0 })).rejects.toThrow(/cacheSize.*0/);
    await expect(openSession({ policy: 'nope' as 'sandbox' })).rejects.toThrow(/policy.*"nope"/);
  });

  it('runs a 1 MB cell', async () => {
    const s = await openSession();
    const line = 'total += 1;\n';
    const cell = `let total = 0;\n${line.repeat(Math.ceil(1_000_000 / line.length))}total`;
    const r = await s.execute(cell);
    expect(r.status).toBe('ok');
    expect(r.value).toBe(Math.ceil(1_000_000 / line.length));
  });

  it('counts cache hits and misses in stats()', async () => {
    const s = await openSession({ cacheSize: 2 });
    await s.execute('1');
    await s.execute('1');
    await s.execute('2');
    const stats = await s.stats();
    expect(stats.cache).toMatchObject({ hits: 1, misses: 2, capacity: 2, size: 2 });
  });
});
