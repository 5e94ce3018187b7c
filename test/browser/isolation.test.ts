/**
 * The sandbox is the browser's: each sandbox/standard session runs in its own opaque-origin
 * frame under a Content-Security-Policy its worker inherits. Tested as an attacker would: a
 * loopback server counts every request that gets out, and cells try every route — including
 * ones that go around sandcell's stubs (eval, new Function, FontFace, nested workers that
 * sandcell does not instrument at all), so what is proven is the browser's wall.
 */
import { describe, expect, inject, it } from 'vitest';
import type { PolicyConfig } from '../../lib/types';
import { openSession } from './helpers';

const loopback = inject('loopback');

interface Hit {
  method: string;
  path: string;
  origin: string | null;
  cookie: string | null;
  upgrade: boolean;
}

function token(): string {
  return `t${crypto.randomUUID().replaceAll('-', '')}`;
}

async function hitsFor(id: string): Promise<Hit[]> {
  const response = await fetch(`${loopback}/count/${id}`);
  return (await response.json()) as Hit[];
}

/**
 * Cells that try to reach `url`, each settling (never hanging) whatever the browser does:
 * [route, cell]. `url` is unique per route, so the server's count is per route.
 */
function routes(url: string): Array<[string, string]> {
  const settle = (expression: string) =>
    `try { await Promise.race([(async () => { ${expression} })(), new Promise((r) => setTimeout(r, 1500))]) } catch {} 'done'`;
  return [
    ['fetch', settle(`await fetch('${url}/fetch')`)],
    ['fetch with credentials', settle(`await fetch('${url}/cred', { credentials: 'include', mode: 'no-cors' })`)],
    [
      'XMLHttpRequest (async)',
      settle(
        `const x = new XMLHttpRequest(); x.open('GET', '${url}/xhr'); await new Promise((r) => { x.onloadend = r; x.send() })`,
      ),
    ],
    [
      'XMLHttpRequest (sync)',
      settle(`const x = new XMLHttpRequest(); x.open('GET', '${url}/xhr-sync', false); x.send()`),
    ],
    [
      'WebSocket',
      settle(
        `const w = new WebSocket('${url.replace('http', 'ws')}/ws'); await new Promise((r) => { w.onopen = r; w.onerror = r; w.onclose = r })`,
      ),
    ],
    [
      'EventSource',
      settle(`const e = new EventSource('${url}/events'); await new Promise((r) => { e.onopen = r; e.onerror = r })`),
    ],
    ['import()', settle(`await import('${url}/plain.js')`)],
    ['import() through eval', settle(`await eval("import('${url}/eval.js')")`)],
    ['import() through new Function', settle(`await new Function("return import('${url}/function.js')")()`)],
    ['importScripts', settle(`importScripts('${url}/script.js')`)],
    ['FontFace', settle(`await new FontFace('f', 'url(${url}/font)').load()`)],
    ['navigator.sendBeacon', settle(`navigator.sendBeacon('${url}/beacon', 'x')`)],
  ];
}

/** Runs a fresh session, tries every route, returns the hits per route. */
async function probeRoutes(policy: 'sandbox' | 'standard' | PolicyConfig): Promise<Map<string, Hit[]>> {
  const s = await openSession({ policy });
  const ids = new Map<string, string>();
  for (const [route, cell] of routes('URL')) {
    const id = token();
    ids.set(route, id);
    const r = await s.execute(cell.replaceAll('URL', `${loopback}/t/${id}`));
    expect(r.status, `${route}: ${r.error?.message}`).toBe('ok');
  }
  const out = new Map<string, Hit[]>();
  for (const [route, id] of ids) out.set(route, await hitsFor(id));
  return out;
}

/** A worker the cell starts itself (sandcell does not instrument or stub it), which tries everything. */
const NESTED_WORKER = (url: string) => `
  const code = \`(async () => {
    const out = {};
    const attempt = async (name, fn) => { try { await Promise.race([fn(), new Promise((r) => setTimeout(r, 1500))]); out[name] = 'ok' } catch (e) { out[name] = e.name } };
    await attempt('fetch', () => fetch('${url}/nested-fetch'));
    await attempt('import', () => import('${url}/nested-import.js'));
    await attempt('importScripts', () => importScripts('${url}/nested-script.js'));
    await attempt('font', () => new FontFace('f', 'url(${url}/nested-font)').load());
    await attempt('indexedDB', () => new Promise((ok, bad) => { const r = indexedDB.open('x'); r.onsuccess = ok; r.onerror = () => bad(r.error) }));
    await attempt('caches', () => caches.open('x'));
    await attempt('locks', () => navigator.locks.request('x', () => 1));
    await attempt('storageBuckets', () => navigator.storageBuckets.open('b'));
    await attempt('opfs', () => navigator.storage.getDirectory());
    postMessage(out);
  })()\`;
  const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
  const result = await new Promise((resolve) => { w.onmessage = (e) => resolve(e.data); w.onerror = (e) => resolve('error: ' + e.message); });
  w.terminate();
  result`;

