/**
 * The part of Playwright's Browser / BrowserContext / Page API that the bundle and session
 * e2e tests use, over classic WebDriver (WebdriverIO), for WebKitGTK through WebKitWebDriver
 * (`scripts/webkit-driver.mjs`): Playwright cannot drive Debian's WebKit.
 *
 * Each context is its own WebDriver session, so its own MiniBrowser with a fresh profile
 * (IndexedDB starts empty, as in a Playwright context). Classic WebDriver has no events, so
 * the two the tests listen to are rebuilt, each with a condition the runner must meet:
 * - `request`: from the test servers' request logs (`server.requests`), so only while one
 *   test runs at a time (the runner forces concurrency 1 for this engine).
 * - `pageerror`: from `window.__pageErrors`, which the e2e pages record from their first
 *   script on; read before each navigation, once waitForSelector found its element, and when
 *   the context closes (requests are reported at the same times).
 * Anything else the tests might call throws, naming what is missing, rather than pretending.
 */
import { remote } from 'webdriverio';
import { startWebKitDriver, webkitCapabilities } from '../scripts/webkit-driver.mjs';

/** Long enough for the slowest evaluate (the hard-path loop of sessions.mjs, ~60 s budget). */
const SCRIPT_TIMEOUT_MS = 120_000;

/**
 * @param {{ requestLogs: Array<{ url: string; requests: string[] }> }} options
 *   the servers the pages load from, whose logs stand in for the `request` event
 */
export async function launchWebKit(options) {
  const driver = await startWebKitDriver();
  /** @type {Set<{ close(): Promise<void> }>} */
  const contexts = new Set();
  let version = '';
  return {
    version: () => version,
    async newContext() {
      const session = await remote({
        hostname: driver.hostname,
        port: driver.port,
        logLevel: 'error',
        // A failed script is an answer, not a network error: never run it a second time.
        connectionRetryCount: 0,
        capabilities: webkitCapabilities(),
      });
      version = String(session.capabilities.browserVersion ?? '');
      await session.setTimeout({ script: SCRIPT_TIMEOUT_MS });
      const context = webDriverContext(session, options.requestLogs, () => contexts.delete(context));
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
 * @param {() => void} onClose
 */
function webDriverContext(session, requestLogs, onClose) {
  /** @type {ReturnType<typeof webDriverPage> | undefined} */
  let page;
  let closed = false;
  return {
    async newPage() {
      if (page) throw new Error('[e2e] the WebDriver context has one page; open another context instead');
      page = webDriverPage(session, requestLogs);
      return page;
    },
    async close() {
      if (closed) return;
      closed = true;
      onClose();
      try {
        await page?.flushEvents();
      } finally {
        await session.deleteSession();
      }
    },
  };
}

/**
 * @param {WebdriverIO.Browser} session
 * @param {Array<{ url: string; requests: string[] }>} requestLogs
 */
function webDriverPage(session, requestLogs) {
  /** @type {Record<'request' | 'pageerror', Array<(value: unknown) => void>>} */
  const listeners = { request: [], pageerror: [] };
  /** How far each server's log had been reported as `request` events. */
  const seen = requestLogs.map((log) => log.requests.length);
  /** Until the first goto the page is about:blank, which records nothing. */
  let loaded = false;

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
    const errors = await session.execute(() => {
      const recorded = /** @type {unknown} */ (Reflect.get(window, '__pageErrors'));
      if (!Array.isArray(recorded)) return null;
      return recorded.splice(0);
    });
    if (errors === null) {
      throw new Error(
        '[e2e] this page does not record its errors (window.__pageErrors), so pageerror cannot be reported over WebDriver',
      );
    }
    for (const message of errors) for (const listener of listeners.pageerror) listener(new Error(String(message)));
  }

  return {
    flushEvents,
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
      await session.url(url);
      loaded = true;
    },
    async reload() {
      await flushEvents();
      await session.refresh();
    },
    /**
     * Resolves when an element matches: a MutationObserver in the page, no polling.
     * @param {string} selector
     * @param {{ timeout?: number }} [options]
     */
    async waitForSelector(selector, options = {}) {
      const timeout = options.timeout ?? 30_000;
      const found = await session.executeAsync(
        (css, limit, done) => {
          if (document.querySelector(css)) return done(true);
          const observer = new MutationObserver(() => {
            if (!document.querySelector(css)) return;
            observer.disconnect();
            clearTimeout(timer);
            done(true);
          });
          const timer = setTimeout(() => {
            observer.disconnect();
            done(false);
          }, limit);
          observer.observe(document, { subtree: true, childList: true, attributes: true });
        },
        selector,
        timeout,
      );
      if (!found) throw new Error(`[e2e] waitForSelector: no ${selector} within ${timeout} ms`);
      // What the page loaded on its way there is reported now, as Playwright would have as it happened.
      await flushEvents();
    },
    /** @param {string} selector */
    async textContent(selector) {
      return session.execute((css) => document.querySelector(css)?.textContent ?? null, selector);
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
      return /** @type {Promise<T>} */ (arg === undefined ? session.execute(fn) : session.execute(fn, arg));
    },
  };
}
