// WebKit on Linux, from Debian's packages: `webkit2gtk-driver` (WebKitWebDriver, which
// starts WebKitGTK's MiniBrowser in automation mode) on a private Xvfb display (`xvfb`).
// Playwright cannot drive this WebKit (its WebKit is a patched build that speaks its own
// protocol over --inspector-pipe, which MiniBrowser does not have), so it is driven over
// classic WebDriver: by Vitest's webdriverio provider (vitest.engines.config.ts) and by the
// e2e runner's WebDriver page (e2e/webdriver-page.mjs).
//
// Environment variables set for this process reach MiniBrowser and its web processes, e.g.
// `JSC_useSharedArrayBuffer=1` (Debian's WebKitGTK ships without SharedArrayBuffer).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/** @returns {string} MiniBrowser's path: `WEBKIT_MINIBROWSER`, else Debian's (any architecture) */
export function miniBrowserPath() {
  const fromEnv = process.env.WEBKIT_MINIBROWSER;
  if (fromEnv) {
    if (!existsSync(fromEnv))
      throw new Error(`[sandcell] WEBKIT_MINIBROWSER points to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  for (const arch of existsSync('/usr/lib') ? readdirSync('/usr/lib') : []) {
    for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) {
      const path = `/usr/lib/${arch}/${api}/MiniBrowser`;
      if (existsSync(path)) return path;
    }
  }
  throw new Error(
    '[sandcell] no WebKitGTK MiniBrowser found: apt-get install webkit2gtk-driver (or set WEBKIT_MINIBROWSER)',
  );
}

/** The capabilities a WebDriver session needs to start MiniBrowser through WebKitWebDriver. */
export function webkitCapabilities() {
  return {
    browserName: 'MiniBrowser',
    // WebKitWebDriver 2.50 speaks classic WebDriver; WebdriverIO would otherwise try BiDi first.
    'wdio:enforceWebDriverClassic': true,
    'webkitgtk:browserOptions': { binary: miniBrowserPath(), args: ['--automation'] },
  };
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {string} what
 */
function exitedEarly(child, what) {
  return new Promise((_, reject) => {
    child.once('error', (error) => reject(new Error(`[sandcell] cannot start ${what}: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`[sandcell] ${what} exited (code ${code}) before it was ready`)));
  });
}

/** Starts Xvfb on the first free display; resolves once it accepts connections (it says so on fd 3). */
async function startXvfb() {
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  xvfb.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const displayNumber = new Promise((resolve) => {
    let text = '';
    xvfb.stdio[3]?.on('data', (chunk) => {
      text += chunk;
      if (text.includes('\n')) resolve(text.trim());
    });
  });
  const display = await Promise.race([
    displayNumber,
    exitedEarly(xvfb, 'Xvfb (apt-get install xvfb)').catch((error) => {
      throw new Error(`${error.message}\n${stderr}`);
    }),
  ]);
  return { display: `:${display}`, process: xvfb };
}

/** A port nobody listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Resolves once something accepts TCP connections on the port: WebKitWebDriver prints
 * nothing when it is ready, so the connection attempt is the only signal there is.
 * @param {number} port
 * @param {number} limitMs
 */
async function listening(port, limitMs) {
  const until = Date.now() + limitMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    const ok = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until)
      throw new Error(`[sandcell] WebKitWebDriver did not listen on port ${port} within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * Starts Xvfb and WebKitWebDriver. Each WebDriver session made against it opens a fresh
 * MiniBrowser with an ephemeral profile.
 * @returns {Promise<{ hostname: string; port: number; display: string; close: () => Promise<void> }>}
 */
export async function startWebKitDriver() {
  if (!existsSync('/usr/bin/WebKitWebDriver')) {
    throw new Error('[sandcell] WebKitWebDriver is missing: apt-get install webkit2gtk-driver xvfb');
  }
  miniBrowserPath();
  const xvfb = await startXvfb();
  const port = await freePort();
  const driver = spawn('/usr/bin/WebKitWebDriver', [`--port=${port}`], {
    env: { ...process.env, DISPLAY: xvfb.display },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    for (const child of [driver, xvfb.process]) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await gone;
    }
  };
  try {
    await Promise.race([listening(port, 15_000), exitedEarly(driver, 'WebKitWebDriver')]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { hostname: '127.0.0.1', port, display: xvfb.display, close: stop };
}
