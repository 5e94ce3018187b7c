/**
 * The playground (demo/, built into demo/dist and served cross-origin isolated), driven the
 * way a person uses it: typing in the editor, clicking Run and Stop, reading the history,
 * the inspector and the snapshot list.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { test } from './harness.mjs';

const SCREENSHOT = fileURLToPath(new URL('../test-results/playground.png', import.meta.url));

/**
 * Saves test-results/playground-<name>.png (looked at by a person; see the README).
 * @param {import('playwright').Page | import('playwright').Locator} target
 * @param {string} name
 */
export async function shot(target, name) {
  await mkdir(fileURLToPath(new URL('../test-results/', import.meta.url)), { recursive: true });
  await target.screenshot({ path: fileURLToPath(new URL(`../test-results/playground-${name}.png`, import.meta.url)) });
}

/**
 * Lines of printed stdout the cell renders now.
 * @param {import('playwright').Locator} cell
 */
async function renderedStdoutLines(cell) {
  return cell.evaluate((el) =>
    [...el.querySelectorAll('[data-testid="stream-stdout"]')].reduce(
      (sum, pre) => sum + (pre.textContent?.match(/\n/g)?.length ?? 0),
      0,
    ),
  );
}

/** @param {import('playwright').Locator} locator its text, '' when it has none */
export async function text(locator) {
  return (await locator.textContent()) ?? '';
}

/**
 * The editor's text, line by line as it shows them. Not `innerText`: engines differ in the line
 * breaks it adds around the editor's line elements (WebKit ends it with one more).
 * @param {import('playwright').Page} page
 * @returns {Promise<string>}
 */
export function editorText(page) {
  return page
    .locator('[data-testid="editor"] .cm-content .cm-line')
    .evaluateAll((lines) => lines.map((line) => line.textContent).join('\n'));
}

/** @param {import('playwright').Page} page */
export function visibleCells(page) {
  return page.locator('[data-testid="cells"]:visible [data-testid="cell"]');
}

/** @param {import('playwright').Page} page waits until the active session is idle */
export async function ready(page) {
  await page.waitForSelector('[data-testid="session-tab"]', { timeout: 15_000 });
  await page.waitForSelector('[data-testid="session-state"][data-state="idle"]', { timeout: 15_000 });
}

/**
 * Replaces the editor's text with `code`. insertText is one input event, so the
 * editor's bracket closing and auto-indent leave the text as written.
 *
 * The old text goes first, by keys: select all, a typed space replaces it, Backspace takes
 * that away. The new text is then inserted at an empty, collapsed selection, because two
 * drivers cannot insert over a selection that spans the editor's lines:
 * - Over WebDriver BiDi (Firefox) Playwright's insertText is no input event of the browser: it
 *   edits the DOM under the selection itself and fires a synthetic `input`, which leaves the
 *   emptied line elements in place; CodeMirror reads them as a blank line before and after.
 * - Over WebKitWebDriver (WebKitGTK), a Backspace sent right after the select-all deletes
 *   nothing, by every sign because it arrives before CodeMirror has taken up the new selection
 *   (which it reads on `selectionchange`): the same Backspace sent after one script call to the
 *   page deletes it, and so does a real keyboard (xdotool on the same display). A typed
 *   character replaces the selection in every case, so it goes first.
 * @param {import('playwright').Page} page
 * @param {string} code
 */
export async function typeCode(page, code) {
  await page.click('[data-testid="editor"] .cm-content');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(' ');
  await page.keyboard.press('Backspace');
  await page.keyboard.insertText(code);
}

/**
 * Whether this engine writes positions into `error.stack` for code run by `eval` (how cells
 * are compiled, with a `sourceURL`). JavaScriptCore writes none: sandcell then places an
 * error by the error's own line and column, which name only the frame that threw (README,
 * Other engines). A feature test in the page, as sandcell meets it: an eval'd throw, named by
 * its sourceURL.
 * @param {import('playwright').Page} page
 */
export function evalStacksHavePositions(page) {
  return page.evaluate(() => {
    try {
      globalThis.eval('null.probe;\n//# sourceURL=position-probe.js');
    } catch (error) {
      return /position-probe\.js:\d+:\d+/.test(String(error?.stack));
    }
    return false;
  });
}

/**
 * Runs `code` with the Run button and returns the new cell once it has settled.
 * @param {import('playwright').Page} page
 * @param {string} code
 * @param {{ settle?: boolean }} [options] `settle: false` returns as soon as the cell shows up
 */
export async function runCell(page, code, options = {}) {
  const before = await visibleCells(page).count();
  await typeCode(page, code);
  await page.click('[data-testid="run"]');
  const cell = visibleCells(page).nth(before);
  await cell.waitFor();
  if (options.settle !== false) await settled(cell);
  return cell;
}

