/**
 * What the consumer-app tests share, prepared once per run:
 *
 * - the bundlers (`toolchains/package.json`, pinned by its lock), installed with `npm ci` into
 *   `node_modules/.cache/sandcell-consumer-toolchains/<hash of the lock>`: the first run
 *   downloads them from the npm registry, later runs reuse the folder (a changed lock gets a
 *   new one). Vite 8 is the repository's own devDependency.
 * - the package as users get it: `npm pack` of `dist/` (built by `npm run test:e2e` just before),
 *   installed with `npm install <tarball>` into a scratch app, whose `node_modules` each
 *   consumer app then gets a copy of.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The environment for the npm commands below. Under `npm test` this process inherits npm's
 * script variables, and `npm_config_local_prefix` (the repository) would make `npm ci` in the
 * toolchains folder reinstall the repository itself instead — emptying its node_modules while
 * the tests run. Each command must see only its own folder.
 */
const npmEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/**
 * @typedef {object} Toolchains
 * @property {typeof import('vite')} vite8
 * @property {typeof import('vite')} vite6
 * @property {typeof import('webpack')} webpack
 * @property {typeof import('esbuild')} esbuild
 *
 * @typedef {object} Consumers
 * @property {Toolchains} toolchains
 * @property {string} root      scratch folder holding every consumer app (removed by `cleanup`)
 * @property {string} tarball   the packed sandcell-x.y.z.tgz
 * @property {(template: string, name?: string) => Promise<string>} app
 *   a fresh copy of `apps/<template>` (in a folder called `name`) with sandcell installed
 * @property {Record<string, number>} timings  seconds spent per setup step
 */

/** @returns {Promise<Toolchains>} */
async function installToolchains(timings) {
  const started = performance.now();
  const lock = await readFile(join(here, 'toolchains/package-lock.json'));
  const manifest = await readFile(join(here, 'toolchains/package.json'));
  const key = createHash('sha256').update(manifest).update(lock).digest('hex').slice(0, 16);
  const dir = join(repo, 'node_modules/.cache/sandcell-consumer-toolchains', key);
  const entries = {
    vite6: join(dir, 'node_modules/vite6/dist/node/index.js'),
    webpack: join(dir, 'node_modules/webpack/package.json'),
    esbuild: join(dir, 'node_modules/esbuild/package.json'),
  };
  // Checked file by file: an `npm ci` of the repository can leave this folder half emptied.
  if (!Object.values(entries).every((file) => existsSync(file))) {
    // Installed beside, then moved into place: a run that dies mid-install leaves no half folder behind.
    const partial = `${dir}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    await writeFile(join(partial, 'package.json'), manifest);
    await writeFile(join(partial, 'package-lock.json'), lock);
    await run(npm, ['ci', ...NPM_QUIET], { cwd: partial, env: npmEnv });
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
  }
  // webpack and esbuild are CommonJS; Vite 6 is ESM, imported by its entry file (the package is aliased `vite6`).
  const require = createRequire(join(dir, 'package.json'));
  const toolchains = {
    vite8: await import('vite'),
    vite6: await import(pathToFileURL(entries.vite6).href),
    webpack: require('webpack'),
    esbuild: require('esbuild'),
  };
  timings.toolchains = (performance.now() - started) / 1000;
  return toolchains;
}

/** @returns {Promise<string>} the tarball's path */
async function pack(into, timings) {
  const started = performance.now();
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', into, ...NPM_QUIET], {
    cwd: repo,
    env: npmEnv,
  });
  const [info] = JSON.parse(stdout);
  timings.pack = (performance.now() - started) / 1000;
  return join(into, info.filename);
}

/** @returns {Promise<Consumers>} */
export async function prepareConsumers() {
  /** @type {Record<string, number>} */
  const timings = {};
  const root = await mkdtemp(join(tmpdir(), 'sandcell-consumers-'));
  const [toolchains, tarball] = await Promise.all([installToolchains(timings), pack(root, timings)]);

  // The one install a user does: `npm install sandcell` (here: the tarball) in an empty app.
  const started = performance.now();
  const installed = join(root, 'installed');
  await mkdir(installed);
  await writeFile(
    join(installed, 'package.json'),
    `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  await run(npm, ['install', tarball, '--no-package-lock', ...NPM_QUIET], { cwd: installed, env: npmEnv });
  timings.install = (performance.now() - started) / 1000;

  return {
    toolchains,
    root,
    tarball,
    timings,
    async app(template, name = template) {
      const dir = join(root, name);
      await cp(join(here, 'apps', template), dir, { recursive: true });
      await cp(join(installed, 'package.json'), join(dir, 'package.json'));
      await cp(join(installed, 'node_modules'), join(dir, 'node_modules'), { recursive: true });
      return dir;
    },
  };
}

/** Every package the tarball's install put in `node_modules` (scoped ones as `@scope/name`). */
export async function installedPackages(appDir) {
  const names = [];
  for (const entry of await readdir(join(appDir, 'node_modules'))) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const inner of await readdir(join(appDir, 'node_modules', entry))) names.push(`${entry}/${inner}`);
    } else {
      names.push(entry);
    }
  }
  return names.sort();
}

export async function cleanupConsumers(consumers) {
  await rm(consumers.root, { recursive: true, force: true });
}
