/**
 * Snapshots of the Python namespace: saved in one interpreter and restored into a fresh one
 * (a second Pyodide), then used. Functions, lambdas, closures, classes and their instances,
 * dataclasses, namedtuples, modules and shared references survive; what cannot be saved is
 * named with its reason; one bad group never fails the others; checkpoints are incremental.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { type Session, type SnapshotRecord, startSession } from './harness.ts';

// Pyodide is loaded once per file (seconds); cells that flood output or stop threads get room on a busy machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

let source: Session;
let target: Session;

beforeAll(async () => {
  [source, target] = await Promise.all([startSession(), startSession()]);
}, 180_000);

/** Saves `setup`'s variables in the source interpreter and restores them into the target. */
async function roundTrip(setup: string) {
  source.engine.namespace_clear();
  target.engine.namespace_clear();
  const ran = await source.run(setup);
  expect(ran.status, ran.error?.stack).toBe('ok');
  const record = source.engine.snapshot();
  // What the host stores is a structured clone: make sure nothing live crosses over.
  const stored = structuredClone(record);
  const restored = target.engine.restore(stored.groups);
  return { record, restored };
}

async function value(session: Session, code: string): Promise<unknown> {
  const result = await session.run(code);
  expect(result.status, result.error?.stack).toBe('ok');
  return result.value;
}

