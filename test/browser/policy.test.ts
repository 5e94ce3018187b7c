/** Policies: what 'sandbox' removes stays defined but throws PolicyError naming the setting, through every path. */
import { describe, expect, inject, it } from 'vitest';
import { openSession } from './helpers';

/** [what, setting, expression that uses it]; `G` is the object the API is read from. */
const DENIED: Array<[string, string, string]> = [
  ['fetch', 'network', `await G.fetch('/')`],
  ['XMLHttpRequest', 'network', `new G.XMLHttpRequest()`],
  ['WebSocket', 'network', `new G.WebSocket('ws://localhost:1')`],
  ['EventSource', 'network', `new G.EventSource('/')`],
  ['WebTransport', 'network', `new G.WebTransport('https://localhost:1')`],
  ['importScripts', 'network', `G.importScripts('/x.js')`],
  ['indexedDB', 'storage', `G.indexedDB.open('x')`],
  ['caches', 'storage', `await G.caches.open('x')`],
  ['navigator.storage', 'storage', `await G.navigator.storage.estimate()`],
  ['Worker', 'workers', `new G.Worker('/x.js')`],
  ['SharedWorker', 'workers', `new G.SharedWorker('/x.js')`],
  ['BroadcastChannel', 'workers', `new G.BroadcastChannel('x')`],
];

const ROUTES: Array<[string, string]> = [
  ['self', 'self'],
  ['Object.getPrototypeOf(self)', 'Object.getPrototypeOf(self)'],
  ['self.constructor.prototype', 'self.constructor.prototype'],
  ['globalThis.__proto__', 'globalThis.__proto__'],
  [
    'the top of the prototype chain',
    '(() => { let o = self, last = self; while ((o = Object.getPrototypeOf(o)) && o !== Object.prototype && o !== EventTarget.prototype) last = o; return last })()',
  ],
];

/** Runs \`expression\` with the API read from \`route\`; 'unreachable' when the route does not hold it at all. */
function probe(api: string, expression: string, route: string): string {
  const own = api.includes('.')
    ? 'true'
    : `(() => { for (let o = G; o; o = Object.getPrototypeOf(o)) if (Object.hasOwn(o, '${api}')) return true; return false })()`;
  return `let G = ${route}; let r; if (!${own}) r = 'unreachable'; else try { ${expression.replace(/G\.navigator/, 'navigator')}; r = 'allowed' } catch (e) { r = [e.name, e.message, e instanceof PolicyError] } r`;
}

describe("policy 'sandbox'", () => {
  it.each(DENIED)('%s throws PolicyError naming %s', async (api, setting, expression) => {
    const s = await openSession();
    for (const [, route] of ROUTES) {
      if (api === 'navigator.storage' && route !== 'self') continue;
      const r = await s.execute(probe(api, expression, route));
      // Constructors live on the global object itself, not on its prototypes: nothing to reach there.
      if (r.value === 'unreachable' && route !== 'self') continue;
      expect(r.status, `${api} via ${route}`).toBe('ok');
      const [name, message, isPolicyError] = r.value as [string, string, boolean];
      expect(name, `${api} via ${route}`).toBe('PolicyError');
      expect(isPolicyError).toBe(true);
      expect(message).toContain(`${setting}: true`);
    }
    // Still defined, and of the real API's type, so feature checks see it.
    const seen = await s.execute(api === 'navigator.storage' ? `'storage' in navigator` : `typeof self.${api}`);
    expect(seen.value).toBe(
      api === 'navigator.storage' ? true : ['indexedDB', 'caches'].includes(api) ? 'object' : 'function',
    );
  });

  it('dynamic import() is refused with PolicyError naming network', async () => {
    const s = await openSession();
    const r = await s.execute(`let r; try { await import('/x.js') } catch (e) { r = [e.name, e.message] } r`);
    expect(r.value).toEqual(['PolicyError', expect.stringContaining('network: true')]);
  });

  it('denied APIs cannot be brought back through descriptors or by deleting the stub', async () => {
    const s = await openSession();
    const r = await s.execute(`
      const out = [];
      for (let o = self; o; o = Object.getPrototypeOf(o)) {
        const d = Object.getOwnPropertyDescriptor(o, 'indexedDB');
        if (d) out.push(typeof d.get, d.configurable);
      }
      delete self.fetch; delete Object.getPrototypeOf(self).fetch;
      let f; try { await fetch('/') ; f = 'allowed' } catch (e) { f = e.name }
      [out, f]`);
    expect(r.status).toBe('ok');
    const [descriptors, fetchAfterDelete] = r.value as [unknown[], string];
    expect(descriptors).not.toContain('function');
    expect(fetchAfterDelete).toBe('PolicyError');
  });

  it('a stand-in throws only when used: typeof, instanceof, prototypes and statics behave as for the real API', async () => {
    const s = await openSession();
    const r = await s.execute(`[
      typeof fetch, typeof Worker, typeof indexedDB, typeof indexedDB.open,
      ({}) instanceof Worker, ({}) instanceof BroadcastChannel, ({}) instanceof XMLHttpRequest,
      typeof Worker.prototype.postMessage, WebSocket.OPEN, XMLHttpRequest.DONE,
      Worker.prototype.constructor === Worker, indexedDB instanceof IDBFactory,
    ]`);
    expect(r.status, r.error?.message).toBe('ok');
    expect(r.value).toEqual([
      'function',
      'function',
      'object',
      'function',
      false,
      false,
      false,
      'function',
      1,
      4,
      true,
      true,
    ]);
    const used = await s.execute(`const out = [];
      for (const use of [() => new Worker.prototype.constructor('x'), () => Reflect.construct(BroadcastChannel, ['x']), () => fetch.call(null, '/'), () => indexedDB.open('x'), () => XMLHttpRequest.prototype.constructor()])
        try { use(); out.push('allowed') } catch (e) { out.push(e instanceof PolicyError) }
      out`);
    expect(used.value).toEqual([true, true, true, true, true]);
  });

  it('a denied call in a later cell after an error still throws PolicyError', async () => {
    const s = await openSession();
    await s.execute('throw new Error("x")');
    const r = await s.execute(`let e; try { new Worker('/x.js') } catch (x) { e = x.name } e`);
    expect(r.value).toBe('PolicyError');
  });
});

describe("policy 'standard' and 'unrestricted'", () => {
  it("fetch works under 'standard' while storage stays denied", async () => {
    const s = await openSession({ policy: 'standard' });
    // The session's origin is opaque: only a server that answers with CORS headers can be read.
    const r = await s.execute(
      `const res = await fetch('${inject('loopback')}/t/standard/x'); [res.status, await res.text()]`,
    );
    expect(r.status).toBe('ok');
    expect(r.value).toEqual([200, 'x']);
    const storage = await s.execute(`let e; try { indexedDB.open('x') } catch (x) { e = x.name } e`);
    expect(storage.value).toBe('PolicyError');
  });

  it("'unrestricted' hands back storage and workers", async () => {
    const s = await openSession({ policy: 'unrestricted' });
    const r = await s.execute(`[typeof indexedDB.open, new BroadcastChannel('x') instanceof EventTarget]`);
    expect(r.value).toEqual(['function', true]);
  });

  it('a PolicyConfig picks settings one by one', async () => {
    const s = await openSession({ policy: { network: false, storage: true, workers: false } });
    const r = await s.execute(`let n; try { await fetch('/') } catch (e) { n = e.name } [n, typeof indexedDB.open]`);
    expect(r.value).toEqual(['PolicyError', 'function']);
  });
});
