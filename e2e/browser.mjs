/**
 * Launches the Chromium the e2e tests drive: `CHROMIUM_PATH`, else the system Chromium,
 * else Playwright's own (see `scripts/dev-env.mjs`). No `--user-data-dir`:
 * each run gets a fresh throwaway profile, so IndexedDB starts empty.
 */
import { chromium } from 'playwright';
import { chromiumExecutable } from '../scripts/dev-env.mjs';

export async function launchChromium() {
  const executablePath = chromiumExecutable();
  return chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}) });
}
