/**
 * Lockdown by policy, before any user code runs: what the policy denies stays defined
 * (so feature checks still see it) but throws PolicyError naming the setting that would
 * allow it. Each API is replaced on the global object and on every prototype of the
 * global scope that holds it, so `Object.getPrototypeOf(self).fetch` is the stub too.
 */
import { PolicyError } from '../../errors.ts';
import type { PolicyConfig } from '../../types.ts';

type Setting = keyof PolicyConfig;

/** What each setting guards. `navigator.storage` is handled apart (it lives on the navigator). */
export const GUARDED: Record<Setting, readonly string[]> = {
  network: ['fetch', 'XMLHttpRequest', 'WebSocket', 'WebSocketStream', 'EventSource', 'WebTransport', 'importScripts'],
  storage: [
    'indexedDB',
    'caches',
    'IDBFactory',
    'CacheStorage',
    'StorageManager',
    'FileSystemHandle',
    'storageBuckets',
  ],
  workers: ['Worker', 'SharedWorker', 'BroadcastChannel', 'ServiceWorker'],
};

/** Denied APIs defined as stubs whether or not the browser has them. */
const ALWAYS_DEFINED = new Set([
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'EventSource',
  'WebTransport',
  'importScripts',
  'indexedDB',
  'caches',
  'Worker',
  'SharedWorker',
  'BroadcastChannel',
]);

function deniedMessage(api: string, setting: Setting): string {
  return `[sandcell] ${api} is blocked by the session policy: it needs { ${setting}: true } (use policy 'unrestricted'${setting === 'network' ? " or 'standard'" : ''}, or a PolicyConfig)`;
}

/** A stand-in that throws on call, construct and any property access. */
function denied(api: string, setting: Setting): unknown {
  const fail = () => {
    throw new PolicyError(deniedMessage(api, setting));
  };
  const target = function blocked() {};
  return new Proxy(target, {
    apply: fail,
    construct: fail,
    get: (_t, key) => {
      if (key === Symbol.toPrimitive || key === 'toString') return () => `function ${api}() { [blocked by policy] }`;
      if (key === 'name') return api;
      return fail();
    },
    set: () => true,
    getPrototypeOf: () => Function.prototype,
    has: () => false,
    ownKeys: () => Reflect.ownKeys(target),
    getOwnPropertyDescriptor: (t, key) => Reflect.getOwnPropertyDescriptor(t, key),
    defineProperty: () => false,
  });
}

function replaceEverywhere(scope: object, name: string, value: unknown): void {
  let holder: object | null = scope;
  while (holder) {
    if (Object.hasOwn(holder, name)) {
      try {
        Object.defineProperty(holder, name, { value, writable: false, configurable: false, enumerable: false });
      } catch {
        // A non-configurable original: overwrite if writable, else it cannot be reached anyway.
        try {
          (holder as Record<string, unknown>)[name] = value;
        } catch {}
      }
    }
    holder = Object.getPrototypeOf(holder);
  }
  if (!Object.hasOwn(scope, name)) {
    try {
      Object.defineProperty(scope, name, { value, writable: false, configurable: false, enumerable: false });
    } catch {}
  }
}

/** Applies `policy` to the worker global. Returns the names it denied. */
export function applyPolicy(scope: typeof globalThis, policy: PolicyConfig): string[] {
  const deniedNames: string[] = [];
  for (const setting of Object.keys(GUARDED) as Setting[]) {
    if (policy[setting]) continue;
    for (const name of GUARDED[setting]) {
      let present = false;
      for (let o: object | null = scope; o; o = Object.getPrototypeOf(o)) if (Object.hasOwn(o, name)) present = true;
      // The APIs the contract names stay defined even where this browser lacks them (SharedWorker
      // in a dedicated worker, say): a denied call is a PolicyError, never a ReferenceError.
      if (!present && !ALWAYS_DEFINED.has(name)) continue;
      replaceEverywhere(scope, name, denied(name, setting));
      deniedNames.push(name);
    }
    if (setting === 'storage') {
      const nav = scope.navigator as unknown as object | undefined;
      if (nav) {
        replaceEverywhere(nav, 'storage', denied('navigator.storage', 'storage'));
        deniedNames.push('navigator.storage');
      }
    }
  }
  return deniedNames;
}
