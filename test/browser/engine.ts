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