describe('round trips into a fresh interpreter', () => {
  test.each([
    [
      'numbers and text',
      'a = 1\nb = 2 ** 100\nc = 1.5\nd = "hé"\ne = None\nf = True\ng = 1 + 2j',
      'a, b == 2 ** 100, c, d, e, f, g == 1 + 2j',
      [1, true, 1.5, 'hé', null, true, true],
    ],
    [
      'containers',
      'l = [1, [2]]\nt = (1, 2)\ns = {1, 2}\nfs = frozenset({3})\nd = {"k": [1], 2: "two"}\nb = bytearray(b"x")',
      'l, t, sorted(s), sorted(fs), d["k"], d[2], bytes(b)',
      [[1, [2]], [1, 2], [1, 2], [3], [1], 'two', new Uint8Array([120])],
    ],
    [
      'stdlib values',
      'import collections, fractions, decimal, datetime\nc = collections.Counter("aab")\nq = collections.deque([1, 2], maxlen=3)\nfr = fractions.Fraction(1, 3)\nde = decimal.Decimal("1.10")\ndt = datetime.datetime(2020, 1, 1)',
      'c["a"], list(q), q.maxlen, str(fr), str(de), dt.year',
      [2, [1, 2], 3, '1/3', '1.10', 2020],
    ],
    [
      'functions with defaults, keyword defaults, attributes and docstrings',
      'def f(x, y=10, *, z=100):\n    "doc"\n    return x + y + z\nf.tag = "t"',
      'f(1), f(1, 2, z=3), f.__doc__, f.tag, f.__name__',
      [111, 6, 'doc', 't', 'f'],
    ],
    [
      'functions that use globals, resolved in the new session',
      'base = 5\ndef add_base(x):\n    return x + base',
      'add_base(1)',
      6,
    ],
    [
      'lambdas',
      'square = lambda x: x * x\npairs = [lambda: 1, lambda: 2]',
      'square(7), [p() for p in pairs]',
      [49, [1, 2]],
    ],
    [
      'closures keep their captured state',
      'def counter():\n    n = 0\n    def step():\n        nonlocal n\n        n += 1\n        return n\n    return step\ntick = counter()\ntick()\ntick()',
      'tick(), tick()',
      [3, 4],
    ],
    [
      'recursive inner functions',
      'def outer():\n    def fact(n):\n        return 1 if n <= 1 else n * fact(n - 1)\n    return fact\nfact = outer()',
      'fact(5)',
      120,
    ],
    [
      'decorated functions',
      'import functools\ndef deco(fn):\n    @functools.wraps(fn)\n    def wrapper(*a):\n        return fn(*a) * 2\n    return wrapper\n@deco\ndef three():\n    return 3',
      'three(), three.__name__, three.__wrapped__()',
      [6, 'three', 3],
    ],
    [
      'partials and bound methods',
      'import functools\ndef mul(a, b):\n    return a * b\ndouble = functools.partial(mul, 2)\nclass Acc:\n    def __init__(self): self.total = 0\n    def add(self, n):\n        self.total += n\n        return self.total\nadd = Acc().add\nadd(5)',
      'double(21), add(1)',
      [42, 6],
    ],
    [
      'classes and their instances, methods and super()',
      'class Animal:\n    kind = "animal"\n    def __init__(self, name): self.name = name\n    def speak(self): return f"{self.name} is an {self.kind}"\nclass Dog(Animal):\n    kind = "dog"\n    def speak(self): return super().speak() + "!"\nrex = Dog("Rex")',
      'rex.speak(), isinstance(rex, Animal), type(rex) is Dog, Dog.__mro__[1] is Animal',
      ['Rex is an dog!', true, true, true],
    ],
    [
      'properties, static and class methods, slots',
      'class P:\n    __slots__ = ("x",)\n    def __init__(self, x): self.x = x\n    @property\n    def double(self): return self.x * 2\n    @staticmethod\n    def s(): return "s"\n    @classmethod\n    def c(cls): return cls.__name__\np = P(4)',
      'p.double, P.s(), P.c(), hasattr(p, "__dict__")',
      [8, 's', 'P', false],
    ],
    [
      'dataclasses, with defaults and default factories',
      'from dataclasses import dataclass, field\n@dataclass(order=True)\nclass Item:\n    name: str\n    qty: int = 1\n    tags: list = field(default_factory=list)\nitem = Item("pen")',
      'item, Item("a") < Item("b"), Item("x").tags, Item("y", 2) == Item("y", 2)',
      null,
    ],
    [
      'namedtuples',
      'from collections import namedtuple\nPoint = namedtuple("Point", "x y")\npt = Point(1, 2)',
      'pt.x + pt.y, pt._replace(x=5), isinstance(pt, tuple), Point._fields',
      [3, [5, 2], true, ['x', 'y']],
    ],
    [
      'abstract base classes',
      'import abc\nclass Base(abc.ABC):\n    @abc.abstractmethod\n    def run(self): ...\nclass Impl(Base):\n    def run(self): return "ran"\nimpl = Impl()',
      'impl.run(), sorted(Base.__abstractmethods__), Impl.__abstractmethods__ == frozenset()',
      ['ran', ['run'], true],
    ],
    [
      'generic classes (PEP 695)',
      'class Box[T]:\n    def __init__(self, v: T): self.v = v\n    def get(self) -> T: return self.v\nbox = Box(3)',
      'box.get(), len(Box.__type_params__)',
      [3, 1],
    ],
    [
      'modules, by re-import',
      'import math\nimport os.path as osp\nimport json as j',
      'math.sqrt(16), osp.join("a", "b"), j.dumps([1])',
      [4, 'a/b', '[1]'],
    ],
  ])('%s', async (_name, setup, probe, expected) => {
    const { record, restored } = await roundTrip(setup);
    expect(record.skipped).toEqual([]);
    expect(restored.skipped).toEqual([]);
    expect(restored.restored.sort()).toEqual(record.saved.slice().sort());
    const result = await value(target, probe);
    if (expected !== null) expect(result).toEqual(expected);
  });

  test('dataclasses work after the restore (generated methods, defaults, factories)', async () => {
    await roundTrip(
      'from dataclasses import dataclass, field, asdict\n@dataclass(order=True)\nclass Item:\n    name: str\n    qty: int = 1\n    tags: list = field(default_factory=list)\nitem = Item("pen")',
    );
    expect(
      await value(
        target,
        'from dataclasses import asdict\nrepr(item), Item("a") < Item("b"), Item("x").tags, asdict(Item("y", 2))',
      ),
    ).toEqual(["Item(name='pen', qty=1, tags=[])", true, [], { name: 'y', qty: 2, tags: [] }]);
  });

  test('references shared between variables stay shared, cycles stay cycles', async () => {
    await roundTrip(
      'shared = [1, 2]\nholder = {"a": shared, "b": shared}\nalias = shared\nnode = {"name": "n"}\nnode["self"] = node\nclass K: pass\nk1 = K()\nk2 = K()\nks = [k1, k2]',
    );
    expect(
      await value(
        target,
        'holder["a"] is holder["b"] is alias is shared, node["self"] is node, ks[0] is k1, type(k2) is K is type(ks[1])',
      ),
    ).toEqual([true, true, true, true]);
  });

  test('restored functions see the restoring session, and tracebacks do not point at its cells', async () => {
    await roundTrip('def boom():\n    raise ValueError("from a saved function")');
    await target.run('x = 1');
    const result = await target.run('boom()');
    expect(result.error).toMatchObject({ name: 'ValueError', line: 1, column: 1 });
    expect(result.error?.stack).toMatch(/File "<saved cell-\d+>", line 2, in boom/);
  });

  test('module-level singletons of libraries keep their identity', async () => {
    await roundTrip('import dataclasses\nmissing = dataclasses.MISSING\nimport logging\nlog = logging.getLogger()');
    expect(
      await value(target, 'import dataclasses, logging\nmissing is dataclasses.MISSING, log is logging.getLogger()'),
    ).toEqual([true, true]);
  });
});

