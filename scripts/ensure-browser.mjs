// Runs before the browser tests: a machine with no Chromium at all (no CHROMIUM_PATH, no
// system Chromium, no Playwright download) fetches Playwright's, so `npm test` just works.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright';
import { chromiumExecutable } from './dev-env.mjs';

let bundled = '';
try {
  bundled = chromium.executablePath();
} catch {}
if (!chromiumExecutable() && !(bundled && existsSync(bundled))) {
  console.log("[sandcell] no Chromium found; installing Playwright's (npx playwright install chromium)");
  execFileSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit' });
}