describe("the network under 'sandbox'", () => {
  it('no route gets a single request out', async () => {
    const hits = await probeRoutes('sandbox');
    for (const [route, list] of hits) expect(list, route).toEqual([]);
  });

  it('a worker the cell starts itself (no stubs in it) inherits the wall', async () => {
    const id = token();
    const s = await openSession({ policy: { network: false, storage: false, workers: true } });
    const r = await s.execute(NESTED_WORKER(`${loopback}/t/${id}`));
    expect(r.status, r.error?.message).toBe('ok');
    const result = r.value as Record<string, string>;
    for (const api of [
      'fetch',
      'import',
      'importScripts',
      'font',
      'indexedDB',
      'caches',
      'locks',
      'storageBuckets',
      'opfs',
    ])
      expect(result[api], api).not.toBe('ok');
    expect(await hitsFor(id)).toEqual([]);
  });

  it('import() inside a function that a restart re-created is still stopped', async () => {
    const id = token();
    const s = await openSession({ interruptGraceMs: 0 });
    await s.execute(`function leak(u) { return import(u) }`);
    const running = s.execute('eval("while (true) {}")');
    await s.interrupt();
    expect(await running).toMatchObject({ restarted: true });
    const r = await s.execute(
      `try { await leak('${loopback}/t/${id}/restored.js'); 'loaded' } catch (e) { e.name + ': ' + e.message }`,
    );
    expect(r.value).toMatch(/^PolicyError: .*network/);
    expect(await hitsFor(id)).toEqual([]);
  });

  it('a data: worker cannot be started, and a blob: one cannot fetch', async () => {
    const id = token();
    const s = await openSession({ policy: { network: false, storage: false, workers: true } });
    const r = await s.execute(`
      let data;
      try { const w = new Worker('data:text/javascript,fetch("${loopback}/t/${id}/data")'); data = await new Promise((r) => { w.onerror = () => r('error'); setTimeout(() => r('started'), 1500) }) } catch (e) { data = e.name }
      data`);
    expect(r.status).toBe('ok');
    expect(await hitsFor(id)).toEqual([]);
  });
});

describe("the network under 'standard'", () => {
  it('only plain connections get out, with Origin: null and no credentials', async () => {
    const hits = await probeRoutes('standard');
    const connections = [
      'fetch',
      'fetch with credentials',
      'XMLHttpRequest (async)',
      'XMLHttpRequest (sync)',
      'WebSocket',
      'EventSource',
    ];
    for (const [route, list] of hits) {
      if (connections.includes(route)) {
        expect(list.length, route).toBeGreaterThan(0);
        for (const hit of list) {
          expect(hit.cookie, route).toBeNull();
          // Cross-origin requests from the opaque frame say so; a simple GET may carry no Origin at all.
          if (hit.origin !== null) expect(hit.origin, route).toBe('null');
        }
      } else {
        expect(list, route).toEqual([]);
      }
    }
  });

  it('fetch returns the response to the cell', async () => {
    const s = await openSession({ policy: 'standard' });
    const id = token();
    const r = await s.execute(`const res = await fetch('${loopback}/t/${id}/body'); [res.status, await res.text()]`);
    expect(r.value).toEqual([200, 'x']);
    expect(await hitsFor(id)).toHaveLength(1);
  });
});

describe('storage of the page is out of reach', () => {
  const STORAGE: Array<[string, string]> = [
    [
      'indexedDB',
      `await new Promise((ok, bad) => { const r = indexedDB.open('x'); r.onsuccess = ok; r.onerror = () => bad(r.error) })`,
    ],
    ['caches', `await caches.open('x')`],
    ['navigator.storageBuckets', `await navigator.storageBuckets.open('b')`],
    ['navigator.storage', `await navigator.storage.getDirectory()`],
    ['webkitRequestFileSystemSync', `webkitRequestFileSystemSync(0, 10)`],
    ['webkitRequestFileSystem', `await new Promise((ok, bad) => webkitRequestFileSystem(0, 10, ok, bad))`],
    ['navigator.locks', `await navigator.locks.request('x', () => 1)`],
    ['cookieStore', `await cookieStore.getAll()`],
  ];

  it.each(['sandbox', 'standard'] as const)('under %s, every storage API fails', async (policy) => {
    const s = await openSession({ policy });
    for (const [api, use] of STORAGE) {
      const r = await s.execute(`let out; try { ${use}; out = 'available' } catch (e) { out = e.name } out`);
      expect(r.status, api).toBe('ok');
      expect(r.value, api).not.toBe('available');
    }
  });
});

