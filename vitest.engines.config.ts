/**
 * The browser suite (`test/browser/`, unchanged) in the two other engines, from Debian's
 * packages; `vitest.config.ts` stays the Chromium one that `npm test` runs.
 *
 *   npx vitest run -c vitest.engines.config.ts --project firefox   (npm run test:firefox runs it)
 *   npx vitest run -c vitest.engines.config.ts --project webkit    (npm run test:webkit)
 *
 * - firefox: `firefox-esr`, driven by Playwright over WebDriver BiDi (`channel: 'moz-firefox'`,
 *   no geckodriver needed). Needs `scripts/patch-playwright-bidi.mjs` applied first.
 * - webkit: WebKitGTK's MiniBrowser through `WebKitWebDriver` on a private Xvfb display
 *   (`scripts/webkit-driver.mjs`), driven over classic WebDriver by Vitest's webdriverio
 *   provider. Playwright cannot drive Debian's WebKit.
 */

import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { WebdriverBrowserProvider, type WebdriverProviderOptions, webdriverio } from '@vitest/browser-webdriverio';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import type { TestProject } from 'vitest/node';
import { assertPlaywrightBidiPatched } from './scripts/patch-playwright-bidi.mjs';
import { startWebKitDriver, webkitCapabilities } from './scripts/webkit-driver.mjs';
import chromiumConfig from './vitest.config.ts';

/** `FIREFOX_PATH`, else Debian's firefox-esr. */
function firefoxExecutable(): string {
  const path = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
  if (!existsSync(path)) {
    throw new Error(`[sandcell] no Firefox at ${path}: apt-get install firefox-esr (or set FIREFOX_PATH)`);
  }
  return path;
}

/**
 * Vitest's webdriverio provider, with the WebKitWebDriver (and its Xvfb) started when the
 * browser opens and stopped when it closes. Its browser is named `MiniBrowser` because
 * the provider sends the instance's browser name as the `browserName` capability, and
 * WebKitWebDriver matches only its own browser's name.
 */
class WebKitGtkProvider extends WebdriverBrowserProvider {
  private driver: Awaited<ReturnType<typeof startWebKitDriver>> | undefined;

  constructor(
    project: TestProject,
    private readonly sharedOptions: WebdriverProviderOptions,
  ) {
    super(project, sharedOptions);
  }

  override async openBrowser() {
    if (!this.driver) {
      this.driver = await startWebKitDriver();
      this.sharedOptions.hostname = this.driver.hostname;
      this.sharedOptions.port = this.driver.port;
    }
    return super.openBrowser();
  }

  override async close() {
    try {
      await super.close();
    } finally {
      await this.driver?.close();
      this.driver = undefined;
    }
  }
}

function webkitGtk() {
  const { browserName: _, ...capabilities } = webkitCapabilities();
  const options: WebdriverProviderOptions = { capabilities };
  return {
    ...webdriverio(options),
    supportedBrowser: ['MiniBrowser'],
    providerFactory: (project: TestProject) => new WebKitGtkProvider(project, options),
  };
}

const chromiumBrowserProject = (chromiumConfig.test?.projects ?? []).find(
  (project): project is TestProjectInlineConfiguration =>
    typeof project === 'object' && 'test' in project && project.test?.name === 'browser',
);
if (!chromiumBrowserProject?.test?.browser) throw new Error('[sandcell] vitest.config.ts has no "browser" project');
const { browser: chromiumBrowser, ...suite } = chromiumBrowserProject.test;
// Everything but the projects (server headers, plugins, pre-bundled deps) as the Chromium run has it.
const { test: _chromiumTest, ...shared } = chromiumConfig;

export default defineConfig({
  ...shared,
  test: {
    projects: [
      {
        extends: true,
        test: {
          ...suite,
          name: 'firefox',
          browser: {
            ...chromiumBrowser,
            provider: playwright({
              launchOptions: {
                channel: 'moz-firefox',
                // Read at launch, so a WebKit-only run needs neither Firefox nor the patch.
                get executablePath() {
                  assertPlaywrightBidiPatched();
                  return firefoxExecutable();
                },
              },
            }),
            instances: [{ browser: 'firefox' }],
          },
        },
      },
      {
        extends: true,
        test: {
          ...suite,
          name: 'webkit',
          // JSC 2.50 neither parses `await using` nor has Symbol.asyncDispose: a file that
          // contains the syntax cannot load there (it is kept in a file of its own for that).
          exclude: [...(suite.exclude ?? configDefaults.exclude), 'test/browser/await-using.test.ts'],
          browser: {
            ...chromiumBrowser,
            // MiniBrowser has no headless mode; it runs on its own Xvfb display instead.
            headless: false,
            ui: false,
            provider: webkitGtk(),
            // Vitest's types know only the usual names; this provider accepts MiniBrowser (above).
            instances: [{ browser: 'MiniBrowser' as 'webkit' }],
          },
        },
      },
    ],
  },
});
