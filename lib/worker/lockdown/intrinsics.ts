/**
 * The engine's built-ins on its cold paths, kept apart from what user code does to them.
 *
 * The hot path (RPC, running a cell, the interrupt check, output, the namespace hooks,
 * building and sending a result) calls only built-ins captured at load (lib/primordials.ts)
 * and never switches anything. What cannot work that way — acorn and magic-string on a
 * cache miss, object-inspect for values that are not plain data, trace-mapping for error
 * positions, the snapshot format, idb-keyval — runs under this guard, which works on
 * property descriptors:
 *
 *   startup        record the descriptors of the intrinsics below (before any user code)
 *   engine(fn)     diff the live descriptors against the record; stash each difference as
 *                  the user's overlay and put the original back (patches removed, additions
 *                  such as `Object.prototype.then` deleted); run fn; re-apply the overlay
 *
 * At rest the user's patches are in force, so a polyfill keeps working in the user's code
 * (cells, their awaits, their timers) and nothing is paid per cell. Each engine() costs one
 * diff of roughly a thousand descriptors. A cell that makes a guarded property
 * non-configurable, or a guarded object non-extensible, would leave nothing to put back:
 * `watchPins` stops the worker at that very call (failing closed), and a pin made some other
 * way is caught by the next diff.
 */

import { SafeMap, TypeErrorCtor } from '../../primordials.ts';

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
  /** Guarded objects, by target: which keys a cell must not pin (all of them for closed ones). */
  private readonly byTarget = new SafeMap<object, Guarded>();
  /** The user's version of each changed property (undefined: the user deleted it). */
  private overlay: Array<{ target: object; key: PropertyKey; descriptor: PropertyDescriptor | undefined }> = [];
  /** Whether the originals are in place now. At rest they are not: user code sees its own patches. */
  private inEngine = false;
  /** Nested engine() calls: only the outermost switches. */
  private depth = 0;
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
    const guarded = { target, keys: kept, descriptors, closed };
    append(this.guarded, guarded);
    this.byTarget.set(target, guarded);
  }

  /**
   * Whether making `key` of `target` non-configurable (or, with no key, making `target`
   * non-extensible) would pin something the engine must be able to put back.
   */
  pins(target: unknown, key?: PropertyKey): boolean {
    if ((typeof target !== 'object' || target === null) && typeof target !== 'function') return false;
    const guarded = this.byTarget.get(target);
    if (guarded === undefined) return false;
    if (key === undefined) return true;
    return guarded.closed || apply(mapHas, guarded.descriptors, [key]) === true;
  }

  /** Puts the originals back, stashing what user code changed. Always diffs: user code may have run in engine mode. */
  private enterEngine(): void {
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
  fail(key: PropertyKey | undefined): never {
    const what =
      key === undefined
        ? 'a built-in object'
        : typeof key === 'symbol'
          ? 'a symbol-keyed built-in'
          : `built-in property '${key}'`;
    if (!this.broken) {
      this.broken = true;
      this.onBroken(what);
    }
    throw new TypeErrorCtor(`[sandcell] the cell made ${what} impossible to restore; the worker stops`);
  }

  /** Re-applies the user's patches. */
  private enterUser(): void {
    if (!this.inEngine) return;
    const overlay = this.overlay;
    for (let i = 0; i < overlay.length; i++) {
      const { target, key, descriptor } = overlay[i];
      deleteProperty(target, key);
      if (descriptor) defineProperty(target, key, descriptor);
    }
    this.inEngine = false;
  }

  /**
   * Runs cold engine work — anything that calls code written for the shared built-ins
   * (acorn, magic-string, object-inspect, the snapshot format) — on the originals, and puts
   * the user's patches back after. Costs a diff of every guarded property: never on the hot path.
   */
  engine<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.enterEngine();
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      this.enterUser();
    }
  }

  /**
   * Runs user code the engine calls while the originals are in place (a getter read by cold
   * work, which then calls back into a wrapped engine function), with the user's patches.
   */
  user<T>(fn: () => T): T {
    if (!this.inEngine) return fn();
    const depth = this.depth;
    this.depth = 0;
    this.enterUser();
    try {
      return fn();
    } finally {
      this.depth = depth;
      this.enterEngine();
    }
  }

  /** Wraps a cold engine function so calls from user code run on the originals. */
  wrapEngine<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const guard = this;
    return function engineCall(this: unknown, ...args: A): R {
      return guard.engine(() => apply(fn, this, args) as R);
    };
  }
}

/** What the engine's modules need of the guard. */
export type EngineGuard = Pick<IntrinsicsGuard, 'user' | 'engine' | 'wrapEngine'>;

