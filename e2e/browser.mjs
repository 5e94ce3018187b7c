/**
 * Launches the browser the e2e tests drive, chosen by `E2E_BROWSER`:
 *
 * - `chromium` (default): `CHROMIUM_PATH`, else the system Chromium, else Playwright's own
 *   (see `scripts/dev-env.mjs`).
 * - `firefox`: Debian's `firefox-esr` (`FIREFOX_PATH` to override) through Playwright over
 *   WebDriver BiDi, after `scripts/patch-playwright-bidi.mjs`.
 * - `webkit`: WebKitGTK's MiniBrowser through WebKitWebDriver, over classic WebDriver
 *   (`e2e/webdriver-page.mjs`): Playwright cannot drive Debian's WebKit. It offers only the
 *   page-level API the bundle and session tests use, one test at a time; the playground
 *   tests (Playwright locators and keyboard) do not run there.
 *
 * No `--user-data-dir`: each run (and each context) gets a fresh throwaway profile, so
 * IndexedDB starts empty.
 */
import { existsSync } from 'node:fs';
import { chromium, firefox } from 'playwright';
import { chromiumExecutable } from '../scripts/dev-env.mjs';
import { assertPlaywrightBidiPatched } from '../scripts/patch-playwright-bidi.mjs';
import { launchWebKit } from './webdriver-page.mjs';

export const ENGINES = /** @type {const} */ (['chromium', 'firefox', 'webkit']);

/** @returns {(typeof ENGINES)[number]} */
export function selectedEngine() {
  const engine = process.env.E2E_BROWSER ?? 'chromium';
  if (!ENGINES.includes(/** @type {never} */ (engine))) {
    throw new Error(`[sandcell] E2E_BROWSER=${engine} is not one of ${ENGINES.join(', ')}`);
  }
  return /** @type {(typeof ENGINES)[number]} */ (engine);
}

/**
 * @param {(typeof ENGINES)[number]} engine
 * @param {{ requestLogs: Array<{ url: string; requests: string[] }>; prefersDark?: boolean }} options
 *   `requestLogs` (webkit only): the servers whose logs stand in for the `request` event;
 *   `prefersDark` (firefox only): every page prefers a dark colour scheme (see below)
 * @returns {Promise<import('playwright').Browser>} for webkit, an object with the subset of its API the tests use
 */
export async function launchBrowser(engine, options) {
  if (engine === 'firefox') {
    const executablePath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
    if (!existsSync(executablePath)) {
      throw new Error(`[sandcell] no Firefox at ${executablePath}: apt-get install firefox-esr (or set FIREFOX_PATH)`);
    }
    assertPlaywrightBidiPatched();
    // This Firefox has no colour-scheme emulation over BiDi (`emulation.setMediaFeaturesOverride`,
    // which the patch makes best-effort), so a context's `colorScheme` does nothing there. The
    // preference a person sets in Firefox's settings (Website appearance: dark) does the same
    // for every page of the browser: 0 dark, 1 light, 2 follow the browser's theme.
    const firefoxUserPrefs = options.prefersDark ? { 'layout.css.prefers-color-scheme.content-override': 0 } : {};
    return firefox.launch({ channel: 'moz-firefox', executablePath, headless: true, firefoxUserPrefs });
  }
  if (engine === 'webkit') {
    return /** @type {import('playwright').Browser} */ (/** @type {unknown} */ (await launchWebKit(options)));
  }
  const executablePath = chromiumExecutable();
  return chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}) });
}
