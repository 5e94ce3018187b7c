/**
 * Launches the Chromium the e2e tests drive: `CHROMIUM_PATH`, else the system Chromium,
 * else Playwright's own (the same order as `scripts/chromium.ts`). No `--user-data-dir`:
 * each run gets a fresh throwaway profile, so IndexedDB starts empty.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumExecutable() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`[sandcell] CHROMIUM_PATH points to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  return SYSTEM_CHROMIUM.find((path) => existsSync(path));
}

export async function launchChromium() {
  const executablePath = chromiumExecutable();
  return chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}) });
}
