/**
 * A static file server for the e2e pages, on 127.0.0.1 and a random port. `isolate` adds
 * the COOP/COEP headers that make a page cross-origin isolated (SharedArrayBuffer exists);
 * without them the SDK must fall back to its hard interrupt path.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';

import { fileURLToPath } from 'node:url';
import { ISOLATION_HEADERS } from '../scripts/dev-env.mjs';

const RECORD_ERRORS_PATH = '/__e2e/record-errors.js';
const RECORD_ERRORS_FILE = fileURLToPath(new URL('./pages/record-errors.js', import.meta.url));

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

/**
 * @param {{ root: string; isolate: boolean; headers?: Record<string, string>; recordErrors?: boolean }} options
 *   `headers`: sent with every file too (a Content-Security-Policy, say). `recordErrors`: every
 *   HTML page gets e2e/pages/record-errors.js as its first script (served as
 *   /__e2e/record-errors.js), for pages that do not load it themselves (the playground) when
 *   a WebDriver run must read their errors (see e2e/webdriver-page.mjs)
 * @returns {Promise<{ url: string; requests: string[]; close(): Promise<void> }>}
 *   `url` ends without a slash; `requests` records every path asked for, so tests can tell
 *   which files a page really loaded.
 */
export async function startStaticServer({ root, isolate, headers = {}, recordErrors = false }) {
  const base = resolve(root);
  const requests = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    let file = normalize(path === RECORD_ERRORS_PATH && recordErrors ? RECORD_ERRORS_FILE : join(base, path));
    // Never serve outside the root, whatever `..` the request holds.
    if (file !== base && !file.startsWith(base + sep) && file !== RECORD_ERRORS_FILE) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      await stat(file);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
      ...(isolate ? ISOLATION_HEADERS : {}),
      // As the README asks of the served frame document: Firefox refuses it without.
      ...(isolate && basename(file) === 'sandcell-frame.html'
        ? { 'Cross-Origin-Resource-Policy': 'cross-origin' }
        : {}),
      ...headers,
    });
    if (recordErrors && extname(file) === '.html') {
      const html = await readFile(file, 'utf8');
      res.end(html.replace(/<head[^>]*>/i, (head) => `${head}<script src="${RECORD_ERRORS_PATH}"></script>`));
      return;
    }
    createReadStream(file).pipe(res);
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
