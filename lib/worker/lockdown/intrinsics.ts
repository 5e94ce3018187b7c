/**
 * The engine's built-ins, kept apart from what user code does to them.
 *
 * Cells share one realm with the engine, and the engine (RPC, namespace, repr, snapshot
 * encoding, the compiler) calls methods of the shared built-ins everywhere: a cell that sets
 * `Array.prototype.map`, `Promise.prototype.then` or a getter on `Object.prototype.then`
 * would otherwise run inside the engine and forge or break every later cell. Capturing each
 * method the engine and its libraries use is not feasible (Comlink, acorn, object-inspect…),
 * so the guard works on property descriptors instead:
 *
 *   startup        record the descriptors of the intrinsics below (before any user code)
 *   enter engine   diff the live descriptors against the record; stash each difference
 *                  as the user's overlay and put the original back (patches removed,
 *                  additions such as `Object.prototype.then` deleted)
 *   enter user     re-apply the overlay, so a polyfill keeps working in the user's code
 *
 * Trade-off: user code sees its own patches only while user code runs (cells, their awaits,
 * their timers); the engine never sees them. Code that the engine itself calls back (a getter
 * read while encoding a snapshot) sees the pristine built-ins. Each switch costs one diff of
 * roughly two thousand descriptors, which is why the hot paths (console on strings, the
 * interrupt check) do not switch. A property the user redefines as non-configurable cannot
 * be put back; the engine then keeps running on it (documented in the threat model).
 */

/* Captured at module load, before any user code exists. Calling a captured function does
   not look anything up on a prototype, so these stay the originals whatever cells do. */
const apply = Reflect.apply;
const ownKeys = Reflect.ownKeys;
const getOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
const defineProperty = Reflect.defineProperty;
const deleteProperty = Reflect.deleteProperty;
const getPrototypeOf = Reflect.getPrototypeOf;
const setPrototypeOf = Reflect.setPrototypeOf;
const sameValue = Object.is;
const hasOwn = Object.hasOwn;
const MapCtor = Map;
const mapGet = Map.prototype.get;
const mapSet = Map.prototype.set;
const mapHas = Map.prototype.has;
const promiseThen = Promise.prototype.then;
const promiseResolve = Promise.resolve.bind(Promise);

/**
 * An own descriptor with no prototype: defineProperty reads `get`/`set`/`value` with
 * inherited lookups, so a cell's `Object.prototype.get` would otherwise corrupt it.
 */
function describe(target: object, key: PropertyKey): PropertyDescriptor | undefined {
  const descriptor = getOwnPropertyDescriptor(target, key);
  if (descriptor) setPrototypeOf(descriptor, null);
  return descriptor;
}

/** Appends without `push` or an indexed write (either can hit a setter a cell put on a prototype). */
function append<T>(list: T[], item: T): void {
  defineProperty(list, list.length, {
    __proto__: null,
    value: item,
    writable: true,
    enumerable: true,
    configurable: true,
  } as PropertyDescriptor);
}

/** `Reflect.apply` as it was at startup. */
export const applyPristine = apply;

/** `promise.then(ok, err)` through the original `then`, whatever the cell did to `Promise.prototype`. */
export function thenPristine<T>(value: unknown, ok: (value: T) => void, err: (reason: unknown) => void): void {
  apply(promiseThen, promiseResolve(value), [ok, err]);
}

interface Guarded {
  target: object;
  /** Original own descriptors, by key (array of pairs: iteration must not touch Map's patchable iterator). */
  keys: PropertyKey[];
  descriptors: Map<PropertyKey, PropertyDescriptor>;
  /** Whether keys added later are removed in engine mode (prototypes, namespaces); false for the global object, where user variables live. */
  closed: boolean;
}

/** Names on the global object the engine reads as free variables. */
const GLOBAL_NAMES = [
  'Object',
  'Function',
  'Array',
  'Promise',
  'JSON',
  'Reflect',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'String',
  'Number',
  'Boolean',
  'Symbol',
  'BigInt',
  'Math',
  'Date',
  'RegExp',
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Uint8Array',
  'Int32Array',
  'Uint32Array',
  'Float64Array',
  'Atomics',
  'Proxy',
  'TextEncoder',
  'TextDecoder',
  'MessagePort',
  'MessageChannel',
  'EventTarget',
  'Event',
  'MessageEvent',
  'structuredClone',
  'queueMicrotask',
  'performance',
  'parseInt',
  'parseFloat',
  'isNaN',
  'isFinite',
  'encodeURIComponent',
  'decodeURIComponent',
  'escape',
  'unescape',
  'eval',
  'globalThis',
  'self',
  'undefined',
  'NaN',
  'Infinity',
] as const;

