/**
 * Vitest global setup (runs in Node): a loopback HTTP server that counts every request it
 * gets — fetches, XHR, EventSource, WebSocket upgrades, scripts, fonts, beacons, whatever
 * reaches it. Browser tests use a fresh token per probe (`<url>/t/<token>/…`) and then ask
 * `<url>/count/<token>` how many requests arrived and what they carried (Origin, Cookie).
 * It answers with permissive CORS and CORP headers, so a request the browser lets out is
 * never refused by this server: a zero count means the browser itself blocked it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TestProject } from 'vitest/node';

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
