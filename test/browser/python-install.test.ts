/**
 * `await micropip.install(url)` from a cell: the engine's stand-in for micropip (Pyodide's npm
 * package ships none) installs a pure-Python wheel by URL where the session's policy allows
 * the network, refuses before any request where it does not, and a wheel that cannot be had
 * is a clear Python exception that loses no variable. The wheels come from the loopback
 * server, built there on request (test/browser/setup/wheel.ts); it counts every request.
 */
import { describe, expect, inject, it } from 'vitest';
import { createSession, type Session } from '../../lib/index';
import type { PolicyConfig, PolicyName } from '../../lib/types';

const loopback = inject('loopback');

async function requests(token: string): Promise<string[]> {
  return ((await (await fetch(`${loopback}/count/${token}`)).json()) as Array<{ path: string }>).map((hit) => hit.path);
}

async function withSession(
  policy: PolicyName | PolicyConfig,
  body: (session: Session) => Promise<void>,
): Promise<void> {
  const session = await createSession({ language: 'python', policy });
  try {
    await body(session);
  } finally {
    await session.close();
  }
}

describe('micropip.install from a cell', () => {
  it.each<[string, PolicyName | PolicyConfig]>([
    ["policy 'standard'", 'standard'],
    ['{ network: true }', { network: true, storage: false, workers: false }],
  ])(
    'installs a wheel by URL and the cell imports it (%s); once installed, again is a no-op',
    async (_name, policy) => {
      const token = crypto.randomUUID();
      const url = `${loopback}/t/${token}/wheels/cellwheel-2.1.0-py3-none-any.whl`;
      await withSession(policy, async (session) => {
        const before = await session.execute('import cellwheel');
        expect(before.error).toMatchObject({ name: 'ModuleNotFoundError' });
        const installed = await session.execute(
          `import micropip\nawait micropip.install(${JSON.stringify(url)})\nimport cellwheel\nfrom importlib.metadata import version\n(cellwheel.shout("hi"), cellwheel.NAME, version("cellwheel"))`,
        );
        expect(installed).toMatchObject({ status: 'ok', value: ['HI!', 'cellwheel', '2.1.0'] });
        const again = await session.execute(`await micropip.install([${JSON.stringify(url)}])\ncellwheel.shout("x")`);
        expect(again).toMatchObject({ status: 'ok', value: 'X!' });
        expect(await requests(token)).toEqual([`/t/${token}/wheels/cellwheel-2.1.0-py3-none-any.whl`]);
      });
    },
    180_000,
  );

  it('is refused under the sandbox policy with a PermissionError, and makes no request', async () => {
    const token = crypto.randomUUID();
    const url = `${loopback}/t/${token}/wheels/cellwheel-2.1.0-py3-none-any.whl`;
    await withSession('sandbox', async (session) => {
      await session.execute('kept = [1, 2, 3]');
      const refused = await session.execute(`import micropip\nawait micropip.install(${JSON.stringify(url)})`);
      expect(refused.status).toBe('error');
      expect(refused.error?.name).toBe('PermissionError');
      expect(refused.error?.message).toMatch(
        /micropip\.install\(.*cellwheel-2\.1\.0-py3-none-any\.whl\): the session policy denies the network.*policy 'standard'.*python\.packages/,
      );
      expect((await session.execute('import cellwheel')).error?.name).toBe('ModuleNotFoundError');
      expect((await session.execute('kept')).value).toEqual([1, 2, 3]);
      expect(await requests(token)).toEqual([]);
    });
  }, 180_000);

  it('gives a clear error for a wheel that is missing or not a wheel, or for a name, and keeps the variables', async () => {
    const token = crypto.randomUUID();
    const missing = `${loopback}/t/${token}/missing/gone-1.0-py3-none-any.whl`;
    const broken = `${loopback}/t/${token}/broken/broken-1.0-py3-none-any.whl`;
    await withSession('standard', async (session) => {
      await session.execute('kept = {"a": [1, 2]}\ndef twice(x):\n    return 2 * x');
      const cases: Array<[string, string, RegExp]> = [
        [
          JSON.stringify(missing),
          'OSError',
          /micropip\.install: the wheel .*\/missing\/gone-1\.0-py3-none-any\.whl could not be fetched \(HTTP 404\)/,
        ],
        [
          JSON.stringify(broken),
          'OSError',
          /micropip\.install: the wheel .*\/broken\/broken-1\.0-py3-none-any\.whl is not a wheel \(its 1 bytes are not a zip archive\)/,
        ],
        [
          '"numpy"',
          'ValueError',
          /micropip\.install\('numpy'\): sandcell has no package index.*URL of a pure-Python wheel.*python\.packages/,
        ],
        [JSON.stringify(`${loopback}/t/${token}/files/data.tar.gz`), 'ValueError', /not the URL of a wheel/],
        ['"/wheels/x-1.0-py3-none-any.whl"', 'ValueError', /pass an absolute http\(s\) URL of a wheel/],
      ];
      for (const [argument, name, message] of cases) {
        const result = await session.execute(`import micropip\nawait micropip.install(${argument})`);
        expect(result.status, argument).toBe('error');
        expect(result.error?.name, argument).toBe(name);
        expect(result.error?.message, argument).toMatch(message);
      }
      expect((await session.execute('import gone')).error?.name).toBe('ModuleNotFoundError');
      expect((await session.execute('(kept, twice(21))')).value).toEqual([{ a: [1, 2] }, 42]);
      // Only the two wheel URLs were asked for, once each: names and bad URLs never reach the network.
      expect((await requests(token)).sort()).toEqual(
        [`/t/${token}/broken/broken-1.0-py3-none-any.whl`, `/t/${token}/missing/gone-1.0-py3-none-any.whl`].sort(),
      );
    });
  }, 180_000);
});