/** Intrinsics whose own properties (and prototypes') the engine relies on. */
function intrinsicObjects(scope: typeof globalThis): object[] {
  const objects: object[] = [];
  const add = (value: unknown) => {
    if ((typeof value === 'object' && value !== null) || typeof value === 'function') {
      if (!objects.includes(value as object)) objects.push(value as object);
    }
  };
  const record = scope as unknown as Record<string, unknown>;
  for (const name of GLOBAL_NAMES) {
    const value = record[name];
    if (name === 'globalThis' || name === 'self' || name === 'eval') continue;
    add(value);
    if (typeof value === 'function') add((value as { prototype?: unknown }).prototype);
  }
  add(record.Performance && (record.Performance as { prototype: unknown }).prototype);
  // Prototypes reachable only through instances: iterators, generators, typed arrays.
  const arrayIterator = getPrototypeOf([][Symbol.iterator]());
  add(arrayIterator);
  add(arrayIterator && getPrototypeOf(arrayIterator));
  add(getPrototypeOf(new Map().entries()));
  add(getPrototypeOf(new Set().values()));
  add(getPrototypeOf(''[Symbol.iterator]()));
  add(getPrototypeOf(/a/g[Symbol.matchAll]('')));
  const generator = getPrototypeOf(function* () {});
  add(generator);
  add(generator && (generator as { prototype?: unknown }).prototype);
  const asyncFunction = getPrototypeOf(async () => {});
  add(asyncFunction);
  const typedArray = getPrototypeOf(Uint8Array);
  add(typedArray);
  add(typedArray && (typedArray as { prototype?: unknown }).prototype);
  return objects;
}

/**
 * Whether the live descriptor `current` (ordinary prototype: its reads must stick to own
 * fields, or a cell's `Object.prototype.get` would leak in) matches the recorded `original`
 * (null prototype). Data descriptors always own value/writable, accessors own get/set.
 */
function same(current: PropertyDescriptor | undefined, original: PropertyDescriptor): boolean {
  if (current === undefined) return false;
  if (current.enumerable !== original.enumerable || current.configurable !== original.configurable) return false;
  if (hasOwn(current, 'value')) {
    // SameValue, not ===: the global NaN and Number.NaN would otherwise always look changed.
    return 'value' in original && sameValue(current.value, original.value) && current.writable === original.writable;
  }
  return 'get' in original && current.get === original.get && current.set === original.set;
}

/** Switches the shared built-ins between the engine's originals and the user's patches. */
export class IntrinsicsGuard {
  private readonly guarded: Guarded[] = [];
  /** The user's version of each changed property (undefined: the user deleted it). */
  private overlay: Array<{ target: object; key: PropertyKey; descriptor: PropertyDescriptor | undefined }> = [];
  private inEngine = true;
  /** User frames on the stack (cells and callbacks the engine called). */
  private userDepth = 0;
  /** While an async cell is pending, the resting state between events is the user's. */
  private restingUser = false;
  /** Set once a built-in could not be put back: the engine can no longer trust this realm. */
  broken = false;

  /**
   * Records the built-ins as they are now: call before any user code runs.
   * @param onBroken called once when a patched built-in cannot be restored (the cell made it
   *   non-configurable, or froze its object); the caller ends the worker — failing closed.
   */
  constructor(
    scope: typeof globalThis,
    private readonly onBroken: (what: string) => void = () => {},
  ) {
    for (const target of intrinsicObjects(scope)) this.record(target, ownKeys(target), true);
    this.record(
      scope,
      GLOBAL_NAMES.filter((name) => getOwnPropertyDescriptor(scope, name) !== undefined),
      false,
    );
  }

  private record(target: object, keys: PropertyKey[], closed: boolean): void {
    const descriptors = new MapCtor<PropertyKey, PropertyDescriptor>();
    const kept: PropertyKey[] = [];
    for (const key of keys) {
      const descriptor = describe(target, key);
      if (!descriptor) continue;
      apply(mapSet, descriptors, [key, descriptor]);
      append(kept, key);
    }
    append(this.guarded, { target, keys: kept, descriptors, closed });
  }

