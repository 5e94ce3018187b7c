// Makes Playwright's WebDriver BiDi Firefox (`channel: 'moz-firefox'`) work with Debian's
// firefox-esr. Playwright sends `emulation.setMediaFeaturesOverride` (the color-scheme
// emulation) when it opens every context and page and fails on the answer; this Firefox
// does not implement that command yet ("unknown command"), so nothing opens at all. The
// patch sends it with Playwright's own `sendMayFail`, which logs the error and goes on: the
// tests never emulate a color scheme. Chromium never takes this code path (it speaks CDP).
//
// Run before every Firefox run (`npm run test:firefox` does): Playwright's code is loaded when
// a process imports it, so patching from inside the run would be too late; the Firefox
// launchers call `assertPlaywrightBidiPatched()` and say so. It is idempotent, and it FAILS
// LOUDLY when the code it patches is not found as expected — after a Playwright upgrade,
// check whether the patch is still needed (Firefox may implement the command by then, or
// Playwright may send it best-effort itself), then update or delete this script.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const TESTED_VERSION = '1.65.1';
const ORIGINAL = '.send("emulation.setMediaFeaturesOverride",';
const PATCHED = '.sendMayFail("emulation.setMediaFeaturesOverride",';
/** The BiDi page and the BiDi browser context each send it once. */
const EXPECTED_SITES = 2;

const require = createRequire(import.meta.url);

function playwrightCore() {
  const root = dirname(require.resolve('playwright-core/package.json'));
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const file = join(root, 'lib', 'coreBundle.js');
  const source = readFileSync(file, 'utf8');
  return {
    version,
    file,
    source,
    original: source.split(ORIGINAL).length - 1,
    patched: source.split(PATCHED).length - 1,
  };
}

/** Throws, saying what to run, unless the installed Playwright carries the patch. */
export function assertPlaywrightBidiPatched() {
  const { patched, original } = playwrightCore();
  if (patched === EXPECTED_SITES && original === 0) return;
  throw new Error(
    "[sandcell] Playwright's BiDi Firefox needs a patch first: node scripts/patch-playwright-bidi.mjs (npm run test:firefox runs it)",
  );
}

/** @param {string} message */
function fail(message, version = 'unknown') {
  console.error(`[sandcell] patch-playwright-bidi: ${message}`);
  console.error(
    `[sandcell] The patch was written for playwright-core ${TESTED_VERSION}; this is ${version}. ` +
      'Check whether Firefox runs without it (npm run test:firefox with the patch removed), then update or delete scripts/patch-playwright-bidi.mjs.',
  );
  process.exit(1);
}

function main() {
  let core;
  try {
    core = playwrightCore();
  } catch (error) {
    fail(`cannot read playwright-core (${error instanceof Error ? error.message : error})`);
    return;
  }
  const { version, file, source, original, patched } = core;
  if (patched === EXPECTED_SITES && original === 0) {
    console.log(`[sandcell] playwright-core ${version}: BiDi media-feature emulation already best-effort`);
  } else if (original === EXPECTED_SITES && patched === 0) {
    writeFileSync(file, source.split(ORIGINAL).join(PATCHED));
    console.log(
      `[sandcell] playwright-core ${version}: patched ${EXPECTED_SITES} BiDi media-feature calls to best-effort`,
    );
  } else {
    fail(
      `expected ${EXPECTED_SITES} calls of ${ORIGINAL} (or of ${PATCHED}) in ${file}, found ${original} (and ${patched}).`,
      version,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