describe('what cannot be saved', () => {
  test.each([
    ['a generator', 'g = (i for i in range(3))', 'g', /cannot pickle 'generator' object/],
    ['an open file', 'fh = open("/tmp/sandcell-snapshot-test.txt", "w")', 'fh', /cannot pickle '.*TextIOWrapper' /],
    ['a JavaScript object', 'import js\nobj = js.Object.new()', 'obj', /JavaScript object \(JsProxy\)/],
    ['a lock', 'import threading\nlock = threading.Lock()', 'lock', /cannot pickle '_thread\.lock' object/],
    ['a module made at run time', 'import types\nmod = types.ModuleType("made_here")', 'mod', /created at run time/],
    [
      'an Enum class defined in a cell',
      'import enum\nclass Color(enum.Enum):\n    RED = 1',
      'Color',
      /Enum class Color/,
    ],
    ['a generator inside a list', 'items = [1, (i for i in range(2))]', 'items', /generator.*list item 1/],
  ])('%s is skipped with its reason, the rest is saved', async (_name, setup, name, reason) => {
    const { record, restored } = await roundTrip(`kept = [1, 2]\n${setup}`);
    const skipped = record.skipped.find((entry) => entry.name === name);
    expect(skipped?.reason).toMatch(reason);
    expect(record.saved).toContain('kept');
    expect(restored.restored).toContain('kept');
    expect(await value(target, 'kept')).toEqual([1, 2]);
  });

  test('the host object of a session is not saved', async () => {
    const { record } = await roundTrip('h = host');
    expect(record.skipped).toEqual([{ name: 'h', reason: expect.stringMatching(/belongs to its session/) }]);
  });
});

describe('restoring', () => {
  test('one bad group loses only its own names, with a reason', async () => {
    source.engine.namespace_clear();
    await source.run('good = [1]\nbad = {"x": 1}\nalso_good = "y"');
    const record = structuredClone(source.engine.snapshot());
    const badGroup = record.groups.find((group) => group.names.includes('bad'));
    if (!badGroup) throw new Error('no group for bad');
    badGroup.payload.data = badGroup.payload.data.slice(0, 10); // truncated
    target.engine.namespace_clear();
    const restored = target.engine.restore(record.groups);
    expect(restored.restored.sort()).toEqual(['also_good', 'good']);
    expect(restored.skipped).toEqual([{ name: 'bad', reason: expect.any(String) }]);
    expect(await value(target, 'good, also_good')).toEqual([[1], 'y']);
  });

  test('the host hears which group loads; a group holding a given-up name is skipped, every name of it reported', async () => {
    source.engine.namespace_clear();
    await source.run('class Pair:\n    pass\npair = Pair()\nalone = [1]');
    const record = structuredClone(source.engine.snapshot());
    const pairGroup = record.groups.find((group) => group.names.includes('pair'));
    if (!pairGroup) throw new Error('no group for pair');
    expect(pairGroup.names.sort()).toEqual(['Pair', 'pair']);
    target.engine.namespace_clear();
    target.restoring.length = 0;
    const first = target.engine.restore(record.groups);
    expect(first.skipped).toEqual([]);
    expect(target.restoring).toEqual(record.groups.flatMap((group) => [group.names[0], null]));

    target.engine.namespace_clear();
    target.restoring.length = 0;
    const givenUp = [{ name: pairGroup.names[0], reason: 'restoring it ended the worker (test)' }];
    const second = target.engine.restore(record.groups, givenUp);
    expect(second.restored).toEqual(['alone']);
    const other = pairGroup.names[1];
    expect(second.skipped).toEqual([
      givenUp[0],
      {
        name: other,
        reason: `it is saved together with ${givenUp[0].name} (they share references), which was given up`,
      },
    ]);
    // The skipped group is not loaded at all: the host hears only the others.
    expect(target.restoring).toEqual(['alone', null]);
  });

  test.each([
    ['from another engine', { format: 'sandcell-js' }, /not a Python snapshot/],
    ['from a later format', { version: 99 }, /format version 99/],
    ['from another Python', { python: '2.7' }, /saved by Python 2\.7/],
  ])('a group %s is refused with a clear reason', async (_name, change, reason) => {
    source.engine.namespace_clear();
    await source.run('v = 1');
    const record = structuredClone(source.engine.snapshot());
    Object.assign(record.groups[0].payload, change);
    const restored = target.engine.restore(record.groups);
    expect(restored.restored).toEqual([]);
    expect(restored.skipped[0].reason).toMatch(reason);
  });

  test('a restore guard sees code and globals before they load', async () => {
    source.engine.namespace_clear();
    await source.run('import json\ndef leaks():\n    return fetch("/secret")\ndef fine():\n    return 1\nj = json');
    const record = structuredClone(source.engine.snapshot());
    target.engine.namespace_clear();
    const guard = target.pyodide.runPython(
      'from sandcell_engine.reconstruct import RestoreRefused\nclass G:\n    def check_global(self, module, name):\n        if module == "json": raise RestoreRefused("json is not allowed here")\n    def check_code(self, code, qualname):\n        if "fetch" in code.co_names: raise RestoreRefused(f"{qualname} calls fetch")\nG()',
      { globals: target.pyodide.toPy({}) },
    );
    const engine = target.engine as unknown as { set_restore_guard(guard: unknown): void };
    engine.set_restore_guard(guard);
    const restored = target.engine.restore(record.groups);
    engine.set_restore_guard(null);
    guard.destroy();
    expect(restored.restored).toEqual(['fine']);
    expect(restored.skipped).toEqual(
      expect.arrayContaining([
        { name: 'leaks', reason: 'leaks calls fetch' },
        { name: 'j', reason: 'json is not allowed here' },
      ]),
    );
  });
});

