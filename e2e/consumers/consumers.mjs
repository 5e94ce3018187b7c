/**
 * Consumer apps: the smallest app a user would write (`apps/`), built from the packed tarball
 * with each mainstream toolchain, with no sandcell-specific configuration, then run in the
 * browser under test (Chromium, Firefox or WebKit): it must create a session and run a cell.
 * Also what the install itself brings in, the types, and pages where a worker cannot start.
 *
 *   E2E_ONLY=consumer node e2e/run.mjs    just these
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test } from '../harness.mjs';
import { startStaticServer } from '../static-server.mjs';
import { cleanupConsumers, installedPackages, prepareConsumers } from './setup.mjs';

// Builds on a shared 2-core machine: minutes of slack, not seconds. The first test also waits
// for the one-time setup (pack, install, and on a cold cache the toolchains' download).
const TIMEOUT_MS = 240_000;
const RESULT_TIMEOUT_MS = 60_000;

/** The repository's own TypeScript compiler. */
const TSC = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));

/** @returns {Promise<{ code: number; output: string }>} */
function tsc(args) {
  return new Promise((resolve) =>
    execFile(TSC, args, (error, stdout, stderr) =>
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout + stderr }),
    ),
  );
}

/**
 * @param {() => import('playwright').Browser} browser
 * @returns {{ cleanup(): Promise<void> }}
 */
