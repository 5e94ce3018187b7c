// Runs before the browser tests: a machine with no Chromium at all (no CHROMIUM_PATH, no
// system Chromium, no Playwright download) fetches Playwright's, so `npm test` just works.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from 'playwright';

const candidates = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];
const system = candidates.find((path) => path && existsSync(path));
let bundled = '';
try {
  bundled = chromium.executablePath();
} catch {}
if (!system && !(bundled && existsSync(bundled))) {
  console.log("[sandcell] no Chromium found; installing Playwright's (npx playwright install chromium)");
  execFileSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit' });
}