/** A guard that does nothing: the default outside a worker (unit tests in Node). */
export const NO_GUARD: EngineGuard = {
  user: (fn) => fn(),
  engine: (fn) => fn(),
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

/**
 * The seven built-ins that can make a property non-configurable or an object
 * non-extensible (`Object.defineProperty/defineProperties/freeze/seal/preventExtensions`,
 * `Reflect.defineProperty/preventExtensions`) are replaced, before the guard records
 * anything, by versions that first ask `pins(target, key?)` whether the change would pin a
 * guarded built-in; if so `fail()` stops the worker at that call, before the cell can go on
 * (a pin is what would leave the guard nothing to put back). Everything else passes through
 * unchanged. Each descriptor is read once, as the language reads it (inherited fields and
 * getters included), and the original is handed that copy: what was checked is what is defined.
 */
export function watchPins(
  scope: typeof globalThis,
  pins: (target: unknown, key?: PropertyKey) => boolean,
  fail: () => never,
): void {
  const ObjectRef = scope.Object;
  const ReflectRef = scope.Reflect;
  const originalDefine = ObjectRef.defineProperty;
  const originalReflectDefine = ReflectRef.defineProperty;
  const originalDefineProperties = ObjectRef.defineProperties;
  const originalFreeze = ObjectRef.freeze;
  const originalSeal = ObjectRef.seal;
  const originalPreventExtensions = ObjectRef.preventExtensions;
  const originalReflectPreventExtensions = ReflectRef.preventExtensions;
  const TypeErrorCtor = TypeError;
  const FIELDS = ['enumerable', 'configurable', 'value', 'writable', 'get', 'set'] as const;

  /** ToPropertyDescriptor, once: a prototype-less copy with the fields `attributes` has. */
  const readDescriptor = (attributes: unknown): PropertyDescriptor => {
    if ((typeof attributes !== 'object' || attributes === null) && typeof attributes !== 'function') {
      throw new TypeErrorCtor('Property description must be an object');
    }
    const copy = { __proto__: null } as unknown as Record<string, unknown>;
    for (let i = 0; i < FIELDS.length; i++) {
      const field = FIELDS[i];
      if (field in (attributes as object)) copy[field] = (attributes as Record<string, unknown>)[field];
    }
    return copy as PropertyDescriptor;
  };
  /** Whether defining `descriptor` on `target[key]` leaves a guarded property non-configurable that was not. */
  const pinsProperty = (target: unknown, key: PropertyKey, descriptor: PropertyDescriptor): boolean => {
    if (!pins(target, key)) return false;
    const current = getOwnPropertyDescriptor(target as object, key);
    if (current !== undefined && current.configurable === false) return false;
    return hasOwn(descriptor, 'configurable') ? !descriptor.configurable : current === undefined;
  };
  const toKey = (key: unknown): PropertyKey => (typeof key === 'symbol' ? key : `${key as string}`);
  const replacements = {
    defineProperty(target: object, key: PropertyKey, attributes: PropertyDescriptor): object {
      const property = toKey(key);
      const descriptor = readDescriptor(attributes);
      if (pinsProperty(target, property, descriptor)) fail();
      return originalDefine(target, property, descriptor);
    },
    defineProperties(target: object, properties: PropertyDescriptorMap): object {
      const source = ObjectRef(properties) as Record<PropertyKey, unknown>;
      const keys = ownKeys(source);
      const descriptors = { __proto__: null } as unknown as Record<PropertyKey, PropertyDescriptor>;
      for (let i = 0; i < keys.length; i++) {
        const own = getOwnPropertyDescriptor(source, keys[i]);
        if (own === undefined || !own.enumerable) continue;
        descriptors[keys[i]] = readDescriptor(source[keys[i]]);
      }
      const named = ownKeys(descriptors);
      for (let i = 0; i < named.length; i++) {
        if (pinsProperty(target, named[i], descriptors[named[i]])) fail();
      }
      return originalDefineProperties(target, descriptors);
    },
    freeze<T>(target: T): T {
      if (pins(target)) fail();
      return originalFreeze(target);
    },
    seal<T>(target: T): T {
      if (pins(target)) fail();
      return originalSeal(target);
    },
    preventExtensions<T>(target: T): T {
      if (pins(target)) fail();
      return originalPreventExtensions(target);
    },
  };
  const reflectReplacements = {
    defineProperty(target: object, key: PropertyKey, attributes: PropertyDescriptor): boolean {
      const property = toKey(key);
      const descriptor = readDescriptor(attributes);
      if (pinsProperty(target, property, descriptor)) fail();
      return originalReflectDefine(target, property, descriptor);
    },
    preventExtensions(target: object): boolean {
      if (pins(target)) fail();
      return originalReflectPreventExtensions(target);
    },
  };
  for (const [holder, table] of [
    [ObjectRef, replacements],
    [ReflectRef, reflectReplacements],
  ] as const) {
    for (const name of ownKeys(table)) {
      const existing = getOwnPropertyDescriptor(holder, name) as PropertyDescriptor;
      defineProperty(holder, name, { ...existing, value: (table as Record<PropertyKey, unknown>)[name] });
    }
  }
}