export function registerConsumerTests(browser) {
  /** @param {string} name @param {() => Promise<void>} fn */
  const consumerTest = (name, fn) => test(`consumer ${name}`, fn, { timeoutMs: TIMEOUT_MS });

  /** @type {Promise<import('./setup.mjs').Consumers> | undefined} */
  let prepared;
  const setup = () => {
    prepared ??= prepareConsumers();
    return prepared;
  };

  /**
   * Opens `url` and waits for the app to report (its `#result` text).
   * @param {string} url
   * @param {{ countWorkers?: boolean }} [options] count every `new Worker` the page attempts
   *   and every frame added to it (in `window.workersStarted`)
   */
  async function openApp(url, options = {}) {
    const context = await browser().newContext();
    // Playwright sees a page's errors, console and init scripts. Classic WebDriver (WebKit, see
    // e2e/webdriver-page.mjs) has none of them for a page that does not record its own errors,
    // as these apps do not: there the apps' own report (#result, where main() puts any error)
    // is what is checked, and the workers a page starts cannot be counted.
    const observed = typeof context.addInitScript === 'function';
    if (options.countWorkers && observed) {
      await context.addInitScript(() => {
        // Workers started on the page, and frames added to it (a session's worker starts in its own frame).
        Reflect.set(window, 'workersStarted', 0);
        const NativeWorker = window.Worker;
        window.Worker = class extends NativeWorker {
          constructor(...args) {
            Reflect.set(window, 'workersStarted', Reflect.get(window, 'workersStarted') + 1);
            super(...args);
          }
        };
        new MutationObserver((records) => {
          for (const record of records) {
            for (const node of record.addedNodes) {
              if (node.nodeName === 'IFRAME')
                Reflect.set(window, 'workersStarted', Reflect.get(window, 'workersStarted') + 1);
            }
          }
        }).observe(document, { childList: true, subtree: true });
      });
    }
    const page = await context.newPage();
    /** @type {Error[]} */
    const errors = [];
    /** @type {string[]} */
    const console = [];
    if (observed) {
      page.on('pageerror', (error) => errors.push(error));
      page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
    }
    try {
      await page.goto(url);
      await page.waitForSelector('body[data-done="1"]', { timeout: RESULT_TIMEOUT_MS });
      const text = (await page.textContent('#result')) ?? '';
      return { text, errors, observed, page, close: () => context.close() };
    } catch (error) {
      // What the page said is what tells why it never finished.
      const said = [...errors.map((e) => `pageerror: ${e.message}`), ...console].join('\n');
      await context.close();
      if (error instanceof Error && said) error.message += `\npage said:\n${said}`;
      throw error;
    }
  }

  /** Opens `url` and checks the app ran its cell. */
  async function runsACell(url) {
    const app = await openApp(url);
    await app.close();
    assert.ok(!app.text.startsWith('error:'), `the app reported ${app.text}`);
    const result = JSON.parse(app.text);
    assert.equal(result.status, 'ok');
    assert.equal(result.repr, '[ 2, 4, 6 ]');
    assert.deepEqual(app.errors, [], 'uncaught errors in the page');
  }

  /** Serves `root` over plain HTTP while `body` runs. */
  async function serving(root, body, headers = {}) {
    const server = await startStaticServer({ root, isolate: false, headers });
    try {
      await body(server.url);
    } finally {
      await server.close();
    }
  }

  /** What a bundler wrote must not name the machine it ran on (its paths, `file:///` URLs). */
  async function assertNoBuildMachinePaths(outDir, consumers) {
    for (const file of await readdir(outDir, { recursive: true })) {
      if (!/\.(m?js|html)$/.test(file)) continue;
      const text = await readFile(join(outDir, file), 'utf8');
      for (const leak of [consumers.root, 'file:///']) {
        const at = text.indexOf(leak);
        assert.equal(at, -1, `${relative(consumers.root, join(outDir, file))} holds ${text.slice(at, at + 120)}`);
      }
    }
  }

  consumerTest('install: the tarball adds sandcell and no other package; its bundles import nothing', async () => {
    const consumers = await setup();
    const app = await consumers.app('script-tag', 'install-check');
    assert.deepEqual(await installedPackages(app), ['sandcell']);
    const dist = join(app, 'node_modules/sandcell/dist');
    for (const file of (await readdir(dist)).filter((name) => name.endsWith('.js'))) {
      const text = await readFile(join(dist, file), 'utf8');
      const imports = text.match(/^\s*import\b[^;]*?from\s*['"][^'"]+['"]|\bimport\(\s*['"][^'"]+['"]\s*\)/gm) ?? [];
      // Only files of dist/ itself may be imported (the ESM entry loads the worker's source on first use).
      const outside = imports.filter((found) => {
        const specifier = /['"]([^'"]+)['"]/.exec(found)?.[1] ?? '';
        return !(specifier.startsWith('./') && existsSync(join(dist, specifier)));
      });
      assert.deepEqual(outside, [], `${file} imports ${outside}: dist/ must bundle its dependencies`);
    }
  });

  consumerTest(
    'TypeScript: types of both entries from the tarball (bundler, node16; skipLibCheck: false)',
    async () => {
      const consumers = await setup();
      const app = await consumers.app('typescript');
      for (const config of ['tsconfig.json', 'tsconfig.node16.json']) {
        const outcome = await tsc(['-p', join(app, config)]);
        assert.equal(outcome.code, 0, `tsc -p ${config}:\n${outcome.output}`);
      }
    },
  );

  consumerTest('Vite 8: dev server', async () => {
    const consumers = await setup();
    const root = await consumers.app('vite', 'vite8-dev');
    const server = await consumers.toolchains.vite8.createServer({
      root,
      configFile: false,
      logLevel: 'error',
      server: { host: '127.0.0.1', port: 0 },
    });
    try {
      await server.listen();
      await runsACell(server.resolvedUrls.local[0]);
    } finally {
      await server.close();
    }
  });

  consumerTest('Vite 8: build, then preview', async () => {
    const consumers = await setup();
    const { build, preview } = consumers.toolchains.vite8;
    const root = await consumers.app('vite', 'vite8-build');
    await build({ root, configFile: false, logLevel: 'error' });
    await assertNoBuildMachinePaths(join(root, 'dist'), consumers);
    const server = await preview({
      root,
      configFile: false,
      logLevel: 'error',
      preview: { host: '127.0.0.1', port: 0 },
    });
    try {
      await runsACell(server.resolvedUrls.local[0]);
    } finally {
      await server.close();
    }
  });

  consumerTest('Vite 6: dev server (dependency pre-bundling)', async () => {
    const consumers = await setup();
    const root = await consumers.app('vite', 'vite6-dev');
    const server = await consumers.toolchains.vite6.createServer({
      root,
      configFile: false,
      logLevel: 'error',
      server: { host: '127.0.0.1', port: 0 },
    });
    try {
      await server.listen();
      await runsACell(server.resolvedUrls.local[0]);
    } finally {
      await server.close();
    }
  });

  consumerTest('webpack 5: production build, no build-machine paths in the bundle', async () => {
    const consumers = await setup();
    const { webpack } = consumers.toolchains;
    const root = await consumers.app('webpack');
    // `npx webpack --mode production` in the app: ./src/index.js → ./dist/main.js. (The
    // CLI's output folder is relative to the working directory, the API's must be given.)
    const compiler = webpack({ context: root, mode: 'production', output: { path: join(root, 'dist') } });
    const stats = await new Promise((resolve, reject) =>
      compiler.run((error, result) => (error ? reject(error) : resolve(result))),
    );
    await new Promise((resolve) => compiler.close(resolve));
    assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
    await assertNoBuildMachinePaths(join(root, 'dist'), consumers);
    // The page loading the bundle, put beside it as an app's build step would (webpack alone writes only scripts).
    await copyFile(join(root, 'index.html'), join(root, 'dist/index.html'));
    await serving(join(root, 'dist'), (url) => runsACell(`${url}/index.html`));
  });

  consumerTest('esbuild: --bundle with its defaults, no files copied by hand', async () => {
    const consumers = await setup();
    const root = await consumers.app('esbuild');
    // `esbuild main.js --bundle --outfile=out/main.js`
    await consumers.toolchains.esbuild.build({
      absWorkingDir: root,
      entryPoints: ['main.js'],
      bundle: true,
      outfile: 'out/main.js',
      logLevel: 'error',
    });
    await assertNoBuildMachinePaths(join(root, 'out'), consumers);
    await serving(root, (url) => runsACell(`${url}/index.html`));
  });

  consumerTest('script tag: node_modules/sandcell/dist/sandcell.iife.js over plain HTTP', async () => {
    const consumers = await setup();
    const root = await consumers.app('script-tag');
    await serving(root, (url) => runsACell(`${url}/index.html`));
  });

  consumerTest('script tag: the page opened from file:// runs a cell (a classic worker from a blob: URL)', async () => {
    const consumers = await setup();
    const root = await consumers.app('script-tag', 'script-tag-file');
    await runsACell(pathToFileURL(join(root, 'index.html')).href);
  });

  consumerTest(
    'script tag: a CSP without blob: workers makes createSession() reject, saying why; no respawns',
    async () => {
      const consumers = await setup();
      const root = await consumers.app('script-tag', 'script-tag-csp');
      const csp = { 'Content-Security-Policy': "worker-src 'self'" };
      await serving(
        root,
        async (url) => {
          const app = await openApp(`${url}/index.html`, { countWorkers: true });
          try {
            // The app's own session: the worker would start in the session's frame, which inherits the page's policy.
            assert.match(app.text, /^error: SandcellError: \[sandcell\] the session's worker could not start/);
            assert.match(app.text, /Content-Security-Policy \("worker-src 'self'"\).*add blob: to worker-src/);
            assert.ok(app.text.length < 2000, `a readable message, not ${app.text.length} characters`);
            // An 'unrestricted' session starts its worker on the page itself.
            const unrestricted = await app.page.evaluate(() =>
              Sandcell.createSession({ policy: 'unrestricted' }).then(
                () => 'started',
                (error) => `${error.name}: ${error.message}`,
              ),
            );
            assert.match(unrestricted, /^SandcellError: .*Content-Security-Policy .*add blob: to worker-src/);
            // Over WebDriver only the frames are counted (no init script counts the workers).
            const attempts = () =>
              app.page.evaluate(() => (Reflect.get(window, 'workersStarted') ?? 0) + frames.length);
            const before = await attempts();
            assert.ok(before <= 2, `${before} workers and frames for two sessions`);
            // A respawn loop starts hundreds of workers a second: two quiet seconds show there is none.
            const more = await app.page
              .waitForFunction((n) => (Reflect.get(window, 'workersStarted') ?? 0) + frames.length > n, before, {
                timeout: 2000,
              })
              .then(
                () => true,
                () => false,
              );
            assert.equal(more, false, 'workers or frames kept being started after createSession() rejected');
          } finally {
            await app.close();
          }
        },
        csp,
      );
    },
  );

  return {
    async cleanup() {
      if (!prepared) return;
      const consumers = await prepared.catch(() => undefined);
      if (!consumers) return;
      const steps = Object.entries(consumers.timings).map(([step, s]) => `${step} ${s.toFixed(1)} s`);
      console.log(`(consumer setup: ${steps.join(', ')})`);
      await cleanupConsumers(consumers);
    },
  };
}
