/** What the browser running the suite can do that not every engine can (for `vitest.engines.config.ts`). */
import { server } from 'vitest/browser';

/**
 * Why a test that drives the browser through the Chrome DevTools Protocol cannot run here:
 * only Chromium under Playwright exposes `cdp()`. Firefox (WebDriver BiDi) and WebKitGTK
 * (classic WebDriver) have no command to override an origin's storage quota or clear its
 * IndexedDB from outside the page. `undefined` where CDP is available.
 */
export const cdpMissing: string | undefined =
  server.provider === 'playwright' && server.browser === 'chromium'
    ? undefined
    : `CDP-only: needs the Chrome DevTools Protocol (Storage.* commands), which ${server.browser} under ${server.provider} does not have`;

/** The JavaScript engines the suite runs in (`vitest.config.ts`, `vitest.engines.config.ts`). */
export type JsEngine = 'v8' | 'spidermonkey' | 'javascriptcore';

/**
 * The engine of the browser running the suite, for what no feature test can tell: the wording
 * of its error messages, which sandcell passes through as the engine wrote them.
 */
export const jsEngine: JsEngine = engineOf(server.browser);

function engineOf(browser: string): JsEngine {
  if (browser === 'chromium' || browser === 'chrome' || browser === 'edge') return 'v8';
  if (browser === 'firefox') return 'spidermonkey';
  if (browser === 'webkit' || browser === 'MiniBrowser' || browser === 'safari') return 'javascriptcore';
  throw new Error(`[sandcell] test/browser/engine.ts: no engine known for the browser ${browser}; add it to engineOf`);
}

/** The text an engine's own error message has, picked for the engine running the suite. */
export function engineSays<T>(words: Record<JsEngine, T>): T {
  return words[jsEngine];
}