describe('sessions cannot reach each other', () => {
  it("a cell cannot read or rewrite another session's snapshots", async () => {
    const victim = await openSession({ id: `victim-${token()}`, policy: 'sandbox' });
    await victim.execute('let secret = "s3cret"');
    await victim.snapshot();
    const attacker = await openSession({ policy: { network: false, storage: false, workers: true } });
    const r = await attacker.execute(`
      const attempts = [];
      try { indexedDB.open('sandcell'); attempts.push('open') } catch (e) { attempts.push(e.name) }
      try { IDBObjectStore.prototype.put = function () { attempts.push('hooked') } } catch (e) { attempts.push(e.name) }
      attempts`);
    expect(r.status).toBe('ok');
    expect(r.value).not.toContain('open');
    // The engine stores snapshots on the page: a patched IDBObjectStore in the cell's realm changes nothing.
    await attacker.execute('1');
    await victim.execute('secret = "changed"');
    const again = await victim.snapshot();
    expect(again.saved).toContain('secret');
    await victim.execute('secret = "lost"');
    await victim.restore(again.id);
    expect((await victim.execute('secret')).value).toBe('changed');
  });

  it('no BroadcastChannel message crosses between sessions, and one cannot stop the other', async () => {
    const policy = { network: false, storage: false, workers: true };
    const a = await openSession({ policy });
    const b = await openSession({ policy });
    await a.execute(
      `globalThis.heard = []; const ch = new BroadcastChannel('sandcell'); ch.onmessage = (e) => heard.push(e.data); 'listening'`,
    );
    const sent = await b.execute(`new BroadcastChannel('sandcell').postMessage('hello from b'); 'sent'`);
    expect(sent.value).toBe('sent');
    // A round trip through b's own channel proves the message was dispatched before a looks.
    await b.execute(
      `await new Promise((r) => { const x = new BroadcastChannel('echo'), y = new BroadcastChannel('echo'); y.onmessage = r; x.postMessage(1) })`,
    );
    const running = a.execute('let n = 0; while (n < 3e8) n++; n');
    const steal = await b.execute(
      `let out; try { await navigator.locks.request('sandcell:alive', { steal: true }, () => 1); out = 'stolen' } catch (e) { out = e.name } out`,
    );
    expect(steal.value).not.toBe('stolen');
    expect((await running).status).toBe('ok');
    expect((await a.execute('heard')).value).toEqual([]);
  });

  it('each session has its own opaque-origin frame, removed when it closes', async () => {
    const before = document.querySelectorAll('iframe[data-sandcell-session]').length;
    const a = await openSession();
    const b = await openSession({ policy: 'standard' });
    const frames = [...document.querySelectorAll('iframe[data-sandcell-session]')];
    expect(frames.length).toBe(before + 2);
    for (const frame of frames.slice(before)) {
      expect(frame.getAttribute('sandbox')).toBe('allow-scripts');
      expect(frame.getAttribute('allow')).toBe('cross-origin-isolated');
    }
    const origins = await Promise.all([a, b].map(async (s) => (await s.execute('self.origin')).value));
    expect(origins).toEqual(['null', 'null']);
    // Shared memory wherever the engine has it (Debian's WebKitGTK ships no SharedArrayBuffer at all).
    expect(a.crossOriginIsolated).toBe(typeof SharedArrayBuffer === 'function');
    await a.close();
    await b.close();
    expect(document.querySelectorAll('iframe[data-sandcell-session]').length).toBe(before);
  });

  it('the opaque-origin worker says truly whether it is a secure context, and cells have crypto.randomUUID either way', async () => {
    const s = await openSession();
    const r = await s.execute(
      "[isSecureContext, typeof crypto.subtle === 'object', crypto.randomUUID(), crypto.randomUUID()]",
    );
    const [secure, subtle, a, b] = r.value as [boolean, boolean, string, string];
    // Engines differ (README, Other engines): Chromium's blob: worker of the frame is not a secure
    // context; Firefox's is, and so is WebKit's data: one. What it says matches what it has.
    expect(subtle).toBe(secure);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b).not.toBe(a);
  });

  it("'unrestricted' runs on the page's origin, without a frame", async () => {
    const before = document.querySelectorAll('iframe[data-sandcell-session]').length;
    const s = await openSession({ policy: 'unrestricted' });
    expect(document.querySelectorAll('iframe[data-sandcell-session]').length).toBe(before);
    expect((await s.execute('self.origin')).value).toBe(location.origin);
  });
});
