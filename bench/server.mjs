// The bench's static server: cross-origin isolated (COOP/COEP), so SharedArrayBuffer, the
// interrupt flag and synchronous input() are live, exactly as on an app's own isolated page.
// Serves dist/, bench/ and the few node_modules files the pages need (idb-keyval, QuickJS).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** Only these trees are served: the built SDK, the bench pages, and the peer and baseline libraries. */
const ALLOWED = [
  'dist/',
  'bench/',
  'node_modules/idb-keyval/dist/',
  'node_modules/quickjs-emscripten-core/dist/',
  'node_modules/@jitl/quickjs-ffi-types/dist/',
  'node_modules/@jitl/quickjs-wasmfile-release-sync/dist/',
];

// Module workers cannot use import maps, so the QuickJS packages' bare specifiers are
// rewritten to paths here (the same mapping a bundler would do), for pages and workers alike.
const BARE = {
  'quickjs-emscripten-core': '/node_modules/quickjs-emscripten-core/dist/index.mjs',
  '@jitl/quickjs-ffi-types': '/node_modules/@jitl/quickjs-ffi-types/dist/index.mjs',
  '@jitl/quickjs-wasmfile-release-sync/emscripten-module':
    '/node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.browser.mjs',
  '@jitl/quickjs-wasmfile-release-sync': '/node_modules/@jitl/quickjs-wasmfile-release-sync/dist/index.mjs',
};
const BARE_PATTERN = /(from\s*|import\s*\(\s*)(["'])([^"']+)\2/g;

function rewriteBare(source) {
  return source.replace(BARE_PATTERN, (match, lead, quote, spec) =>
    Object.hasOwn(BARE, spec) ? `${lead}${quote}${BARE[spec]}${quote}` : match,
  );
}

/**
 * Starts the server on 127.0.0.1 and a random port.
 * @returns {Promise<{ origin: string, close: () => Promise<void> }>}
 */
export async function startServer() {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(/^[/\\]+/, '');
    const headers = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      // Cacheable, as an app's assets are: a cold start then measures worker start, not a localhost fetch.
      'Cache-Control': 'max-age=600',
    };
    if (path.split(sep).includes('..') || !ALLOWED.some((prefix) => path.startsWith(prefix))) {
      response.writeHead(404, headers).end('not served by the bench server');
      return;
    }
    try {
      let body = await readFile(join(ROOT, path));
      if (!path.startsWith('dist/') && /\.m?js$/.test(path)) body = rewriteBare(body.toString('utf8'));
      response.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404, headers).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
