/** `python.packages` entries and lock-file resolution: pure logic, checked in Node. */
import { describe, expect, it } from 'vitest';
import { canonicalName, wheelsFromLock } from '../../../lib/host/python-lock';
import { classifyPackage } from '../../../lib/host/python-packages';

const PAGE = 'https://app.example/notebook/';

describe('classifyPackage', () => {
  it.each([
    ['numpy', { kind: 'name', name: 'numpy' }],
    ['scikit-learn', { kind: 'name', name: 'scikit-learn' }],
    ['zope.interface', { kind: 'name', name: 'zope.interface' }],
    [
      'wheels/tiny-1.0-py3-none-any.whl',
      { kind: 'wheel', url: 'https://app.example/notebook/wheels/tiny-1.0-py3-none-any.whl' },
    ],
    [
      '/w/tiny_pkg-1.0.2-py3-none-any.whl',
      { kind: 'wheel', url: 'https://app.example/w/tiny_pkg-1.0.2-py3-none-any.whl' },
    ],
    [
      'https://cdn.example/numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl',
      { kind: 'wheel', url: 'https://cdn.example/numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl' },
    ],
    [
      'https://x.example/a-1.0-1-py3-none-any.whl',
      { kind: 'wheel', url: 'https://x.example/a-1.0-1-py3-none-any.whl' },
    ],
  ])('%s', (entry, expected) => {
    expect(classifyPackage(entry, PAGE)).toEqual(expected);
  });

  it.each([
    ['numpy>=2', /version constraints and extras/],
    ['requests[socks]', /version constraints and extras/],
    ['-leading-dash', /not a package name/],
    ['https://x.example/numpy.tar.gz', /not the URL of a wheel/],
    ['https://x.example/tiny.whl', /not the URL of a wheel/],
    ['https://x.example/tiny-1.0-py3-none-any.whl#sha256=00', /no query or fragment/],
    ['', /must be package names or wheel URLs/],
    [null, /must be package names or wheel URLs/],
  ])('refuses %j', (entry, message) => {
    expect(() => classifyPackage(entry, PAGE)).toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(message) }),
    );
  });
});

describe('wheelsFromLock', () => {
  const lock = {
    packages: {
      numpy: { name: 'numpy', file_name: 'numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl', depends: [] },
      pandas: {
        name: 'pandas',
        file_name: 'pandas-2.3.0-cp313-cp313-pyodide_2025_0_wasm32.whl',
        depends: ['numpy', 'python-dateutil', 'pytz'],
      },
      'python-dateutil': {
        name: 'python-dateutil',
        file_name: 'python_dateutil-2.9.0-py2.py3-none-any.whl',
        depends: ['six'],
      },
      six: { name: 'six', file_name: 'six-1.17.0-py2.py3-none-any.whl', depends: [] },
      pytz: { name: 'pytz', file_name: 'sub/pytz-2025.2-py2.py3-none-any.whl', depends: [] },
      orphan: { name: 'orphan', file_name: 'orphan-1.0-py3-none-any.whl', depends: ['nowhere'] },
    },
  };
  const LOCK = 'https://app.example/pyodide/pyodide-lock.json';
  const at = (file: string) => `https://app.example/pyodide/${file}`;

  it.each([
    [['numpy'], [at('numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl')]],
    [
      ['pandas', 'numpy'],
      [
        at('numpy-2.2.5-cp313-cp313-pyodide_2025_0_wasm32.whl'),
        at('six-1.17.0-py2.py3-none-any.whl'),
        at('python_dateutil-2.9.0-py2.py3-none-any.whl'),
        at('sub/pytz-2025.2-py2.py3-none-any.whl'),
        at('pandas-2.3.0-cp313-cp313-pyodide_2025_0_wasm32.whl'),
      ],
    ],
    [['Python_DateUtil'], [at('six-1.17.0-py2.py3-none-any.whl'), at('python_dateutil-2.9.0-py2.py3-none-any.whl')]],
  ])('%j → dependencies first, each once', (names, expected) => {
    expect(wheelsFromLock(names, lock, LOCK)).toEqual(expected);
  });

  it.each([
    [['nope'], /no package named 'nope' in https:\/\/app\.example\/pyodide\/pyodide-lock\.json/],
    [['orphan'], /no package named 'nowhere' \(a dependency of orphan\)/],
    [['toString'], /no package named 'toString'/],
  ])('%j is refused, saying to pass a wheel URL', (names, message) => {
    expect(() => wheelsFromLock(names, lock, LOCK)).toThrow(message);
  });

  it('refuses what is not a lock file', () => {
    expect(() => wheelsFromLock(['numpy'], { info: {} }, LOCK)).toThrow(/is not a Pyodide lock file/);
  });

  it.each([
    ['Python_DateUtil', 'python-dateutil'],
    ['zope.interface', 'zope-interface'],
    ['a__b--c', 'a-b-c'],
  ])('canonicalName(%s) = %s', (name, expected) => {
    expect(canonicalName(name)).toBe(expected);
  });
});
