/**
 * A static file server for the e2e pages, on 127.0.0.1 and a random port. `isolate` adds
 * the COOP/COEP headers that make a page cross-origin isolated (SharedArrayBuffer exists);
 * without them the SDK must fall back to its hard interrupt path.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, extname, join, normalize, resolve, sep } from 'node:path';

import { ISOLATION_HEADERS } from '../scripts/dev-env.mjs';

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
 * @param {{ root: string; isolate: boolean; headers?: Record<string, string> }} options
 *   `headers`: sent with every file too (a Content-Security-Policy, say)
 * @returns {Promise<{ url: string; requests: string[]; close(): Promise<void> }>}
 *   `url` ends without a slash; `requests` records every path asked for, so tests can tell
 *   which files a page really loaded.
 */
export async function startStaticServer({ root, isolate, headers = {} }) {
  const base = resolve(root);
  const requests = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    let file = normalize(join(base, path));
    // Never serve outside the root, whatever `..` the request holds.
    if (file !== base && !file.startsWith(base + sep)) {
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
