/**
 * Python tabs of the playground (demo/, built into demo/dist with the Python runtime beside it
 * in demo/dist/python/), driven as a person does: the language chosen for a new session, cells
 * typed and run, Stop, input(), the inspector, completion, snapshots across a reload.
 *
 * A Python tab's start loads Pyodide (~10–20 s on a loaded machine), so every wait on it is
 * a wait on the page's state (Playwright re-checks as the DOM changes) with a wide limit.
 */
import assert from 'node:assert/strict';
import { test } from './harness.mjs';
import {
  completeMembers,
  editorText,
  openPlayground,
  ready,
  runCell,
  settled,
  shot,
  text,
  typeCode,
  visibleCells,
} from './playground.mjs';

/** A Python session's start (runtime fetch, Pyodide boot, engine import) under load. */
const PYTHON_START_MS = 120_000;
/** Cells that run Python: seconds each, but the first import of a module compiles it. */
const PYTHON_CELL_MS = 60_000;

/**
 * Opens a Python tab with the sandbox policy and waits until it is the active, idle session.
 * @param {import('playwright').Page} page
 * @returns {Promise<import('playwright').Locator>} the tab
 */
async function openPythonTab(page) {
  await page.selectOption('[data-testid="language"]', 'python');
  await page.selectOption('[data-testid="policy"]', 'sandbox');
  await page.click('[data-testid="new-session"]');
  const tab = page.locator('[data-testid="session-tab"][data-language="python"]');
  await tab.and(page.locator('[aria-selected="true"]')).waitFor({ timeout: PYTHON_START_MS });
  await page.waitForSelector('[data-testid="session-state"][data-state="idle"]', { timeout: PYTHON_START_MS });
  return tab;
}

/**
 * Runs a Python cell and waits (widely) for it to settle.
 * @param {import('playwright').Page} page
 * @param {string} code
 */
async function runPython(page, code) {
  const cell = await runCell(page, code, { settle: false });
  await settled(cell, PYTHON_CELL_MS);
  return cell;
}

/**
 * @param {() => import('playwright').Browser} browser
 * @param {{ url: string }} server serves demo/dist with COOP/COEP
 */
