/**
 * Vitest global setup (runs in Node): a loopback HTTP server that counts every request it
 * gets — fetches, XHR, EventSource, WebSocket upgrades, scripts, fonts, beacons, whatever
 * reaches it. Browser tests use a fresh token per probe (`<url>/t/<token>/…`) and then ask
 * `<url>/count/<token>` how many requests arrived and what they carried (Origin, Cookie).
 * It answers with permissive CORS and CORP headers, so a request the browser lets out is
 * never refused by this server: a zero count means the browser itself blocked it.
 *
 * Wheels for the `python.packages` tests: `…/wheels/<project>-<version>-py3-none-any.whl` is a
 * pure-Python wheel built on the spot (./wheel.ts), `…/broken/<file>.whl` is not a zip,
 * `…/missing/…` answers 404, and `…/locks/pyodide-lock.json` is a lock file of the installed
 * Pyodide's version that lists one package, `tinywheel`, whose wheel is `../wheels/…`.
 */

/** A lock file as a self-hosted distribution has one: Pyodide's own `info`, our one package. */
function tinyLockFile(): string {
  const lock = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('pyodide/pyodide-lock.json'), 'utf8'));
  return JSON.stringify({
    info: lock.info,
    packages: {
      tinywheel: {
        name: 'tinywheel',
        version: '1.0.0',
        file_name: '../wheels/tinywheel-1.0.0-py3-none-any.whl',
        install_dir: 'site',
        sha256: '',
        package_type: 'package',
        imports: ['tinywheel'],
        depends: [],
      },
    },
  });
}

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import type { TestProject } from 'vitest/node';
import { buildWheel } from './wheel.ts';

interface Hit {
  method: string;
  path: string;
  origin: string | null;
  cookie: string | null;
  upgrade: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the counting loopback server, e.g. http://127.0.0.1:41234 */
    loopback: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hits = new Map<string, Hit[]>();
  const record = (request: IncomingMessage, upgrade: boolean) => {
    const match = /^\/t\/([^/?]+)/.exec(request.url ?? '');
    if (!match) return;
    const list = hits.get(match[1]) ?? [];
    list.push({
      method: request.method ?? 'GET',
      path: request.url ?? '',
      origin: request.headers.origin ?? null,
      cookie: request.headers.cookie ?? null,
      upgrade,
    });
    hits.set(match[1], list);
  };
  const server = createServer((request, response) => {
    const headers = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
      'Cache-Control': 'no-store',
    };
    const count = /^\/count\/([^/?]+)/.exec(request.url ?? '');
    if (count) {
      response.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
      response.end(JSON.stringify(hits.get(count[1]) ?? []));
      return;
    }
    record(request, false);
    if (request.method === 'OPTIONS') {
      response.writeHead(204, headers);
      response.end();
      return;
    }
    const wheel = /\/wheels\/([A-Za-z0-9_]+)-([0-9.]+)-py3-none-any\.whl$/.exec(request.url ?? '');
    if (wheel) {
      response.writeHead(200, { ...headers, 'Content-Type': 'application/octet-stream' });
      response.end(buildWheel(wheel[1], wheel[2]));
      return;
    }
    if (request.url?.endsWith('/locks/pyodide-lock.json')) {
      response.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
      response.end(tinyLockFile());
      return;
    }
    if (request.url?.includes('/missing/')) {
      response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
      response.end('not here');
      return;
    }
    const type = request.url?.includes('/events')
      ? 'text/event-stream'
      : request.url?.endsWith('.js')
        ? 'text/javascript'
        : 'text/plain';
    response.writeHead(200, { ...headers, 'Content-Type': type });
    response.end(
      type === 'text/javascript' ? 'self.__loaded = true;' : type === 'text/event-stream' ? 'data: x\n\n' : 'x',
    );
  });
  server.on('upgrade', (request: IncomingMessage, socket: Socket) => {
    record(request, true);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  project.provide('loopback', `http://127.0.0.1:${port}`);
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}