/** @param {import('playwright').Locator} cell resolves with the cell's final status */
export async function settled(cell, timeoutMs = 10_000) {
  // Playwright's own wait (re-checked as the DOM changes), not a timer loop of ours.
  await cell
    .and(cell.page().locator('[data-testid="cell"]:not([data-status="running"])'))
    .waitFor({ state: 'attached', timeout: timeoutMs });
  return cell.getAttribute('data-status');
}

/**
 * The CSP hash of `body {}`: before every screenshot, Playwright's Firefox (BiDi) and WebKit
 * drivers append a `<style>body {}</style>` to every frame of the page and remove it at once
 * (`inPagePrepareForScreenshots`, to sync animations). In sandcell's session frame, whose policy
 * is `default-src 'none'`, Firefox refuses it and reports the violation as a page error. The
 * report names the refused text's hash, so exactly this one is told apart: any other CSP
 * report (an inline style of the SDK's or the playground's own) still fails the test.
 */
const PLAYWRIGHT_SCREENSHOT_STYLE_HASH = `sha256-${createHash('sha256').update('body {}').digest('base64')}`;

/** @param {Error} error */
function isPlaywrightScreenshotStyleReport(error) {
  const said = `${error.message}\n${error.stack}`;
  return /Content-Security-Policy: .*inline style/.test(said) && said.includes(`'${PLAYWRIGHT_SCREENSHOT_STYLE_HASH}'`);
}

/**
 * Runs `body` on the playground at `url` once it is ready, in a fresh browser context, then
 * closes it and fails on any uncaught error in the page.
 * @param {import('playwright').Browser} browser
 * @param {string} url
 * @param {(page: import('playwright').Page) => Promise<void>} body
 * @param {import('playwright').BrowserContextOptions} [contextOptions]
 */
export async function openPlayground(browser, url, body, contextOptions = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, ...contextOptions });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => {
    if (!isPlaywrightScreenshotStyleReport(error)) errors.push(error);
  });
  if (process.env.E2E_DEBUG) page.on('console', (message) => console.log('console:', message.text()));
  /** What the history showed as a cell's unhandled rejection, at the end. */
  let shownRejections = [];
  try {
    await page.goto(`${url}/`);
    await ready(page);
    await body(page);
    shownRejections = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="background-output"]')].map((el) => el.textContent ?? ''),
    );
  } finally {
    await context.close();
  }
  // Firefox still reports a worker's unhandled rejection as an error of the page when the
  // worker's `unhandledrejection` listener took it (preventDefault), as sandcell's does to show
  // it in the history; an error event taken that way is not reported. Such a rejection, shown
  // in the history as "Uncaught (in promise) Name: message", was caught, not uncaught.
  const uncaught = errors.filter(
    (error) =>
      !shownRejections.some((shown) => shown.includes(`Uncaught (in promise) ${error.name}: ${error.message}`)),
  );
  assert.deepEqual(uncaught, [], 'uncaught errors in the playground');
}

/**
 * Completion as a person drives it: types `prefix` key by key over the editor's text, clicks
 * `name` in the list (not Enter: CodeMirror ignores Enter for 75 ms after the list changes),
 * types `.` and waits until the members offered include `member`.
 * @param {import('playwright').Page} page
 * @param {{ prefix: string; name: string; member: string; timeoutMs: number }} pick
 * @returns {Promise<{ options: import('playwright').Locator; labels: () => Promise<(string | undefined)[]> }>}
 */
export async function completeMembers(page, { prefix, name, member, timeoutMs }) {
  const options = page.locator('.cm-tooltip-autocomplete li');
  const labels = () =>
    options.evaluateAll((els) => els.map((el) => el.querySelector('.cm-completionLabel')?.textContent));
  await typeCode(page, 'x');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(prefix);
  await options
    .filter({ hasText: new RegExp(`^${name}`) })
    .first()
    .click({ timeout: timeoutMs });
  await page.keyboard.type('.');
  await options.filter({ hasText: member }).first().waitFor({ timeout: timeoutMs });
  return { options, labels };
}

/**
 * @param {() => import('playwright').Browser} browser
 * @param {{ url: string }} server serves demo/dist with COOP/COEP
 * @param {{ url: string }} plainServer serves demo/dist without them
 * @param {{ darkBrowser?: () => Promise<import('playwright').Browser> }} [options]
 *   `darkBrowser`: a browser whose pages prefer a dark colour scheme, where a context's
 *   `colorScheme` cannot do it
 */
