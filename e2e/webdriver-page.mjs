/**
 * The part of Playwright's Browser / BrowserContext / Page API that the e2e tests use, over
 * classic WebDriver (WebdriverIO), for WebKitGTK through WebKitWebDriver
 * (`scripts/webkit-driver.mjs`): Playwright cannot drive Debian's WebKit. Locators and the
 * keyboard are in `e2e/webdriver-locator.mjs`.
 *
 * Each context is its own WebDriver session, so its own MiniBrowser with a fresh profile
 * (IndexedDB starts empty, as in a Playwright context); each page of it is a window of that
 * MiniBrowser, made the current one before each of its commands. Context options: `viewport`
 * (the window is sized so the page gets that viewport), `colorScheme: 'dark'` (MiniBrowser's
 * `--dark-mode`); `permissions` are not needed there (see `newContext`). Classic WebDriver has
 * no events, so the two the tests listen to are rebuilt, each with a condition the runner must meet:
 * - `request`: from the test servers' request logs (`server.requests`), so only while one
 *   test runs at a time (the runner forces concurrency 1 for this engine).
 * - `pageerror`: from `window.__pageErrors`, which the e2e pages record from their first
 *   script on (the playground's server adds that script, see `recordErrors` in
 *   static-server.mjs); read before each navigation, once waitForSelector found its element,
 *   and when the context closes (requests are reported at the same times).
 * Anything else the tests might call throws, naming what is missing, rather than pretending.
 */
import { writeFile } from 'node:fs/promises';
import { remote } from 'webdriverio';
import { startWebKitDriver, webkitCapabilities } from '../scripts/webkit-driver.mjs';
import { Locator, waitInPage, webDriverKeyboard } from './webdriver-locator.mjs';

/** Long enough for the slowest evaluate and the longest wait (a Python start on a loaded machine). */
const SCRIPT_TIMEOUT_MS = 330_000;

/**
 * @param {{ requestLogs: Array<{ url: string; requests: string[] }> }} options
 *   the servers the pages load from, whose logs stand in for the `request` event
 */
export async function launchWebKit(options) {
  // The locators switch frames with WebDriver's own Switch To Frame (`switchToFrame`), which
  // WebdriverIO marks deprecated in favour of its `switchFrame` (built for BiDi contexts) and
  // warns about on every call.
  process.env.DISABLE_WEBDRIVERIO_DEPRECATION_WARNINGS ??= 'true';
  const driver = await startWebKitDriver();
  /** @type {Set<{ close(): Promise<void> }>} */
  const contexts = new Set();
  let version = '';
  return {
    version: () => version,
    /**
     * @param {{ viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark'; permissions?: string[] }} [contextOptions]
     *   `permissions`: the clipboard ones the playground's share test asks for; WebKit lets a
     *   page use the clipboard without them (reading needs `--javascript-can-access-clipboard`)
     */
    async newContext(contextOptions = {}) {
      const capabilities = webkitCapabilities();
      const browserOptions = capabilities['webkitgtk:browserOptions'];
      if (contextOptions.colorScheme === 'dark') browserOptions.args.push('--dark-mode');
      if (contextOptions.permissions?.some((p) => p.startsWith('clipboard')))
        browserOptions.args.push('--javascript-can-access-clipboard=true');
      const session = await remote({
        hostname: driver.hostname,
        port: driver.port,
        logLevel: 'error',
        // A failed script is an answer, not a network error: never run it a second time.
        connectionRetryCount: 0,
        capabilities,
      });
      version = String(session.capabilities.browserVersion ?? '');
      await session.setTimeout({ script: SCRIPT_TIMEOUT_MS });
      const context = webDriverContext(session, options.requestLogs, contextOptions, () => contexts.delete(context));
      contexts.add(context);
      return context;
    },
    async close() {
      await Promise.allSettled([...contexts].map((context) => context.close()));
      await driver.close();
    },
  };
}

/**
 * @param {WebdriverIO.Browser} session
 * @param {Array<{ url: string; requests: string[] }>} requestLogs
 * @param {{ viewport?: { width: number; height: number } }} contextOptions
 * @param {() => void} onClose
 */
function webDriverContext(session, requestLogs, contextOptions, onClose) {
  /** @type {Array<ReturnType<typeof webDriverPage>>} */
  const pages = [];
  /** Which window WebDriver's commands go to now. */
  const windows = { current: '' };
  let closed = false;
  const context = {
    async newPage() {
      // The session's first window is the first page; each other page opens a window of its own.
      const handle = pages.length === 0 ? await session.getWindowHandle() : (await session.createWindow('tab')).handle;
      const page = webDriverPage(session, requestLogs, { handle, windows, context });
      pages.push(page);
      if (contextOptions.viewport) await page.setViewportSize(contextOptions.viewport);
      return page;
    },
    async close() {
      if (closed) return;
      closed = true;
      onClose();
      try {
        for (const page of pages) await page.flushEvents();
      } finally {
        await session.deleteSession();
      }
    },
  };
  return context;
}

/**
 * @param {WebdriverIO.Browser} session
 * @param {Array<{ url: string; requests: string[] }>} requestLogs
 * @param {{ handle: string; windows: { current: string }; context: unknown }} where
 *   this page's window, the context's current window, the context it belongs to
 */