export function registerPlaygroundPythonTests(browser, server) {
  /** @type {typeof test} */
  const register = (name, fn, testOptions = {}) => test(name, fn, { timeoutMs: 300_000, ...testOptions });

  /** @param {(page: import('playwright').Page) => Promise<void>} body */
  const withPlayground = (body) => openPlayground(browser(), server.url, body);

  register(
    'playground Python: a Python tab highlights Python, streams print before input(), links tracebacks to cell lines, lists variables',
    async () => {
      await withPlayground(async (page) => {
        const jsDraft = await editorText(page);
        const tab = await openPythonTab(page);
        assert.match(await text(tab), /Python · sandbox/);
        // The editor switched to Python: its first-visit cell, its examples.
        assert.match(await editorText(page), /^# Cells share one session/);
        assert.equal(await page.getAttribute('[data-testid="editor"] .cm-editor', 'data-language'), 'python');
        const examples = await page.locator('[data-testid="examples"] option').allTextContents();
        assert.ok(examples.includes('Stop a loop that swallows exceptions'), `examples: ${examples}`);

        const first = await runPython(page, 'import math\nr = 2\nprint("area follows")\nmath.pi * r ** 2');
        assert.equal(await first.getAttribute('data-status'), 'ok');
        assert.equal(await first.getAttribute('data-language'), 'python');
        assert.equal(await text(first.getByTestId('cell-repr')), '12.566370614359172');
        assert.match(await text(first.getByTestId('stream-stdout')), /area follows/);
        // Python highlighting in the history: `import` is coloured as a keyword, unlike `math`.
        const colours = await first.getByTestId('cell-code').evaluate((el) => {
          const spans = [...el.querySelectorAll('.cm-line span')];
          const colourOf = (/** @type {string} */ word) => {
            const span = spans.find((s) => s.textContent === word);
            return span ? getComputedStyle(span).color : null;
          };
          return { keyword: colourOf('import'), line: getComputedStyle(el.querySelector('.cm-line') ?? el).color };
        });
        assert.ok(colours.keyword && colours.keyword !== colours.line, `import not highlighted: ${colours.keyword}`);

        // Output reaches the page while the cell still runs: here it waits on input(), which
        // blocks with shared memory and is awaited without (Debian's WebKitGTK has none).
        const shared = (await page.getAttribute('[data-testid="isolation"]', 'data-isolated')) === 'true';
        const ask = shared ? 'input("Your answer?")' : 'await input("Your answer?")';
        const asking = await runCell(page, `print("before the question")\nanswer = ${ask}\nanswer * 2`, {
          settle: false,
        });
        const field = asking.getByTestId('input-field');
        await field.waitFor({ timeout: PYTHON_CELL_MS });
        assert.equal(await asking.getAttribute('data-status'), 'running');
        assert.match(await text(asking.getByTestId('stream-stdout')), /before the question/);
        assert.equal(await asking.locator('.input-form label').textContent(), 'Your answer?');
        await field.fill('ab');
        await field.press('Enter');
        assert.equal(await settled(asking, PYTHON_CELL_MS), 'ok');
        assert.equal(await text(asking.getByTestId('cell-repr')), "'abab'");

        // A traceback: frames link to the cell that defined the function and the one that called it.
        await runPython(page, 'def average(values):\n    return sum(values) / len(values)');
        const failing = await runPython(page, 'print(average([1, 2, 3]))\naverage([])');
        assert.equal(await failing.getAttribute('data-status'), 'error');
        assert.match(await text(failing.getByTestId('cell-error')), /^ZeroDivisionError: division by zero \(line 2/);
        assert.match(await text(failing.getByTestId('stream-stdout')), /2\.0/);
        const frames = failing.getByTestId('cell-stack').getByTestId('stack-frame');
        const where = await frames.evaluateAll((els) => els.map((el) => `${el.dataset.cell}:${el.dataset.line}`));
        assert.deepEqual(where, ['4:2', '3:2']);
        await frames.nth(1).click();
        const definition = visibleCells(page).nth(2);
        await definition.locator('.cm-traced-line').waitFor({ timeout: 10_000 });
        assert.match(await text(definition.locator('.cm-traced-line')), /return sum\(values\) \/ len\(values\)/);
        await shot(page, 'python-traceback');

        // The inspector lists the Python namespace: no engine internals, no modules' insides.
        const row = page.locator('[data-testid="variable"][data-name="r"]');
        await row.waitFor({ timeout: 10_000 });
        assert.equal(await text(row.getByTestId('variable-repr')), '2');
        const average = page.locator('[data-testid="variable"][data-name="average"]');
        await average.waitFor({ timeout: 10_000 });
        assert.match(await text(average.locator('.var-type')), /function/);
        await page.locator('[data-testid="variable"][data-name="answer"]').waitFor({ timeout: 10_000 });

        // Back on the JavaScript tab: its editor text and its language come back.
        await typeCode(page, 'python_draft = 1');
        await page.locator('[data-testid="session-tab"]').nth(0).locator('.tab-label').click();
        assert.equal(await editorText(page), jsDraft);
        assert.equal(await page.getAttribute('[data-testid="editor"] .cm-editor', 'data-language'), 'javascript');
        await tab.locator('.tab-label').click();
        assert.equal(await editorText(page), 'python_draft = 1');
        // ↑ recalls this language's cells.
        await page.click('[data-testid="editor"] .cm-content');
        await page.keyboard.press('ArrowUp');
        assert.equal(await editorText(page), 'print(average([1, 2, 3]))\naverage([])');
      });
    },
  );

  register(
    'playground Python: completion offers the namespace and an object’s attributes, without changing _',
    async () => {
      await withPlayground(async (page) => {
        await openPythonTab(page);
        await runPython(
          page,
          'class Point:\n    def __init__(self, x):\n        self.x = x\n\n    def norm(self):\n        return abs(self.x)\n\norigin = Point(3)',
        );
        await runPython(page, "'the last value'");
        const { options, labels } = await completeMembers(page, {
          prefix: 'ori',
          name: 'origin',
          member: 'norm',
          timeoutMs: PYTHON_CELL_MS,
        });
        const members = await labels();
        assert.deepEqual(members.slice(0, 2), ['x', 'norm'], "the instance's own names first, then its class's");
        assert.ok(members.includes('__class__'), `no dunders in ${members}`);
        assert.equal(await options.filter({ hasText: /^norm/ }).locator('.cm-completionIcon-method').count(), 1);
        await shot(page, 'python-completion');
        await page.keyboard.type('no');
        await options.filter({ hasText: /^norm/ }).click();
        assert.equal(await page.locator('[data-testid="editor"] .cm-content').textContent(), 'origin.norm');
        // The lookups ran as cells of their own: the history shows only the user's cells, and `_` is unchanged.
        assert.equal(await visibleCells(page).count(), 2);
        const cell = await runPython(page, '(origin.norm(), _)');
        assert.equal(await text(cell.getByTestId('cell-repr')), "(3, 'the last value')");
      });
    },
  );

  register(
    'playground Python: Stop ends a loop that swallows the interrupt; a time limit stops time.sleep; input() from the examples',
    async () => {
      await withPlayground(async (page) => {
        await openPythonTab(page);
        await page.selectOption('[data-testid="examples"]', 'infinite-loop');
        await page.click('[data-testid="run"]');
        const loop = visibleCells(page).first();
        await loop.waitFor();
        // Its prints reach the page: the loop runs (`spins` exists), it is not waiting to start.
        await loop
          .getByTestId('stream-stdout')
          .filter({ hasText: 'spins… press Stop' })
          .waitFor({ timeout: PYTHON_CELL_MS });
        await page.click('[data-testid="stop"]');
        assert.equal(await settled(loop, PYTHON_CELL_MS), 'interrupted');
        assert.equal(await loop.getByTestId('badge-interrupted').count(), 1);
        const restarted = (await loop.getByTestId('badge-restarted').count()) > 0;
        // The example's second cell is in the editor now.
        const before = await visibleCells(page).count();
        await page.click('[data-testid="run"]');
        const next = visibleCells(page).nth(before);
        assert.equal(await settled(next, PYTHON_CELL_MS), restarted ? 'error' : 'ok');
        // The soft stop keeps what the loop did; the hard path (rare, on a loaded machine) restores
        // the namespace from before the loop's cell, where `spins` does not exist.
        if (!restarted) assert.match(await text(next.getByTestId('cell-repr')), /^'spun [\d,]+ times'$/);

        await page.selectOption('[data-testid="time-limit"]', '1000');
        const sleeping = await runPython(page, 'import time\ntime.sleep(60)');
        assert.equal(await sleeping.getAttribute('data-status'), 'timeout');
        await page.selectOption('[data-testid="time-limit"]', '');

        await page.selectOption('[data-testid="examples"]', 'input');
        const asked = await visibleCells(page).count();
        await page.click('[data-testid="run"]');
        const cell = visibleCells(page).nth(asked);
        const field = cell.getByTestId('input-field');
        await field.waitFor({ timeout: PYTHON_CELL_MS });
        await field.fill('Ada');
        await field.press('Enter');
        assert.equal(await settled(cell, PYTHON_CELL_MS), 'ok');
        assert.equal(await text(cell.getByTestId('cell-repr')), "'Nice to meet you, Ada!'");
      });
    },
  );

  register(
    'playground Python: rich display, and a snapshot of classes and lambdas restored after a page reload',
    async () => {
      await withPlayground(async (page) => {
        await openPythonTab(page);
        await page.selectOption('[data-testid="examples"]', 'svg-chart');
        await page.click('[data-testid="run"]');
        const chart = visibleCells(page).first();
        assert.equal(await settled(chart, PYTHON_CELL_MS), 'ok');
        await chart.locator('[data-testid="cell-display"] :is(iframe, img, svg)').first().waitFor({ timeout: 10_000 });
        assert.equal(await text(chart.getByTestId('cell-repr')), "'max: 23'");
        await shot(chart, 'python-chart');

        await runPython(
          page,
          'from dataclasses import dataclass\n\n@dataclass\nclass Box:\n    n: int\n\n    def twice(self):\n        return 2 * self.n\n\nbox = Box(21)\nsquare = lambda v: v * v',
        );
        await page.click('[data-testid="snapshot-save"]');
        const item = page.locator('[data-testid="snapshot"]');
        await item.first().waitFor({ timeout: PYTHON_CELL_MS });

        await page.reload();
        await ready(page);
        // The same Python tab again (same number, same id): its snapshots are listed.
        await openPythonTab(page);
        await item.first().waitFor({ timeout: 10_000 });
        assert.equal(await page.locator('[data-testid="variable"][data-name="box"]').count(), 0);
        await item.first().getByTestId('snapshot-restore').click();
        await page.locator('[data-testid="variable"][data-name="box"]').waitFor({ timeout: PYTHON_CELL_MS });
        const cell = await runPython(page, 'box.twice() + square(3)');
        assert.equal(await text(cell.getByTestId('cell-repr')), '51');
        await shot(page, 'python-restored');

        // A share link carries the tab's language: opened, its cells wait in a new Python tab.
        await page.click('[data-testid="share"]');
        await page.waitForFunction(() => location.hash.endsWith('&language=python'));
        const link = await page.evaluate(() => location.href);
        await page.goto('about:blank');
        await page.goto(link);
        await ready(page);
        await page
          .locator('[data-testid="session-tab"][data-language="python"][aria-selected="true"]')
          .waitFor({ timeout: PYTHON_START_MS });
        assert.equal(await editorText(page), 'box.twice() + square(3)');
      });
    },
  );
}
