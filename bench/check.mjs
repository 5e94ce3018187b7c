// A browser-free check of the bench itself, for CI machines without Chromium: the statistics,
// the table, the server's headers and module rewriting, and that every page module is served.
import assert from 'node:assert/strict';
import { figure, summarize } from './lib/stats.js';
import { formatTable } from './report.mjs';
import { startServer } from './server.mjs';

const s = summarize([5, 1, 4, 2, 3, 100]);
assert.equal(s.median, 3);
assert.equal(s.p95, 100);
assert.equal(s.n, 6);
const f = figure({
  id: 'x',
  label: 'x',
  samples: [2, 2, 2],
  baseline: { label: 'b', samples: [1, 1, 1] },
  goal: { ratio: 1.5 },
});
assert.equal(f.ratio, 2);
assert.equal(f.met, false);
assert.match(formatTable([f]), /MISSED/);

const server = await startServer();
try {
  for (const path of [
    '/bench/page.html',
    '/bench/page.js',
    '/bench/suites/core.js',
    '/bench/suites/interrupts.js',
    '/bench/suites/snapshots.js',
    '/bench/suites/output.js',
    '/bench/suites/peer.js',
    '/bench/suites/render.js',
    '/bench/workers/bare-worker.js',
    '/bench/workers/bare-echo.js',
    '/node_modules/idb-keyval/dist/index.js',
    '/node_modules/@jitl/quickjs-wasmfile-release-sync/dist/emscripten-module.wasm',
  ]) {
    const response = await fetch(server.origin + path);
    assert.equal(response.status, 200, `${path} is not served`);
    assert.equal(response.headers.get('cross-origin-embedder-policy'), 'require-corp');
  }
  const worker = await (await fetch(`${server.origin}/bench/workers/quickjs-worker.js`)).text();
  assert.doesNotMatch(worker, /from\s*'quickjs-emscripten-core'/, 'bare specifiers must be rewritten for workers');
  assert.equal((await fetch(`${server.origin}/package.json`)).status, 404, 'only the allowed trees are served');
} finally {
  await server.close();
}
console.log('[sandcell] bench check: ok');
