/**
 * A worker that cannot start is reported to the page with its cause, at once: createSession()
 * rejects with a `[sandcell]` error that carries the worker's own message (it used to wait
 * forever when the throw came after the runtime was built — how a Firefox-only failure hid),
 * and a restart that cannot start a new worker says so on the session's `restart` event.
 *
 * The worker's code is the test's to break: this file hosts its own worker source through the
 * seam every session loads its code from (`javascriptWorkerSource`), either a script that
 * throws as it loads or the real bundle with one thing sabotaged so its start-up throws after
 * the runtime exists. Everything else — frame, page host, link, session — is the real one.
 */
import { describe, expect, it, vi } from 'vitest';
import { createSession, type Session } from '../../lib/index';
import { openSession } from './helpers';

const hosted = vi.hoisted(() => ({
  /** Replaces the worker bundle's text while set; `real` is the bundle itself. */
  source: undefined as ((real: string) => string) | undefined,
}));

vi.mock('../../lib/host/hosting/worker-source.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/host/hosting/worker-source.ts')>();
  return {
    javascriptWorkerSource: async () => {
      const real = await actual.javascriptWorkerSource();
      return hosted.source ? hosted.source(real) : real;
    },
  };
});

/** Fails as the script loads, before the worker even reads its init message. */
const throwsAtLoad = () => 'throw new Error("the bundle is broken at load");';

/**
 * The real bundle, after a script that breaks `MessagePort.prototype.start`: the worker's RPC
 * calls it last in its start-up, after the runtime (and its error listener) exist.
 */
const throwsInStartUp = (real: string) =>
  `MessagePort.prototype.start = function () { throw new Error('the port refused to start'); };\n${real}`;

function withSource<T>(source: (real: string) => string, body: () => Promise<T>): Promise<T> {
  hosted.source = source;
  return body().finally(() => {
    hosted.source = undefined;
  });
}

/** Resolves with the detail of the session's next `restart` event. */
function nextRestart(session: Session): Promise<{ reason: string; message?: string }> {
  return new Promise((resolve) =>
    session.addEventListener('restart', (event) => resolve(event.detail), { once: true }),
  );
}

describe('a worker that cannot start', () => {
  for (const [where, policy] of [
    ['in its frame', 'sandbox'],
    ['on the page', 'unrestricted'],
  ] as const) {
    it(`rejects createSession() with the cause when the script throws as it loads (${where})`, async () => {
      await withSource(throwsAtLoad, async () => {
        await expect(createSession({ policy })).rejects.toThrow(
          /^\[sandcell\] the session's worker could not start: .*the bundle is broken at load/,
        );
      });
    });

    it(`rejects createSession() with the cause when its start-up throws after the runtime exists (${where})`, async () => {
      await withSource(throwsInStartUp, async () => {
        await expect(createSession({ policy })).rejects.toThrow(
          /^\[sandcell\] the session's worker could not start: its start-up threw Error: the port refused to start/,
        );
      });
    });
  }

  it('rejects the cell whose hard restart cannot start a new worker, with the cause', async () => {
    const session = await openSession();
    await session.execute('let kept = 1');
    await withSource(throwsAtLoad, async () => {
      // close() ends the worker under the running cell: the session restarts it, and that fails.
      await expect(session.execute('close(); await new Promise(() => {})')).rejects.toThrow(
        /could not start: .*the bundle is broken at load/,
      );
    });
  });

  it('says on the restart event when a worker that died between cells cannot be replaced', async () => {
    const session = await openSession();
    const restarted = nextRestart(session);
    await withSource(throwsAtLoad, async () => {
      // The cell ends first; its worker closes itself afterwards, between cells.
      await session.execute('setTimeout(() => close(), 0); 1');
      const detail = await restarted;
      expect(detail.reason).toBe('crashed');
      expect(detail.message).toMatch(
        /^the cell closed its worker \(close\(\)\); then the session's worker could not start: .*the bundle is broken at load/,
      );
    });
    await expect(session.execute('1 + 1')).rejects.toThrow(/could not start: .*the bundle is broken at load/);
  });
});