  /** Puts the originals back, stashing what user code changed. Always diffs: user code may have run in engine mode. */
  enterEngine(): void {
    const fresh = !this.inEngine;
    const overlay: IntrinsicsGuard['overlay'] = fresh ? [] : this.overlay;
    for (let g = 0; g < this.guarded.length; g++) {
      const { target, keys, descriptors, closed } = this.guarded[g];
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k];
        const original = apply(mapGet, descriptors, [key]) as PropertyDescriptor;
        // No null prototype on this hot read: setPrototypeOf costs more than the whole compare.
        const current = getOwnPropertyDescriptor(target, key);
        if (same(current, original)) continue;
        if (current) setPrototypeOf(current, null);
        append(overlay, { target, key, descriptor: current });
        if ((current && !deleteProperty(target, key)) || !defineProperty(target, key, original)) this.fail(key);
      }
      if (!closed) continue;
      const present = ownKeys(target);
      if (present.length === keys.length) continue;
      for (let k = 0; k < present.length; k++) {
        const key = present[k];
        if (apply(mapHas, descriptors, [key])) continue;
        append(overlay, { target, key, descriptor: describe(target, key) });
        if (!deleteProperty(target, key)) this.fail(key);
      }
    }
    this.overlay = overlay;
    this.inEngine = true;
  }

  /** Engine work cannot go on over a built-in the user pinned down: stop everything. */
  private fail(key: PropertyKey): never {
    const what = typeof key === 'symbol' ? 'a symbol-keyed built-in' : `built-in property '${key}'`;
    if (!this.broken) {
      this.broken = true;
      this.onBroken(what);
    }
    throw new Error(`[sandcell] the cell made ${what} impossible to restore; the worker stops`);
  }

  /** Re-applies the user's patches. */
  enterUser(): void {
    if (!this.inEngine) return;
    const overlay = this.overlay;
    for (let i = 0; i < overlay.length; i++) {
      const { target, key, descriptor } = overlay[i];
      deleteProperty(target, key);
      if (descriptor) defineProperty(target, key, descriptor);
    }
    this.inEngine = false;
  }

  /** Runs user code the engine calls (a cell's synchronous part, a timer callback) with the user's patches; back to the engine after. */
  user<T>(fn: () => T): T {
    const wasEngine = this.inEngine;
    this.enterUser();
    this.userDepth++;
    try {
      return fn();
    } finally {
      this.userDepth--;
      if (wasEngine) this.enterEngine();
    }
  }

  /** Runs engine work (an event, or a call from user code into the engine) on the originals; back to the user's patches when user code is what continues. */
  engine<T>(fn: () => T): T {
    this.enterEngine();
    try {
      return fn();
    } finally {
      if (this.userDepth > 0 || this.restingUser) this.enterUser();
    }
  }

  /** An async cell started (true) or settled (false): between events, the cell's continuations run with the user's patches. */
  setRestingUser(resting: boolean): void {
    this.restingUser = resting;
    if (!resting) this.enterEngine();
  }

  /** Wraps an engine function so calls from user code run on the originals. */
  wrapEngine<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const guard = this;
    return function engineCall(this: unknown, ...args: A): R {
      return guard.engine(() => apply(fn, this, args) as R);
    };
  }
}

/** What the engine's modules need of the guard. */
export type EngineGuard = Pick<IntrinsicsGuard, 'user' | 'engine' | 'setRestingUser' | 'wrapEngine'>;

/** A guard that does nothing: the default outside a worker (unit tests in Node). */
export const NO_GUARD: EngineGuard = {
  user: (fn) => fn(),
  engine: (fn) => fn(),
  setRestingUser: () => {},
  wrapEngine: (fn) => fn,
};

let active: EngineGuard = NO_GUARD;

/**
 * Makes `guard` the one every engine module uses. The worker entry calls it once, before it
 * builds the runtime; a module-level slot keeps the console, display, input and host-call
 * factories free of an extra parameter threaded through the runtime.
 */
export function installGuard(guard: EngineGuard): void {
  active = guard;
}

/** The guard installed by the worker entry (a no-op one elsewhere). */
export function engineGuard(): EngineGuard {
  return active;
}