export function registerPlaygroundTests(browser, server, plainServer, options = {}) {
  /**
   * Each test drives a whole page (a session boot, several cells, sometimes a reload): on a
   * loaded machine one takes 15–25 s, so the limit is wide rather than the harness's 30 s.
   * @type {typeof test}
   */
  const register = (name, fn, testOptions = {}) => test(name, fn, { timeoutMs: 90_000, ...testOptions });
  /**
   * @param {(page: import('playwright').Page) => Promise<void>} body
   * @param {{ url: string }} [from]
   * @param {import('playwright').BrowserContextOptions} [contextOptions]
   * @param {import('playwright').Browser} [inBrowser] another browser than the run's
   */
  const withPlayground = (body, from = server, contextOptions = {}, inBrowser = browser()) =>
    openPlayground(inBrowser, from.url, body, contextOptions);

  register('playground: opens a session, cross-origin isolated', async () => {
    await withPlayground(async (page) => {
      assert.equal(await page.locator('[data-testid="session-tab"]').count(), 1);
      assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
      // The session is isolated where the engine has SharedArrayBuffer (Debian's WebKitGTK has not).
      const shared = await page.evaluate(() => typeof SharedArrayBuffer === 'function');
      assert.equal(await page.getAttribute('[data-testid="isolation"]', 'data-isolated'), String(shared));
      if (!shared) assert.match(await text(page.getByTestId('isolation')), /no SharedArrayBuffer in this browser/);
    });
  });

  register('playground: a cell shows its result, mode, duration, stdout and stderr', async () => {
    await withPlayground(async (page) => {
      const simple = await runCell(page, '1 + 1');
      assert.equal(await simple.getAttribute('data-status'), 'ok');
      assert.match(await text(simple.getByTestId('cell-repr')), /^2$/);
      assert.equal(await text(simple.getByTestId('cell-mode')), 'expression');
      assert.match(await text(simple.getByTestId('cell-duration')), /\d( ms| s)$/);

      const cell = await runCell(page, "console.log('out line');\nconsole.error('err line');\n6 * 7");
      assert.match(await text(cell.getByTestId('stream-stdout')), /out line/);
      assert.match(await text(cell.getByTestId('stream-stderr')), /err line/);
      assert.match(await text(cell.getByTestId('cell-repr')), /42/);
    });
  });

  register('playground: Ctrl+Enter runs; errors show where they happened', async () => {
    await withPlayground(async (page) => {
      await typeCode(page, 'const list = [1, 2];\nlist.nope.length');
      await page.keyboard.press('Control+Enter');
      const cell = visibleCells(page).first();
      await cell.waitFor();
      assert.equal(await settled(cell), 'error');
      assert.match(await text(cell.getByTestId('cell-error')), /TypeError.*line 2/);
      assert.equal(await cell.getByTestId('badge-error').count(), 1);
    });
  });

  register('playground: Stop ends an infinite loop and the session runs the next cell', async () => {
    await withPlayground(async (page) => {
      const loop = await runCell(page, 'let spins = 0;\nwhile (true) { spins++; }', { settle: false });
      await page.waitForSelector('[data-testid="session-state"][data-state="busy"]');
      await page.click('[data-testid="stop"]');
      assert.equal(await settled(loop), 'interrupted');
      assert.equal(await loop.getByTestId('badge-interrupted').count(), 1);
      // Not `spins`: on a loaded machine Stop may take the hard path, which restores the namespace
      // from before the loop's cell. What is certain is that the session runs the next cell.
      const next = await runCell(page, "'still alive: ' + 6 * 7");
      assert.match(await text(next.getByTestId('cell-repr')), /still alive: 42/);
    });
  });

  register('playground: variables appear in the inspector', async () => {
    await withPlayground(async (page) => {
      await runCell(page, "let alpha = 41;\nconst beta = 'hi';\nfunction gamma() { return alpha + 1; }");
      const row = page.locator('[data-testid="variable"][data-name="alpha"]');
      await row.waitFor({ timeout: 10_000 });
      assert.match(await text(row.getByTestId('variable-repr')), /41/);
      await page.locator('[data-testid="variable"][data-name="beta"]').waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="variable"][data-name="gamma"]').waitFor({ timeout: 10_000 });
      await runCell(page, 'alpha = gamma()');
      await row.getByTestId('variable-repr').filter({ hasText: /42/ }).waitFor({ timeout: 10_000 });
    });
  });

  register('playground: a snapshot survives a page reload and restores the variables', async () => {
    await withPlayground(async (page) => {
      await runCell(page, "let saved = { n: 123, tags: new Set(['a', 'b']) };\nfunction twice(x) { return 2 * x; }");
      await page.click('[data-testid="snapshot-save"]');
      const item = page.locator('[data-testid="snapshot"]');
      await item.first().waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="variable"][data-name="saved"]').waitFor({ timeout: 10_000 });
      await mkdir(fileURLToPath(new URL('../test-results/', import.meta.url)), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });

      await page.reload();
      await ready(page);
      await item.first().waitFor({ timeout: 10_000 });
      assert.equal(await page.locator('[data-testid="variable"][data-name="saved"]').count(), 0);
      await item.first().getByTestId('snapshot-restore').click();
      await page.locator('[data-testid="variable"][data-name="saved"]').waitFor({ timeout: 10_000 });
      const cell = await runCell(page, 'twice(saved.n) + saved.tags.size');
      assert.match(await text(cell.getByTestId('cell-repr')), /248/);

      await item.first().getByTestId('snapshot-delete').click();
      await item.first().waitFor({ state: 'detached', timeout: 10_000 });
      assert.equal(await item.count(), 0);
    });
  });

  register('playground: HTML display lands in a sandboxed iframe without allow-same-origin', async () => {
    await withPlayground(async (page) => {
      const cell = await runCell(
        page,
        "display({ 'text/html': '<p id=\"hello\">Hello <b>rich</b> output</p>' }, { raw: true });",
      );
      const frame = cell.locator('[data-testid="cell-display"] iframe');
      await frame.waitFor({ timeout: 10_000 });
      const sandbox = await frame.getAttribute('sandbox');
      assert.notEqual(sandbox, null, 'the iframe has no sandbox attribute');
      assert.ok(!/allow-same-origin/.test(sandbox ?? ''), `sandbox="${sandbox}" allows same-origin`);
      const hello = frame.contentFrame().locator('#hello');
      await hello.waitFor({ timeout: 10_000 });
      const text = (await hello.textContent()) ?? '';
      assert.match(text, /Hello rich output/);
      // The page's own DOM never gets the cell's HTML.
      assert.equal(await page.locator('#hello').count(), 0);
    });
  });

  register('playground: examples menu — SVG chart renders as rich output', async () => {
    await withPlayground(async (page) => {
      await page.selectOption('[data-testid="examples"]', 'svg-chart');
      const before = await visibleCells(page).count();
      await page.click('[data-testid="run"]');
      const cell = visibleCells(page).nth(before);
      assert.equal(await settled(cell), 'ok');
      await cell.locator('[data-testid="cell-display"] :is(iframe, img, svg)').first().waitFor({ timeout: 10_000 });
    });
  });

  register('playground: sandbox policy blocks fetch with PolicyError', async () => {
    await withPlayground(async (page) => {
      await page.selectOption('[data-testid="examples"]', 'blocked-fetch');
      await page.click('[data-testid="run"]');
      const cell = visibleCells(page).first();
      await settled(cell);
      assert.match(await text(cell.getByTestId('stream-stderr')), /PolicyError/);
    });
  });

  register('playground: input() is answered in the page', async () => {
    await withPlayground(async (page) => {
      await page.selectOption('[data-testid="examples"]', 'input');
      await page.click('[data-testid="run"]');
      const cell = visibleCells(page).first();
      const field = cell.getByTestId('input-field');
      await field.waitFor({ timeout: 10_000 });
      await field.fill('Ada');
      await field.press('Enter');
      assert.equal(await settled(cell), 'ok');
      assert.match(await text(cell.getByTestId('cell-repr')), /Nice to meet you, Ada!/);
    });
  });

  register('playground: sessions as tabs, each with its own policy and variables', async () => {
    await withPlayground(async (page) => {
      await runCell(page, 'let onlyInFirst = 1');
      await page.selectOption('[data-testid="policy"]', 'standard');
      await page.click('[data-testid="new-session"]');
      const tabs = page.locator('[data-testid="session-tab"]');
      await tabs.nth(1).waitFor({ timeout: 10_000 });
      assert.equal(await tabs.count(), 2);
      assert.equal(await tabs.nth(1).getAttribute('aria-selected'), 'true');
      assert.match(await text(tabs.nth(1)), /standard/);
      await ready(page);
      const cell = await runCell(page, 'typeof onlyInFirst');
      assert.match(await text(cell.getByTestId('cell-repr')), /undefined/);
      await tabs.nth(0).locator('.tab-label').click();
      assert.equal(await visibleCells(page).count(), 1);
      await page.locator('[data-testid="variable"][data-name="onlyInFirst"]').waitFor({ timeout: 10_000 });
    });
  });

  register(
    'playground: a 50,000-line console.log flood is capped, stays responsive, and "show all" shows it',
    async () => {
      await withPlayground(async (page) => {
        // Half the flood, then a prompt (the page must get to it and paint a frame), then the rest.
        const cell = await runCell(
          page,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the cell's own template literal
          "for (let i = 0; i < 25000; i++) console.log(`line ${i}`);\nawait input('more?');\nfor (let i = 25000; i < 50000; i++) console.log(`line ${i}`);\n'flooded'",
          { settle: false },
        );
        const field = cell.getByTestId('input-field');
        await field.waitFor({ timeout: 30_000 });
        // A frame is painted while the cell is still running in the middle of its flood.
        const during = await page.evaluate(
          () =>
            new Promise((resolve) =>
              requestAnimationFrame(() =>
                resolve(document.querySelector('[data-testid="cell"]')?.getAttribute('data-status')),
              ),
            ),
        );
        assert.equal(during, 'running');
        assert.ok((await renderedStdoutLines(cell)) <= 1000, 'more than 1000 lines rendered mid-flood');
        await field.fill('yes');
        await field.press('Enter');
        assert.equal(await settled(cell, 60_000), 'ok');
        assert.match(await text(cell.getByTestId('cell-repr')), /flooded/);
        const rendered = await renderedStdoutLines(cell);
        assert.equal(rendered, 1000, 'the first 1000 lines are rendered, no more');
        // Held behind one "show all" per run of text between other outputs (here the prompt).
        const more = cell.getByTestId('more-output');
        const held = await more.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-lines'))));
        assert.ok(held.length >= 1 && held.length <= 2, `held in ${held.length} parts`);
        assert.equal(
          held.reduce((a, b) => a + b, 0),
          50_000 - rendered,
        );
        assert.match(await text(more.first()), /[\d,]+ more lines — show all/);
        await shot(page, 'flood-capped');
        for (let i = held.length - 1; i >= 0; i--) await more.nth(i).getByTestId('show-all-output').click();
        assert.equal(await more.count(), 0);
        assert.equal(await renderedStdoutLines(cell), 50_000);
        const all = await cell.evaluate((el) =>
          [...el.querySelectorAll('[data-testid="stream-stdout"]')].map((pre) => pre.textContent).join(''),
        );
        const expected = Array.from({ length: 50_000 }, (_, i) => `line ${i}\n`).join('');
        assert.ok(all === expected, 'after "show all" every line is there, in order');
      });
    },
  );

  register('playground: errors after a cell ended show in the history; stack frames link to cell lines', async () => {
    await withPlayground(async (page) => {
      await runCell(page, 'function boom(x) {\n  // the next line throws for null\n  return x.missing.deep;\n}');
      const timer = await runCell(page, "setTimeout(() => boom(null), 0);\n'scheduled'");
      assert.equal(await timer.getAttribute('data-status'), 'ok');
      const late = page.getByTestId('background-output');
      await late.first().waitFor({ timeout: 10_000 });
      assert.match(await text(late.first()), /Uncaught TypeError/);
      const frame = late.first().locator('[data-testid="stack-frame"][data-cell="1"]');
      assert.equal(await frame.getAttribute('data-line'), '3');
      await frame.click();
      const first = visibleCells(page).nth(0);
      await first.locator('.cm-traced-line').waitFor({ timeout: 5_000 });
      assert.match(await text(first.locator('.cm-traced-line')), /return x\.missing\.deep/);

      await runCell(page, "setTimeout(() => Promise.reject(new RangeError('too late')), 0);\n1");
      await late.filter({ hasText: 'Uncaught (in promise) RangeError: too late' }).waitFor({ timeout: 10_000 });

      // An error of the cell itself: its stack, frame by frame, at lines of the cells as written.
      const failing = await runCell(page, 'const unused = 0;\nboom(undefined)');
      assert.equal(await failing.getAttribute('data-status'), 'error');
      assert.match(await text(failing.getByTestId('cell-error')), /TypeError: .* \(cell \[1\], line 3, column 12\)/);
      const frames = failing.getByTestId('cell-stack').getByTestId('stack-frame');
      const where = await frames.evaluateAll((els) => els.map((el) => `${el.dataset.cell}:${el.dataset.line}`));
      // JavaScriptCore writes no positions into the stack of eval'd code: only the frame that
      // threw has one there (the error's own line and column), so only it links to its line.
      const everyFrame = await evalStacksHavePositions(page);
      assert.deepEqual(where, everyFrame ? ['1:3', '4:2'] : ['1:3']);
      await shot(page, 'late-errors');
      if (everyFrame) {
        await frames.nth(1).click();
        assert.match(await text(failing.locator('.cm-traced-line')), /boom\(undefined\)/);
      }
    });
  });

  register('playground: HTML and SVG frames size to their content (the chart example is not clipped)', async () => {
    await withPlayground(async (page) => {
      /** The frame's document fits its viewport: nothing cut off, no scrollbar. */
      const fits = async (/** @type {import('playwright').Locator} */ frame) => {
        const inner = frame.contentFrame().locator('html');
        const [scrollHeight, clientHeight] = await inner.evaluate((el) => [el.scrollHeight, el.clientHeight]);
        assert.ok(scrollHeight <= clientHeight, `content ${scrollHeight} px high in a ${clientHeight} px frame`);
        return clientHeight;
      };
      await page.selectOption('[data-testid="examples"]', 'svg-chart');
      await page.click('[data-testid="run"]');
      const chart = visibleCells(page).first();
      assert.equal(await settled(chart), 'ok');
      const chartFrame = chart.locator('[data-testid="cell-display"] iframe');
      await chartFrame.and(page.locator('[data-fitted]')).waitFor({ timeout: 10_000 });
      const chartHeight = await fits(chartFrame);
      // The chart's SVG is 200 px high (the old fixed frame was 150 px).
      assert.ok(chartHeight >= 200, `chart frame ${chartHeight} px`);
      const svgBox = await chartFrame.contentFrame().locator('svg').boundingBox();
      const frameBox = await chartFrame.boundingBox();
      assert.ok(
        svgBox && frameBox && svgBox.y + svgBox.height <= frameBox.y + frameBox.height + 0.5,
        'SVG bottom cut off',
      );
      await shot(chart, 'chart-frame');

      const rows = Array.from({ length: 12 }, (_, i) => `<p>row ${i}</p>`).join('');
      const tall = await runCell(page, `display({ 'text/html': '<h2>Tall</h2>${rows}' }, { raw: true })`);
      const tallFrame = tall.locator('[data-testid="cell-display"] iframe');
      await tallFrame.and(page.locator('[data-fitted]')).waitFor({ timeout: 10_000 });
      const tallHeight = await fits(tallFrame);
      assert.ok(tallHeight > chartHeight, `12 paragraphs in ${tallHeight} px`);
      await tallFrame.contentFrame().getByText('row 11').waitFor();

      const small = await runCell(page, "display({ 'text/html': '<b>one line</b>' }, { raw: true })");
      const smallFrame = small.locator('[data-testid="cell-display"] iframe');
      await smallFrame.and(page.locator('[data-fitted]')).waitFor({ timeout: 10_000 });
      const smallHeight = await fits(smallFrame);
      assert.ok(smallHeight < 100, `one line in a ${smallHeight} px frame`);
    });
  });

  register("playground: completion offers the session's variables and their properties and methods", async () => {
    await withPlayground(async (page) => {
      await runCell(
        page,
        "class Point {\n  constructor(x) { this.x = x; }\n  norm() { return Math.abs(this.x); }\n}\nconst origin = new Point(3);\nconst settings = { theme: 'dark', fontSize: 14 };",
      );
      await runCell(page, "'the last value'");
      const { options, labels } = await completeMembers(page, {
        prefix: 'ori',
        name: 'origin',
        member: 'norm',
        timeoutMs: 10_000,
      });
      const members = await labels();
      assert.deepEqual(members.slice(0, 3), ['x', 'constructor', 'norm'], "own names first, then the class's");
      for (const name of ['x', 'norm', 'constructor', 'hasOwnProperty'])
        assert.ok(members.includes(name), `no ${name} in ${members}`);
      assert.equal(await options.filter({ hasText: /^norm/ }).locator('.cm-completionIcon-method').count(), 1);
      await shot(page, 'completion');
      await page.keyboard.type('no');
      await options.filter({ hasText: /^norm/ }).click();
      assert.equal(await page.locator('[data-testid="editor"] .cm-content').textContent(), 'origin.norm');

      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('settings.fo');
      await options.filter({ hasText: 'fontSize' }).first().waitFor({ timeout: 10_000 });
      assert.ok(!(await labels()).includes('norm'), 'members of another value offered');
      // The lookups ran as cells of their own: the history shows only the user's cell.
      assert.equal(await visibleCells(page).count(), 2);
      const cell = await runCell(page, '[origin.norm() + settings.fontSize, _]');
      assert.match(await text(cell.getByTestId('cell-repr')), /^\[ 17, 'the last value' \]$/);
      assert.equal(await text(cell.locator('.prompt')), '[3]');
    });
  });

  register(
    'playground: ↑/↓ recall earlier cells; the editor and the history survive a reload; Clear forgets them',
    async () => {
      await withPlayground(async (page) => {
        await runCell(page, 'const first = 1;\nconst second = 2;');
        await runCell(page, 'first + second');
        await typeCode(page, 'draft in progress');
        await page.keyboard.press('ArrowUp');
        assert.equal(await editorText(page), 'first + second');
        await page.keyboard.press('ArrowUp');
        assert.equal(await editorText(page), 'const first = 1;\nconst second = 2;');
        // At the oldest cell ↑ does nothing more.
        await page.keyboard.press('ArrowUp');
        assert.equal(await editorText(page), 'const first = 1;\nconst second = 2;');
        // ↓ first moves within the recalled cell, to its last line; then on to the next cell.
        await page.keyboard.press('ArrowDown');
        assert.equal(await editorText(page), 'const first = 1;\nconst second = 2;');
        await page.keyboard.press('ArrowDown');
        assert.equal(await editorText(page), 'first + second');
        await page.keyboard.press('ArrowDown');
        assert.equal(await editorText(page), 'draft in progress');

        await page.reload();
        await ready(page);
        assert.equal(await editorText(page), 'draft in progress');
        await page.click('[data-testid="editor"] .cm-content');
        await page.keyboard.press('ArrowUp');
        assert.equal(await editorText(page), 'first + second');
        await shot(page, 'history-after-reload');

        await page.click('[data-testid="clear-history"]');
        await page.reload();
        await ready(page);
        // The first-visit example is back, and there is nothing to recall.
        const fresh = await editorText(page);
        assert.match(fresh, /Cells share one session/);
        await page.click('[data-testid="editor"] .cm-content');
        await page.keyboard.press('ControlOrMeta+Home');
        await page.keyboard.press('ArrowUp');
        assert.equal(await editorText(page), fresh);
      });
    },
  );

  register('playground: dark mode covers the editor (readable code colours); the narrow layout is usable', async () => {
    await withPlayground(
      async (page) => {
        assert.equal(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches), true);
        await runCell(
          page,
          "// a comment\nconst answer = 42, name = 'dark';\nclass Shape { area() { return this.size ** 2; } }\nlet re = /ab+c/g;\nanswer + name.length + (true ? 1 : null)",
        );
        await typeCode(
          page,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the cell's own template literal
          'function twice(value) {\n  return value * 2; // double\n}\nconst label = `n=${twice(21)}`;',
        );
        // Every piece of text in the editor and in the history's code, against what is behind it.
        const worst = await page.evaluate(() => {
          /** @param {string} color */
          const rgb = (color) => (color.match(/[\d.]+/g) ?? []).map(Number);
          /** @param {number[]} c */
          const luminance = ([r, g, b]) => {
            const lin = (/** @type {number} */ v) => {
              const s = v / 255;
              return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
            };
            return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
          };
          /** @param {Element} el the first opaque background behind el */
          const background = (el) => {
            for (let at = /** @type {Element | null} */ (el); at; at = at.parentElement) {
              const color = rgb(getComputedStyle(at).backgroundColor);
              if (color.length === 3 || (color.length === 4 && color[3] === 1)) return color.slice(0, 3);
            }
            return [255, 255, 255];
          };
          let min = { ratio: Infinity, text: '' };
          const lines = document.querySelectorAll('.cm-content .cm-line:not(.cm-activeLine)');
          for (const line of lines) {
            for (const node of [line, ...line.querySelectorAll('span')]) {
              if (!(node.textContent ?? '').trim()) continue;
              const fg = luminance(rgb(getComputedStyle(node).color));
              const bg = luminance(background(node));
              const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
              if (ratio < min.ratio) min = { ratio, text: node.textContent ?? '' };
            }
          }
          return { ...min, lines: lines.length };
        });
        assert.ok(worst.lines >= 5, `only ${worst.lines} code lines measured`);
        assert.ok(worst.ratio >= 4.5, `"${worst.text}" has contrast ${worst.ratio.toFixed(2)} (WCAG AA needs 4.5)`);
        await shot(page, 'dark');

        await page.setViewportSize({ width: 390, height: 844 });
        const layout = await page.evaluate(() => ({
          width: innerWidth,
          height: innerHeight,
          overflow: document.documentElement.scrollWidth - innerWidth,
          run: document.querySelector('[data-testid="run"]')?.getBoundingClientRect().toJSON(),
          editor: document.querySelector('[data-testid="editor"]')?.getBoundingClientRect().toJSON(),
          history: document.querySelector('.histories')?.getBoundingClientRect().toJSON(),
        }));
        // A phone's width: 390 px where the driver sets the viewport (Playwright); over WebDriver
        // the window is sized, and WebKitGTK's MiniBrowser is at least 447 px wide.
        assert.ok(layout.width <= 480 && layout.height <= 844, `a ${layout.width} × ${layout.height} viewport`);
        assert.ok(layout.overflow <= 0, `the page scrolls sideways by ${layout.overflow} px`);
        for (const [name, box] of Object.entries({ run: layout.run, editor: layout.editor, history: layout.history })) {
          assert.ok(
            box && box.width > 0 && box.left >= 0 && box.right <= layout.width,
            `${name} is not within the width`,
          );
          assert.ok(box.top >= 0 && box.bottom <= layout.height, `${name} is not within the height`);
        }
        assert.ok(layout.history.height >= 200, `the history is ${layout.history.height} px high`);
        const cell = await runCell(page, "'fits: ' + 6 * 7");
        assert.match(await text(cell.getByTestId('cell-repr')), /fits: 42/);
        await cell.getByTestId('cell-repr').scrollIntoViewIfNeeded();
        assert.ok(await cell.getByTestId('cell-repr').isVisible());
        await shot(page, 'narrow-dark');
      },
      server,
      { colorScheme: 'dark' },
      await options.darkBrowser?.(),
    );
  });

  register('playground: a share link carries the cells; Copy copies a value', async () => {
    await withPlayground(
      async (page) => {
        await runCell(page, "const unicode = 'héllo → 世界';\nlet total = 0;");
        const sum = await runCell(page, 'total += unicode.length;\n({ total, unicode })');
        await sum.getByTestId('copy-value').click();
        await sum.getByTestId('copy-value').filter({ hasText: 'Copied' }).waitFor();
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        assert.equal(copied, await text(sum.getByTestId('cell-repr')));
        assert.match(copied, /total: 10/);

        await page.click('[data-testid="share"]');
        await page.getByTestId('notice').filter({ hasText: 'Link to 2 cells copied' }).waitFor();
        const link = await page.evaluate(() => navigator.clipboard.readText());
        assert.match(link, /#cells=[\w-]+$/);
        assert.equal(await page.evaluate(() => location.href), link);
        await shot(page, 'share');

        // Opened elsewhere: the cells wait in the editor, one per Run, and give the same value.
        const reader = await page.context().newPage();
        await reader.goto(link);
        await ready(reader);
        assert.equal(await editorText(reader), "const unicode = 'héllo → 世界';\nlet total = 0;");
        assert.match(await text(reader.getByTestId('example-hint')), /Shared cells: cell 1 of 2/);
        assert.equal(await visibleCells(reader).count(), 0, 'a shared cell ran before Run was pressed');
        await reader.click('[data-testid="run"]');
        await settled(visibleCells(reader).nth(0));
        assert.equal(await editorText(reader), 'total += unicode.length;\n({ total, unicode })');
        await reader.click('[data-testid="run"]');
        const again = visibleCells(reader).nth(1);
        assert.equal(await settled(again), 'ok');
        assert.equal(await text(again.getByTestId('cell-repr')), copied);

        // A damaged link says so and the playground still works.
        const broken = await page.context().newPage();
        await broken.goto(`${link.split('#')[0]}#cells=%%%`);
        await ready(broken);
        assert.match(await text(broken.getByTestId('notice')), /\[sandcell\] the link's "#cells=" part is damaged/);
      },
      server,
      { permissions: ['clipboard-read', 'clipboard-write'] },
    );
  });

  register('playground: values open as trees, fetched and built only when opened', async () => {
    await withPlayground(async (page) => {
      await runCell(
        page,
        "class Point { constructor(x, y) { this.x = x; this.y = y; } }\nconst big = {\n  squares: Array.from({ length: 250 }, (_, i) => i * i),\n  nested: { map: new Map([['a', { deep: true }]]), set: new Set(['s1']) },\n  at: new Point(1, 2),\n};",
      );
      const row = page.locator('[data-testid="variable"][data-name="big"]');
      await row.waitFor({ timeout: 10_000 });
      const tree = page.locator('[data-testid="variable-tree"][data-name="big"]');
      // Nothing fetched or built before it is opened.
      assert.equal(await tree.locator('[data-testid="tree-node"], [data-testid="tree-leaf"]').count(), 0);
      await row.getByTestId('variable-expand').click();
      const top = tree.locator(':scope td > .tree-children > [data-testid="tree-node"]');
      await top.first().waitFor({ timeout: 10_000 });
      assert.deepEqual(await top.evaluateAll((els) => els.map((el) => el.getAttribute('data-label'))), [
        'squares',
        'nested',
        'at',
      ]);
      const nested = top.filter({ has: page.locator(':scope > .tree-line .tree-key', { hasText: 'nested' }) });
      assert.equal(await nested.locator('[data-label="map"]').count(), 0, 'built before it was opened');
      await nested.getByTestId('tree-toggle').first().click();
      const map = nested.locator('[data-testid="tree-node"][data-label="map"]');
      await map.getByTestId('tree-toggle').first().click();
      const entry = map.locator('[data-testid="tree-node"][data-label=\'"a" =>\']');
      await entry.getByTestId('tree-toggle').first().click();
      assert.match(await text(entry.locator('[data-testid="tree-leaf"][data-label="deep"]')), /deep\s*true/);
      // Wide levels: 100 children at a time.
      const squares = top.filter({ has: page.locator(':scope > .tree-line .tree-key', { hasText: 'squares' }) });
      await squares.getByTestId('tree-toggle').first().click();
      const items = squares.locator('[data-testid="tree-leaf"]');
      assert.equal(await items.count(), 100);
      assert.match(await text(squares.getByTestId('tree-more')), /150 more/);
      await squares.getByTestId('tree-more').click();
      assert.equal(await items.count(), 200);
      assert.match(await text(items.nth(199)), /199\s*39601/);

      // A cell's result opens the same way, from the value that came with it.
      const cell = await runCell(page, "new Map([['k', { list: [1, 2, 3] }]])");
      assert.equal(await cell.getByTestId('value-tree').isHidden(), true);
      await cell.getByTestId('value-expand').click();
      const k = cell.getByTestId('value-tree').locator('[data-testid="tree-node"][data-label=\'"k" =>\']');
      await k.getByTestId('tree-toggle').first().click();
      await k.locator('[data-testid="tree-node"][data-label="list"]').getByTestId('tree-toggle').click();
      assert.equal(await k.locator('[data-testid="tree-leaf"]').count(), 3);
      await shot(page, 'value-trees');
    });
  });

  register('playground without COOP/COEP: says so, and Stop still ends a loop', async () => {
    await withPlayground(async (page) => {
      assert.equal(await page.getAttribute('[data-testid="isolation"]', 'data-isolated'), 'false');
      const loop = await runCell(page, 'while (true) {}', { settle: false });
      await page.waitForSelector('[data-testid="session-state"][data-state="busy"]');
      await page.click('[data-testid="stop"]');
      assert.equal(await settled(loop, 15_000), 'interrupted');
      const next = await runCell(page, '40 + 2');
      assert.match(await text(next.getByTestId('cell-repr')), /42/);
    }, plainServer);
  });
}
