/**
 * The Python engine's cells in Pyodide (Node): modes, results and `_`, errors and their positions,
 * the compiled-cell cache, output order, display bundles, input and capabilities.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { type Session, startSession } from './harness.ts';

// Pyodide is loaded once per file (seconds); cells that flood output or stop threads get room on a busy machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

let s: Session;
let detectMode: (source: string) => string;

beforeAll(async () => {
  s = await startSession({
    add: (a, b) => (a as number) + (b as number),
    echo: (value) => value,
    fail: () => {
      throw new Error('capability refused');
    },
  });
  detectMode = s.pyodide.pyimport('sandcell_engine.cells').detect_mode;
}, 120_000);

describe('mode detection', () => {
  test.each([
    ['1 + 1', 'expression'],
    ['x', 'expression'],
    ['x = 1', 'sync'],
    ['import math\nmath.pi', 'sync'],
    ['await f()', 'top-level-await'],
    ['x = await f()\nx', 'top-level-await'],
    ['async for i in g():\n    pass', 'top-level-await'],
    ['async with c() as v:\n    pass', 'top-level-await'],
    ['[i async for i in g()]', 'top-level-await'],
    ['async def f():\n    await g()', 'async-def'],
    ['async def f():\n    return 1\nf', 'async-def'],
    ['def f():\n    async def g(): pass', 'async-def'],
    ['import time\ntime.sleep(1)', 'blocking'],
    ['from time import sleep\nsleep(1)', 'blocking'],
    ['from time import sleep as nap\nnap(1)', 'blocking'],
    ['import time as t\nt.sleep(1)', 'blocking'],
    ['name = input("who? ")', 'blocking'],
    ['input()', 'blocking'],
    ['import sys\nsys.stdin.readline()', 'blocking'],
    ['import getpass\ngetpass.getpass()', 'blocking'],
    ['sleep(1)', 'expression'],
    ['import asyncio\nawait asyncio.sleep(1)\ninput()', 'top-level-await'],
    ['async def f():\n    input()', 'blocking'],
    ['def f():\n    await g()', 'syntax-error'],
    ['lambda: await x', 'syntax-error'],
    ['1 +', 'syntax-error'],
    ['  x = 1', 'syntax-error'],
    ['', 'sync'],
    ['# only a comment', 'sync'],
  ])('%j → %s', (source, mode) => {
    expect(detectMode(source)).toBe(mode);
  });
});

describe('results', () => {
  test.each([
    ['1 + 1', { status: 'ok', mode: 'expression', value: 2, repr: '2' }],
    ["'a' * 3", { status: 'ok', value: 'aaa', repr: "'aaa'" }],
    ['None', { status: 'ok', value: null, repr: 'None' }],
    ['2 ** 64', { status: 'ok', value: 18446744073709551616n, repr: '18446744073709551616' }],
    ['-(2 ** 53)', { status: 'ok', value: -9007199254740992n }],
    ['2 ** 53 - 1', { status: 'ok', value: 9007199254740991 }],
    ['1.5', { value: 1.5 }],
    ['True', { value: true, repr: 'True' }],
    ["{'a': 1, 'b': [1, None]}", { value: { a: 1, b: [1, null] } }],
    ['(1, 2)', { value: [1, 2], repr: '(1, 2)' }],
    ["{1: 'one'}", { value: new Map([[1, 'one']]) }],
    ['{1, 2}', { value: new Set([1, 2]) }],
    ["b'hi'", { value: new Uint8Array([104, 105]) }],
    ['import array\narray.array("d", [1.5, 2.5])', { value: new Float64Array([1.5, 2.5]) }],
    ['import datetime\ndatetime.datetime(2020, 1, 2, 3, 4, 5)', { value: new Date(Date.UTC(2020, 0, 2, 3, 4, 5)) }],
    [
      'import datetime\ndatetime.datetime(2020, 1, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))',
      { value: new Date(Date.UTC(2020, 0, 1, 22)) },
    ],
    ['import datetime\ndatetime.date(2021, 5, 6)', { value: new Date(Date.UTC(2021, 4, 6)) }],
    ['x = 1', { status: 'ok', mode: 'sync' }],
  ])('%j', async (code, expected) => {
    const result = await s.run(code);
    expect(result).toMatchObject(expected);
    if (!('repr' in expected) && code.startsWith('x =')) expect(result).not.toHaveProperty('repr');
  });

  test('a value with no structured clone has a repr and no value', async () => {
    const result = await s.run('class Point:\n    def __repr__(self): return "Point()"\nPoint()');
    expect(result).toMatchObject({ status: 'ok', repr: 'Point()' });
    expect(result).not.toHaveProperty('value');
    const nested = await s.run('[1, Point()]');
    expect(nested.repr).toBe('[1, Point()]');
    expect(nested).not.toHaveProperty('value');
  });

  test('shared references and cycles survive the conversion', async () => {
    const result = await s.run('shared = [1]\ncyclic = {"a": shared, "b": shared}\ncyclic["self"] = cyclic\ncyclic');
    const value = result.value as Record<string, unknown>;
    expect(value.a).toBe(value.b);
    expect(value.self).toBe(value);
  });

  test('a huge repr is cut and says how much is missing', async () => {
    const result = await s.run("'x' * 200_000");
    expect(result.repr?.length).toBeLessThan(100_100);
    expect(result.repr).toMatch(/… \(\d+ more characters\)$/);
    expect(result.value).toHaveLength(200_000);
  });
});

describe('_', () => {
  test('holds the last expression value that was not None', async () => {
    await s.run('41 + 1');
    expect((await s.run('_')).value).toBe(42);
    await s.run('None');
    expect((await s.run('_')).value).toBe(42);
    await s.run('unrelated = 5');
    expect((await s.run('_')).value).toBe(42);
    await s.run('[1, 2]');
    expect((await s.run('_ + [3]')).value).toEqual([1, 2, 3]);
  });

  test('an awaited expression counts, a failed one does not', async () => {
    await s.run('import asyncio\nasync def seven():\n    await asyncio.sleep(0)\n    return 7');
    await s.run('await seven()');
    expect((await s.run('_')).value).toBe(7);
    await s.run('1 / 0');
    expect((await s.run('_')).value).toBe(7);
  });
});

describe('errors', () => {
  test.each([
    ['1 / 0', { name: 'ZeroDivisionError', message: 'division by zero', line: 1, column: 1 }],
    ['x = 1\ny = undefined_name', { name: 'NameError', line: 2, column: 5 }],
    ['def f():\n    raise ValueError("bad")\n\nf()', { name: 'ValueError', message: 'bad', line: 2, column: 5 }],
    ["s = 'héllo'; [][1]", { name: 'IndexError', line: 1, column: 14 }],
    ['raise SystemExit(3)', { name: 'SystemExit', message: '3', line: 1 }],
    ['raise KeyboardInterrupt', { name: 'KeyboardInterrupt', line: 1 }],
    ['import json\njson.loads("{")', { name: 'JSONDecodeError', line: 2, column: 1 }],
    ['1 +', { name: 'SyntaxError', message: 'invalid syntax', line: 1, column: 4 }],
    ['if True:\nx = 1', { name: 'IndentationError', line: 2 }],
    ['x = (1,\n     2,\n     ]', { name: 'SyntaxError', line: 3 }],
    ['display = 1', { name: 'TypeError', message: expect.stringContaining("'display'") }],
    ['def host(): pass', { name: 'TypeError', message: expect.stringContaining("'host'") }],
  ])('%j', async (code, error) => {
    const result = await s.run(code);
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject(error);
  });

  test('the traceback starts at the cell: no engine or Pyodide frames, with the source line', async () => {
    const result = await s.run('def inner():\n    return {}["missing"]\n\ndef outer():\n    return inner()\n\nouter()');
    const stack = result.error?.stack ?? '';
    expect(stack).toMatch(/^Traceback \(most recent call last\):\n {2}File "<cell-\d+>", line 7, in <module>/);
    expect(stack).toContain('return {}["missing"]');
    expect(stack).toMatch(/KeyError: 'missing'$/);
    expect(stack).not.toMatch(/sandcell_engine|_pyodide|pyodide\//);
  });

  test('a traceback through a library keeps the library frames', async () => {
    const result = await s.run('import json\njson.loads("[1,")');
    expect(result.error?.stack).toContain('json');
    expect(result.error?.stack).toContain('line 2, in <module>');
  });

  test('chained exceptions keep their cause', async () => {
    const result = await s.run(
      'try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    raise RuntimeError("wrapped") from e',
    );
    expect(result.error?.name).toBe('RuntimeError');
    expect(result.error?.stack).toContain('ZeroDivisionError');
    expect(result.error?.stack).toContain('direct cause');
  });

  test('variables assigned before the error are kept', async () => {
    const result = await s.run('before_error = 1\nalso = [1, 2]\nraise ValueError("stop")\nafter_error = 2');
    expect(result.status).toBe('error');
    expect((await s.run('before_error, also')).value).toEqual([1, [1, 2]]);
    expect((await s.run("'after_error' in globals()")).value).toBe(false);
  });

  test('an engine name replaced through globals() is put back after the cell', async () => {
    await s.run("globals()['display'] = 'mine'");
    expect((await s.run('callable(display)')).value).toBe(true);
    await s.run("del globals()['host']");
    expect((await s.run("'host' in globals()")).value).toBe(true);
  });
});

describe('compiled-cell cache', () => {
  test('counts hits and misses by cell text', async () => {
    const before = s.engine.stats().cache;
    await s.run('cache_probe = 1');
    await s.run('cache_probe = 1');
    await s.run('cache_probe = 1  # another text');
    await s.run('cache_probe +');
    await s.run('cache_probe +');
    const after = s.engine.stats().cache;
    expect(after.misses - before.misses).toBe(3);
    expect(after.hits - before.hits).toBe(2);
  });

  test('evicts the least recently used cell past its capacity', () => {
    const CellCache = s.pyodide.pyimport('sandcell_engine.cells').CellCache;
    const cache = CellCache(2);
    cache.get('a = 1', '<a>');
    cache.get('b = 1', '<b>');
    cache.get('a = 1', '<a>'); // a is now the most recent
    cache.get('c = 1', '<c>'); // evicts b
    cache.get('a = 1', '<a>');
    cache.get('b = 1', '<b>');
    expect([cache.hits, cache.misses, cache.__len__()]).toEqual([2, 4, 2]);
    cache.destroy();
  });

  test('a re-run cell still shows its own lines in tracebacks', async () => {
    const code = 'def boom():\n    raise ValueError("again")\nboom()';
    await s.run(code);
    const second = await s.run(code);
    expect(second.error?.stack).toContain('raise ValueError("again")');
  });
});

describe('output, display, input, capabilities', () => {
  test('print, sys.stdout and sys.stderr arrive in the order written, before the result', async () => {
    s.events.length = 0;
    await s.run('import sys\nprint("a")\nsys.stderr.write("b\\n")\nprint("c", end="")\nsys.stdout.write("d\\n")\n');
    expect(s.events).toEqual([
      { type: 'stream', stream: 'stdout', text: 'a\n' },
      { type: 'stream', stream: 'stderr', text: 'b\n' },
      { type: 'stream', stream: 'stdout', text: 'cd\n' },
    ]);
  });

  test('a line printed before a long computation reaches the host while it runs', async () => {
    s.events.length = 0;
    (globalThis as { __events?: unknown }).__events = s.events;
    // The sleep puts 50 ms between this line and the last hand-over (the previous cell's end):
    // then a finished line goes at once, whatever follows. The loop ends when the host has the line.
    const result = await s.run(
      'import js, time\ntime.sleep(0.06)\nprint("early")\nend = time.monotonic() + 20\nwhile time.monotonic() < end and js.__events.length == 0:\n    pass\njs.__events.length',
    );
    delete (globalThis as { __events?: unknown }).__events;
    expect(result).toMatchObject({ status: 'ok', value: 1 });
    expect(s.events).toEqual([{ type: 'stream', stream: 'stdout', text: 'early\n' }]);
  });

  test('100k print lines arrive intact, in few batches', async () => {
    s.events.length = 0;
    await s.run('for i in range(100_000):\n    print(i)');
    const text = s.stdout();
    expect(text.split('\n')).toHaveLength(100_001);
    expect(text.startsWith('0\n1\n2\n')).toBe(true);
    expect(text.endsWith('99998\n99999\n')).toBe(true);
    expect(s.events.length).toBeLessThan(1000);
  });

  test('display honours the IPython display protocol and raw bundles', async () => {
    s.events.length = 0;
    await s.run(
      [
        'class Rich:',
        '    def _repr_html_(self): return "<b>rich</b>"',
        '    def _repr_svg_(self): return "<svg></svg>"',
        '    def _repr_png_(self): return b"\\x89PNG"',
        '    def _repr_markdown_(self): return "**md**"',
        '    def __repr__(self): return "Rich()"',
        'class Bundle:',
        '    def _repr_mimebundle_(self, include=None, exclude=None): return {"text/html": "<i>b</i>", "text/plain": "B"}',
        'print("before")',
        'display(Rich(), Bundle())',
        'display({"text/html": "<p>raw</p>"}, raw=True)',
        'print("after")',
      ].join('\n'),
    );
    expect(s.events).toEqual([
      { type: 'stream', stream: 'stdout', text: 'before\n' },
      {
        type: 'display',
        data: {
          'text/html': '<b>rich</b>',
          'text/markdown': '**md**',
          'image/svg+xml': '<svg></svg>',
          'image/png': 'iVBORw==',
          'text/plain': 'Rich()',
        },
      },
      { type: 'display', data: { 'text/html': '<i>b</i>', 'text/plain': 'B' } },
      { type: 'display', data: { 'text/html': '<p>raw</p>', 'text/plain': "{'text/html': '<p>raw</p>'}" } },
      { type: 'stream', stream: 'stdout', text: 'after\n' },
    ]);
  });

  test.each([
    ['display("x", raw=True)', /needs a dict of MIME type/],
    ['display({"not a mime": "x"}, raw=True)', /is not a MIME type/],
    ['display({"image/png": "data:image/png;base64,AAA"}, raw=True)', /must be base64/],
    ['display({}, raw=True)', /the bundle is empty/],
  ])('a bad raw bundle is a clear error: %j', async (code, message) => {
    const result = await s.run(code);
    expect(result.error?.name).toBe('TypeError');
    expect(result.error?.message).toMatch(message);
  });

  test('input() reads from the host, with its prompt', async () => {
    s.inputs.push('Ada');
    s.events.length = 0;
    const result = await s.run('name = input("who? ")\nname.upper()');
    expect(result.value).toBe('ADA');
    expect(s.stdout()).toBe('who? ');
  });

  test('capabilities: structured data both ways, errors as exceptions in the cell', async () => {
    expect((await s.run('await host.add(2, 3)')).value).toBe(5);
    const echoed = await s.run(
      'r = await host.echo({"n": None, "big": 2**70, "l": [1, (2, 3)]})\nr, type(r["n"]), type(r["big"])',
    );
    expect(echoed.repr).toBe(
      "({'n': None, 'big': 1180591620717411303424, 'l': [1, [2, 3]]}, <class 'NoneType'>, <class 'int'>)",
    );
    const failed = await s.run('await host.fail()');
    expect(failed.status).toBe('error');
    expect(failed.error?.message).toContain('capability refused');
    const missing = await s.run('host.nothing');
    expect(missing.error).toMatchObject({
      name: 'AttributeError',
      message: expect.stringContaining('add, echo, fail'),
    });
  });
});