function webDriverPage(session, requestLogs, where) {
  /** @type {Record<'request' | 'pageerror', Array<(value: unknown) => void>>} */
  const listeners = { request: [], pageerror: [] };
  /** How far each server's log had been reported as `request` events. */
  const seen = requestLogs.map((log) => log.requests.length);
  /** Until the first goto (and on about:blank) the page records nothing. */
  let loaded = false;

  /** Makes this page's window the one WebDriver's commands go to. */
  async function focus() {
    if (where.windows.current === where.handle) return;
    await session.switchToWindow(where.handle);
    where.windows.current = where.handle;
  }

  /** Reports what happened since the last flush: requests the servers saw, errors the page recorded. */
  async function flushEvents() {
    requestLogs.forEach((log, i) => {
      for (const path of log.requests.slice(seen[i])) {
        const url = `${log.url}${path}`;
        for (const listener of listeners.request) listener({ url: () => url });
      }
      seen[i] = log.requests.length;
    });
    if (!loaded || listeners.pageerror.length === 0) return;
    await focus();
    const errors = await session.executeScript(
      'const recorded = window.__pageErrors; return Array.isArray(recorded) ? recorded.splice(0) : null;',
      [],
    );
    if (errors === null) {
      throw new Error(
        '[e2e] this page does not record its errors (window.__pageErrors), so pageerror cannot be reported over WebDriver',
      );
    }
    for (const message of errors) for (const listener of listeners.pageerror) listener(new Error(String(message)));
  }

  /** @type {import('./webdriver-locator.mjs').LocatorHost} */
  const host = { session, focus, page: undefined };
  /**
   * @param {string} selector
   * @param {{ hasText?: string | RegExp }} [options]
   */
  const locator = (selector, options) => new Locator(host, []).locator(selector, options);

  const page = {
    flushEvents,
    keyboard: webDriverKeyboard(session, focus),
    context: () => where.context,
    /**
     * @param {'request' | 'pageerror'} event
     * @param {(value: unknown) => void} listener
     */
    on(event, listener) {
      if (!(event in listeners)) throw new Error(`[e2e] page.on('${event}') is not available over WebDriver`);
      listeners[event].push(listener);
    },
    /** @param {string} url */
    async goto(url) {
      await flushEvents();
      await focus();
      await session.url(url);
      loaded = !url.startsWith('about:');
    },
    async reload() {
      await flushEvents();
      await focus();
      await session.refresh();
    },
    /**
     * Resolves when an element matches (attached; checked on every DOM mutation).
     * @param {string} selector
     * @param {{ timeout?: number }} [options]
     */
    async waitForSelector(selector, options = {}) {
      await locator(selector)
        .first()
        .waitFor({ state: 'attached', timeout: options.timeout ?? 30_000 });
      // What the page loaded on its way there is reported now, as Playwright would have as it happened.
      await flushEvents();
    },
    /**
     * Like Playwright's: resolves with the first truthy value of `fn(arg)`, checked on every DOM
     * mutation and every 100 ms.
     * @param {(arg: any) => unknown} fn must not close over anything (its source is sent)
     * @param {unknown} [arg]
     * @param {{ timeout?: number }} [options]
     */
    async waitForFunction(fn, arg, options = {}) {
      await focus();
      const timeout = options.timeout ?? 30_000;
      return waitInPage(
        session,
        `(arg) => { const value = (${fn.toString()})(arg); return value ? value : undefined; }`,
        arg,
        timeout,
        `${fn.toString()} to be truthy`,
      );
    },
    locator,
    /** @param {string} id */
    getByTestId: (id) => locator(`[data-testid="${id}"]`),
    /** @param {string} selector */
    textContent: (selector) => locator(selector).textContent(),
    /** @param {string} selector @param {string} name */
    getAttribute: (selector, name) => locator(selector).getAttribute(name),
    /** @param {string} selector */
    click: (selector) => locator(selector).click(),
    /**
     * Chooses the option by clicking it, as WebDriver selects an option (input and change fire).
     * @param {string} selector a <select>
     * @param {string} value
     */
    selectOption: (selector, value) => locator(selector).locator(`option[value="${value}"]`).click(),
    /**
     * Sizes the window so that the page's viewport is `width` × `height` (MiniBrowser's window
     * has a toolbar above the page).
     * @param {{ width: number; height: number }} size
     */
    async setViewportSize({ width, height }) {
      await focus();
      await session.setWindowSize(width, height);
      const inner = /** @type {{ w: number; h: number }} */ (
        await session.executeScript('return { w: innerWidth, h: innerHeight };', [])
      );
      if (inner.w !== width || inner.h !== height)
        await session.setWindowSize(width + (width - inner.w), height + (height - inner.h));
    },
    /** @param {{ path: string }} options */
    async screenshot(options) {
      await focus();
      await writeFile(options.path, Buffer.from(await session.takeScreenshot(), 'base64'));
    },
    /**
     * Like Playwright's: runs `fn` in the page with one serializable argument and awaits
     * what it returns. `fn` must not close over anything (its source is sent).
     * @template T, A
     * @param {(arg: A) => T | Promise<T>} fn
     * @param {A} [arg]
     * @returns {Promise<T>}
     */
    async evaluate(fn, arg) {
      await focus();
      return /** @type {Promise<T>} */ (
        session.executeScript(`return (${fn.toString()})(...arguments);`, arg === undefined ? [] : [arg])
      );
    },
  };
  host.page = page;
  return page;
}
