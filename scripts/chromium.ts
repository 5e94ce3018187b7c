/**
 * Which Chromium the tests, e2e and benchmarks launch: `CHROMIUM_PATH` if set, else the
 * system Chromium where it exists, else Playwright's own download (undefined → Playwright
 * picks its bundled browser, which `scripts/ensure-browser.mjs` installs when missing).
 */
import { existsSync } from 'node:fs';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumExecutable(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`[sandcell] CHROMIUM_PATH points to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  return SYSTEM_CHROMIUM.find((path) => existsSync(path));
}

/** Headers that make a page cross-origin isolated, so SharedArrayBuffer exists. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;