describe('checkpoints', () => {
  function names(record: SnapshotRecord): string[][] {
    return record.groups.map((group) => group.names.slice().sort());
  }

  test('the first is full; later ones encode only what a cell may have changed', async () => {
    const s = source;
    s.engine.namespace_clear();
    await s.run('a = [1]\nb = [2]\nc = [3]');
    const first = s.engine.checkpoint(); // the clear made the next one full
    expect(first.full).toBe(true);
    expect(names(first)).toEqual([['a'], ['b'], ['c']]);
    await s.run('a.append(10)');
    const second = s.engine.checkpoint();
    expect(second.full).toBe(false);
    expect(names(second)).toEqual([['a']]);
    await s.run('x = 1');
    expect(names(s.engine.checkpoint())).toEqual([['x']]);
  });

  test('a call re-encodes what function-defining cells mention; new sharing regroups; deletions are removed', async () => {
    const s = source;
    s.engine.namespace_clear();
    await s.run('log = []\nother = [0]\ndef record(v):\n    log.append(v)');
    s.engine.checkpoint();
    await s.run('record(1)');
    // record() mentions log; the cell that defined it also mentioned other: both may have changed.
    expect(names(s.engine.checkpoint())).toEqual([['log'], ['other'], ['record']]);
    await s.run('pair = (other, 1)\nlinked = other');
    const regrouped = s.engine.checkpoint();
    expect(names(regrouped)).toEqual([['linked', 'other', 'pair']]);
    await s.run('del pair');
    const afterDelete = s.engine.checkpoint();
    expect(afterDelete.removed).toEqual(['pair']);
    // `del` may run a finalizer, so the function-defining cell's names count as changed too.
    expect(names(afterDelete)).toEqual([['linked', 'other'], ['log'], ['record']]);
  });

  test('a variable rebound outside any cell text is still found (identity changed)', async () => {
    const s = source;
    s.engine.namespace_clear();
    await s.run('def rebind():\n    globals()["hidden"] = [42]\nhidden = [0]');
    s.engine.checkpoint();
    await s.run('rebind()');
    const record = s.engine.checkpoint();
    expect(record.groups.flatMap((group) => group.names)).toContain('hidden');
  });

  test('checkpoint groups restore like a snapshot', async () => {
    const s = source;
    s.engine.namespace_clear();
    await s.run(
      'def make():\n    total = [0]\n    def add(n):\n        total[0] += n\n        return total[0]\n    return add\nadd = make()\nadd(5)',
    );
    const kept = new Map<string, SnapshotRecord['groups'][number]>();
    const apply = (record: SnapshotRecord) => {
      for (const [key, group] of kept) {
        if (
          group.names.some((name) => record.removed.includes(name) || record.groups.some((g) => g.names.includes(name)))
        )
          kept.delete(key);
      }
      for (const group of record.groups) kept.set(group.names.join(','), structuredClone(group));
    };
    apply(s.engine.checkpoint());
    await s.run('add(1)\nextra = "e"');
    apply(s.engine.checkpoint());
    target.engine.namespace_clear();
    const restored = target.engine.restore([...kept.values()]);
    expect(restored.skipped).toEqual([]);
    expect(await value(target, 'add(10), extra')).toEqual([16, 'e']);
  });
});
