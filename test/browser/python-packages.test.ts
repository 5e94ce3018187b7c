/**
 * `python.packages`: wheels the app serves, fetched by the page (once per page, like the
 * runtime) and installed before the first cell; a package that cannot be had fails the
 * session's start with an error that says which and what to do. The wheels come from the
 * loopback server, built there on request (test/browser/setup/wheel.ts).
 */
import { describe, expect, inject, it } from 'vitest';
import { createSession } from '../../lib/index';
import { sizeNativeSpins } from './helpers';

const loopback = inject('loopback');

async function requests(token: string): Promise<Array<{ path: string }>> {
  return (await fetch(`${loopback}/count/${token}`)).json();
}

describe('python.packages', () => {
  it('installs a wheel from a URL before the first cell; a restart installs it again from the same bytes', async () => {
    const token = crypto.randomUUID();
    const url = `${loopback}/t/${token}/wheels/tinywheel-1.0.0-py3-none-any.whl`;
    const session = await createSession({ language: 'python', interruptGraceMs: 500, python: { packages: [url] } });
    try {
      const first = await session.execute(
        'import tinywheel\nfrom importlib.metadata import version\n(tinywheel.shout("hi"), version("tinywheel"))',
      );
      expect(first).toMatchObject({ status: 'ok', value: ['HI!', '1.0.0'] });
      // The sandbox policy still holds for cells: the wheel's server is out of their reach.
      const blocked = await session.execute(`import js\nawait js.fetch(${JSON.stringify(url)})`);
      expect(blocked.error?.message).toMatch(/blocked by the session policy/);

      // A native spin no interrupt reaches, sized to end by itself (WebKit never ends the killed worker).
      await session.execute(sizeNativeSpins({ SPIN: 5 }));
      const hard = await session.execute('sum(range(SPIN))', { timeoutMs: 200 });
      expect(hard).toMatchObject({ status: 'timeout', restarted: true });
      expect((await session.execute('tinywheel.shout("again")')).value).toBe('AGAIN!');
      // One fetch for the page's life: the restarted worker got the bytes it already had.
      expect((await requests(token)).map((hit) => hit.path)).toEqual([
        `/t/${token}/wheels/tinywheel-1.0.0-py3-none-any.whl`,
      ]);
    } finally {
      await session.close();
    }
  }, 240_000);

  it('installs a package by name from python.lockFileURL (a self-hosted distribution), relative to that lock file', async () => {
    const token = crypto.randomUUID();
    const session = await createSession({
      language: 'python',
      python: { packages: ['TinyWheel'], lockFileURL: `${loopback}/t/${token}/locks/pyodide-lock.json` },
    });
    try {
      expect((await session.execute('import tinywheel\ntinywheel.NAME')).value).toBe('tinywheel');
      expect((await requests(token)).map((hit) => hit.path)).toEqual([
        `/t/${token}/locks/pyodide-lock.json`,
        `/t/${token}/wheels/tinywheel-1.0.0-py3-none-any.whl`,
      ]);
    } finally {
      await session.close();
    }
  }, 180_000);

  it.each<[string, () => string, RegExp, string?]>([
    [
      'a wheel URL that answers 404',
      () => `${loopback}/t/x/missing/gone-1.0-py3-none-any.whl`,
      /the wheel .*gone-1\.0-py3-none-any\.whl could not be fetched \(HTTP 404\)/,
    ],
    [
      'a wheel that is not a zip',
      () => `${loopback}/t/x/broken/broken-1.0-py3-none-any.whl`,
      /broken-1\.0-py3-none-any\.whl did not install/,
    ],
    [
      'a name the lock file does not list',
      () => 'surely-no-such-package',
      /no package named 'surely-no-such-package' in .*pyodide-lock\.json\. sandcell has no package index/,
    ],
    [
      'a lockFileURL that answers 404',
      () => 'numpy',
      /python\.lockFileURL: .*missing\/pyodide-lock\.json could not be fetched \(HTTP 404\)/,
      `${loopback}/t/x/missing/pyodide-lock.json`,
    ],
    [
      'a name whose wheel the runtime does not ship',
      () => 'micropip',
      /the wheel .*micropip-.*\.whl \(named in .*pyodide-lock\.json\) could not be fetched .*ships none of their wheels/,
    ],
  ])(
    'fails the start with a clear error: %s',
    async (_name, entry, message, lockFileURL) => {
      await expect(createSession({ language: 'python', python: { packages: [entry()], lockFileURL } })).rejects.toThrow(
        message,
      );
    },
    180_000,
  );

  it.each([
    ['a version constraint', 'numpy>=2', /not a package name; version constraints and extras/],
    ['a URL that is not a wheel', 'https://example.com/numpy.tar.gz', /not the URL of a wheel/],
    ['a wheel URL with a query', 'https://example.com/a-1.0-py3-none-any.whl?x=1', /no query or fragment/],
    ['not a string', 42, /must be package names or wheel URLs/],
  ])('refuses %s at once (TypeError)', async (_name, entry, message) => {
    await expect(createSession({ language: 'python', python: { packages: [entry as string] } })).rejects.toThrow(
      expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(message) }),
    );
  });
});
