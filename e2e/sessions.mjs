/**
 * Sessions across what a single page cannot show in Vitest: a page reload (persisted
 * snapshots come back), and a page without cross-origin isolation (no SharedArrayBuffer:
 * every interrupt takes the hard path, time limits still work cooperatively).
 */
import assert from 'node:assert/strict';
import { test } from './harness.mjs';

/** @param {import('playwright').Page} page */
async function sdkReady(page) {
  await page.waitForSelector('body[data-done="1"]', { timeout: 15_000 });
}

/**
 * @param {() => import('playwright').Browser} browser
 * @param {{ isolated: { url: string }; plain: { url: string } }} servers
 */
export function registerSessionTests(browser, servers) {
  test('persist: true, reload the page, createSession({ id, restore: true }) gets the variables back', async () => {
    const context = await browser().newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${servers.isolated.url}/e2e/pages/esm.html`);
      await sdkReady(page);
      const saved = await page.evaluate(async () => {
        const sdk = /** @type {typeof import('../lib/index.ts')} */ (Reflect.get(window, 'sandcell'));
        const session = await sdk.createSession({ id: 'e2e-reload', persist: true });
        // Resolves on the persisted snapshot that holds the second cell's variables too.
        const persisted = new Promise((resolve) =>
          session.addEventListener('snapshot', (e) => {
            if (e.detail.saved.includes('box')) resolve(e.detail);
          }),
        );
        await session.execute('const shared = {n: 1}; let data = {a: shared, b: shared, when: new Date(7)}');
        await session.execute(
          'function twice(x) { return 2 * x } class Box { constructor(v) { this.v = v } get() { return this.v } } let box = new Box(21)',
        );
        const info = await persisted;
        const listed = await sdk.listSnapshots('e2e-reload');
        return { saved: info.saved, listed: listed.map((x) => x.id), id: info.id };
      });
      assert.ok(saved.saved.includes('shared'), `the persisted snapshot saved ${saved.saved}`);
      assert.deepEqual(saved.listed, [saved.id], 'persist keeps one record per session');
      await page.reload();
      await sdkReady(page);
      const restored = await page.evaluate(async () => {
        const sdk = /** @type {typeof import('../lib/index.ts')} */ (Reflect.get(window, 'sandcell'));
        const session = await sdk.createSession({ id: 'e2e-reload', restore: true });
        const r = await session.execute(
          '[data.a === data.b, data.when.getTime(), twice(4), box.get(), box instanceof Box]',
        );
        await session.close();
        return r.value;
      });
      assert.deepEqual(restored, [true, 7, 8, 21, true]);
    } finally {
      await context.close();
    }
  });

  test('without COOP/COEP: input() used as text without await says to await it; awaited, it answers', async () => {
    const context = await browser().newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${servers.plain.url}/e2e/pages/esm.html`);
      await sdkReady(page);
      const outcome = await page.evaluate(async () => {
        const sdk = /** @type {typeof import('../lib/index.ts')} */ (Reflect.get(window, 'sandcell'));
        const session = await sdk.createSession({ onInput: () => 'Ada' });
        try {
          await session.execute('let keep = 1');
          const bare = await session.execute("'Hi ' + input('name?')");
          const awaited = await session.execute("'Hi ' + await input('name?')");
          const kept = await session.execute('keep');
          return { bare, awaited: awaited.value, kept: kept.value, isolated: session.crossOriginIsolated };
        } finally {
          await session.close();
        }
      });
      assert.equal(outcome.isolated, false);
      assert.equal(outcome.bare.status, 'error', JSON.stringify(outcome.bare));
      assert.match(outcome.bare.error.message, /write `await input\(…\)`, or serve the page with the headers/);
      assert.equal(outcome.awaited, 'Hi Ada');
      assert.equal(outcome.kept, 1);
    } finally {
      await context.close();
    }
  });

  test(
    'without COOP/COEP: every interrupt case stops (hard path), time limits work, variables survive',
    async () => {
      const context = await browser().newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${servers.plain.url}/e2e/pages/esm.html`);
        await sdkReady(page);
        const outcome = await page.evaluate(async () => {
          const sdk = /** @type {typeof import('../lib/index.ts')} */ (Reflect.get(window, 'sandcell'));
          const session = await sdk.createSession({ interruptGraceMs: 200 });
          const results = {};
          try {
            await session.execute(
              'const shared = {n: 1}; const a = {shared}; const b = {shared}; const cyc = {}; cyc.self = cyc; let keep = "kept"',
            );
            const cells = [
              'while (true) {}',
              'for (;;) { try {} catch (e) {} }',
              'try { while (true) {} } finally { while (true) {} }',
              'function r() { try { r() } catch { r() } } r()',
              'for (;;) await 0',
              'function spin() { return Promise.resolve().then(spin) } await spin()',
              'eval("while (true) {}")',
            ];
            for (const cell of cells) {
              const running = session.execute(cell);
              await new Promise((r) => setTimeout(r, 100));
              await session.interrupt();
              const r = await running;
              const check = await session.execute('[keep, a.shared === b.shared, cyc.self === cyc]');
              results[cell] = { status: r.status, restarted: r.restarted, check: check.value };
            }
            // Time limits are cooperative: a generous grace, so a worker starved by a loaded
            // machine is not killed before it reaches its own deadline check.
            const patient = await sdk.createSession({ interruptGraceMs: 20_000 });
            try {
              for (const cell of ['while (true) {}', 'for (;;) await 0', 'await new Promise(() => {})']) {
                const r = await patient.execute(cell, { timeoutMs: 150 });
                results[`timeout: ${cell}`] = { status: r.status, restarted: r.restarted ?? false };
              }
              const intervalCell = await patient.execute(
                'globalThis.ticks = 0; setInterval(() => ticks++, 1); await new Promise(() => {})',
                { timeoutMs: 100 },
              );
              const t1 = (await patient.execute('ticks')).value;
              // Asked of the worker's clock: a 1 ms interval still alive would tick before this timer.
              const t2 = (await patient.execute('await new Promise((r) => setTimeout(r, 150)); ticks')).value;
              results.interval = { status: intervalCell.status, stopped: t1 === t2 };
            } finally {
              await patient.close();
            }
            results.isolated = session.crossOriginIsolated;
          } finally {
            await session.close();
          }
          return results;
        });
        assert.equal(outcome.isolated, false);
        for (const [cell, r] of Object.entries(outcome)) {
          if (cell === 'isolated' || cell === 'interval' || cell.startsWith('timeout: ')) continue;
          assert.equal(r.status, 'interrupted', `${cell}: ${JSON.stringify(r)}`);
          assert.equal(r.restarted, true, `${cell} should take the hard path without SharedArrayBuffer`);
          assert.deepEqual(r.check, ['kept', true, true], `${cell}: variables after restart`);
        }
        assert.deepEqual(outcome['timeout: while (true) {}'], { status: 'timeout', restarted: false });
        assert.deepEqual(outcome['timeout: for (;;) await 0'], { status: 'timeout', restarted: false });
        assert.deepEqual(outcome['timeout: await new Promise(() => {})'], { status: 'timeout', restarted: false });
        assert.equal(outcome.interval.status, 'timeout');
        assert.equal(outcome.interval.stopped, true, 'a timed-out cell left its interval running');
      } finally {
        await context.close();
      }
    },
    { timeoutMs: 60_000 },
  );
}
