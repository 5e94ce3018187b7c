/**
 * Clear messages for what a policy denies. The wall itself is the browser's — the session's
 * opaque-origin frame and its Content-Security-Policy (lib/host/hosting/frame-host.ts) — so
 * these stand-ins are not a barrier, only a better error than the browser's: a denied API
 * stays defined, and *using* it (calling, constructing, opening) throws a PolicyError that
 * names the setting that would allow it. Everything else behaves as for the real API, so
 * ordinary code keeps working: `typeof fetch`, `x instanceof Worker`, `Worker.prototype`,
 * `WebSocket.OPEN`, feature checks. Each API is replaced on the global object and on every
 * prototype of the global scope that holds it.
 */
import { PolicyError } from '../../errors.ts';
import type { PolicyConfig } from '../../types.ts';

type Setting = keyof PolicyConfig;

/** What each setting guards on the global scope (navigator's members: see NAVIGATOR_GUARDED). */
export const GUARDED: Record<Setting, readonly string[]> = {
  network: ['fetch', 'XMLHttpRequest', 'WebSocket', 'WebSocketStream', 'EventSource', 'WebTransport', 'importScripts'],
  storage: ['indexedDB', 'caches', 'IDBFactory', 'CacheStorage', 'StorageManager', 'FileSystemHandle'],
  workers: ['Worker', 'SharedWorker', 'BroadcastChannel', 'ServiceWorker'],
};

/** Members of `navigator` a setting guards. */
const NAVIGATOR_GUARDED: Record<Setting, readonly string[]> = {
  network: [],
  storage: ['storage', 'storageBuckets'],
  workers: [],
};

/** Denied APIs defined as stand-ins whether or not this browser has them here: using one is a PolicyError, never a ReferenceError. */
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
  'storage',
]);

/** Objects (not functions) among the guarded names: their methods are what throws. */
const OBJECTS = new Set(['indexedDB', 'caches', 'storage', 'storageBuckets']);

function deniedMessage(api: string, setting: Setting): string {
  return `[sandcell] ${api} is blocked by the session policy: it needs { ${setting}: true } (use policy 'unrestricted'${setting === 'network' ? " or 'standard'" : ''}, or a PolicyConfig)`;
}

/**
 * A function or constructor that throws when called or constructed, and is otherwise the
 * original: its prototype, statics and `instanceof` work. The prototype's `constructor` is
 * pointed at the stand-in, so it does not lead back to the original.
 */
function deniedFunction(api: string, setting: Setting, original: unknown): Function {
  const fail = (): never => {
    throw new PolicyError(deniedMessage(api, setting));
  };
  const target = typeof original === 'function' ? original : missingFunction(api);
  const stand = new Proxy(target, { apply: fail, construct: fail });
  const prototype = (target as { prototype?: unknown }).prototype;
  if (typeof prototype === 'object' && prototype !== null && Object.hasOwn(prototype, 'constructor')) {
    try {
      Object.defineProperty(prototype, 'constructor', { value: stand, writable: true, configurable: true });
    } catch {}
  }
  return stand;
}

/** A constructible stand-in for an API this browser lacks here (`new` must reach the PolicyError, not a TypeError). */
function missingFunction(api: string): Function {
  // biome-ignore lint/complexity/useArrowFunction: an arrow function is not constructible
  const fn = function () {};
  Object.defineProperty(fn, 'name', { value: api });
  return fn;
}

/** An object whose methods throw when called; other members read through to the original (if there is one). */
function deniedObject(api: string, setting: Setting, original: unknown): object {
  const target = typeof original === 'object' && original !== null ? original : {};
  const methods = new Map<PropertyKey, Function>();
  return new Proxy(target, {
    get(object, key) {
      if (key === 'then' || typeof key === 'symbol') return Reflect.get(object, key);
      const real = Reflect.get(object, key);
      if (typeof real !== 'function' && original !== undefined) return real;
      let method = methods.get(key);
      if (!method) methods.set(key, (method = deniedFunction(`${api}.${String(key)}`, setting, real)));
      return method;
    },
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

function lookup(holder: object, name: string): { present: boolean; value: unknown } {
  for (let o: object | null = holder; o; o = Object.getPrototypeOf(o)) {
    if (Object.hasOwn(o, name)) return { present: true, value: readOrUndefined(holder, name) };
  }
  return { present: false, value: undefined };
}

/**
 * Firefox's getters for some storage APIs throw (NS_ERROR_FAILURE) in the framed worker,
 * whose origin is opaque: present, but unusable there — denied all the same, with no
 * original to read through to. Without this the read ended the worker's start-up and
 * createSession() never settled (Firefox 153).
 */
function readOrUndefined(holder: object, name: string): unknown {
  try {
    return Reflect.get(holder, name);
  } catch {
    return undefined;
  }
}

function deny(holder: object, name: string, label: string, setting: Setting): boolean {
  const { present, value } = lookup(holder, name);
  if (!present && !ALWAYS_DEFINED.has(name)) return false;
  const stand = OBJECTS.has(name) ? deniedObject(label, setting, value) : deniedFunction(label, setting, value);
  replaceEverywhere(holder, name, stand);
  return true;
}

/** Applies `policy` to the worker's global scope. Returns the names it denied. */
export function applyPolicy(scope: typeof globalThis, policy: PolicyConfig): string[] {
  const deniedNames: string[] = [];
  for (const setting of Object.keys(GUARDED) as Setting[]) {
    if (policy[setting]) continue;
    for (const name of GUARDED[setting]) if (deny(scope, name, name, setting)) deniedNames.push(name);
    const navigator = scope.navigator as unknown as object | undefined;
    if (!navigator) continue;
    for (const name of NAVIGATOR_GUARDED[setting]) {
      if (deny(navigator, name, `navigator.${name}`, setting)) deniedNames.push(`navigator.${name}`);
    }
  }
  return deniedNames;
}
