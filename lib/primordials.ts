/**
 * The built-ins as they were when sandcell loaded ("primordials", as Node.js core calls
 * them). Cells share one realm with the engine and may patch anything shared — methods on
 * prototypes, globals such as `Map` or `JSON`, even getters and setters on
 * `Object.prototype` or `Array.prototype` for keys the engine happens to read or write. The
 * engine's hot path (RPC, running a cell, the interrupt check, output, the namespace hooks,
 * building and sending a result) therefore calls only what this module captured at load,
 * before any user code existed, and follows a few rules no lint can fully check:
 *
 * - methods are called uncurried (`MapGet(map, key)`) or through the Safe* classes, whose
 *   prototypes hold their own copies; never `x.method()` on a shared prototype;
 * - no iteration protocol (`for…of`, spread, array destructuring): it calls `next` on a
 *   shared iterator prototype;
 * - objects the engine builds and reads back have no prototype (`{ __proto__: null, … }`),
 *   or are read only through own properties they certainly have: a missing property is
 *   looked up on `Object.prototype`, where a cell can put a getter;
 * - lists the engine appends to have no prototype either (see `list()`): `push` and `a[n] = x`
 *   look for a setter on `Array.prototype` first;
 * - values are turned into text only when they are primitives (`String(object)` calls the
 *   object's own `toString`).
 *
 * What cannot follow these rules (acorn, magic-string, object-inspect and the engine's own
 * cold paths) runs under the descriptor guard instead (see lockdown/intrinsics.ts).
 */

const FunctionPrototypeCall = Function.prototype.call;
const FunctionPrototypeBind = Function.prototype.bind;

/**
 * `uncurryThis(Array.prototype.join)(list, ',')` is `list.join(',')` as it was at load: a
 * bound `call` of the original method, so nothing is looked up at call time.
 */
const uncurryThis = FunctionPrototypeBind.bind(FunctionPrototypeCall) as <T, A extends unknown[], R>(
  fn: (this: T, ...args: A) => R,
) => (self: T, ...args: A) => R;

/** The getter of an accessor property, uncurried. */
function getter<T, R>(target: object, key: PropertyKey): (self: T) => R {
  const descriptor = Reflect.getOwnPropertyDescriptor(target, key) as PropertyDescriptor;
  return uncurryThis(descriptor.get as (this: T) => R);
}

export const ReflectApply = Reflect.apply;
export const ReflectConstruct = Reflect.construct;
export const ReflectDefineProperty = Reflect.defineProperty;
export const ReflectDeleteProperty = Reflect.deleteProperty;
export const ReflectGet = Reflect.get;
export const ReflectSet = Reflect.set;
export const ReflectHas = Reflect.has;
export const ReflectGetOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor;
export const ReflectGetPrototypeOf = Reflect.getPrototypeOf;
export const ReflectSetPrototypeOf = Reflect.setPrototypeOf;
export const ReflectOwnKeys = Reflect.ownKeys;

export const ObjectCtor = Object;
export const ObjectPrototype = Object.prototype;
export const ObjectDefineProperty = Object.defineProperty;
export const ObjectFreeze = Object.freeze;
export const ObjectIsFrozen = Object.isFrozen;
export const ObjectKeys = Object.keys;
export const ObjectHasOwn = Object.hasOwn;
export const ObjectIs = Object.is;

export const ArrayIsArray = Array.isArray;
export const ArrayPrototype = Array.prototype;
export const ArrayPrototypeSlice = uncurryThis(Array.prototype.slice) as <T>(
  self: readonly T[],
  start?: number,
  end?: number,
) => T[];

export const StringCtor = String;
export const StringPrototypeSlice = uncurryThis(String.prototype.slice);
export const StringPrototypeCharCodeAt = uncurryThis(String.prototype.charCodeAt);
export const StringPrototypeIndexOf = uncurryThis(String.prototype.indexOf);
export const StringPrototypeStartsWith = uncurryThis(String.prototype.startsWith);
export const StringPrototypeRepeat = uncurryThis(String.prototype.repeat);
export const NumberIsInteger = Number.isInteger;
export const MathImul = Math.imul;
export const NumberPrototypeToString = uncurryThis(Number.prototype.toString);
export const BigIntPrototypeToString = uncurryThis(BigInt.prototype.toString);
export const SymbolPrototypeToString = uncurryThis(Symbol.prototype.toString);
export const FunctionPrototypeToString = uncurryThis(Function.prototype.toString);
export const RegExpPrototypeExec = uncurryThis(RegExp.prototype.exec);

export const JSONStringify = JSON.stringify;
export const JSONParse = JSON.parse;

export const ErrorCtor = Error;
export const TypeErrorCtor = TypeError;
export const RangeErrorCtor = RangeError;
export const SyntaxErrorCtor = SyntaxError;
export const ProxyCtor = Proxy;
export const Int32ArrayCtor = Int32Array;
export const Uint8ArrayCtor = Uint8Array;

export const PromiseCtor = Promise;
export const PromisePrototype = Promise.prototype;
const PromisePrototypeThen = uncurryThis(Promise.prototype.then) as (
  self: Promise<unknown>,
  ok: (value: unknown) => void,
  err: (reason: unknown) => void,
) => Promise<unknown>;

export const AtomicsLoad = Atomics.load;
export const AtomicsStore = Atomics.store;
export const AtomicsWait = Atomics.wait;
export const AtomicsCompareExchange = Atomics.compareExchange;

export const structuredClonePristine: (value: unknown) => unknown = structuredClone;

/** `performance.now()` as it was at load (bound: one frame, no allocation per call). */
export const now: () => number = FunctionPrototypeBind.call(performance.now, performance) as () => number;

const MapPrototype = Map.prototype;
const SetPrototype = Set.prototype;
const WeakMapPrototype = WeakMap.prototype;
const WeakSetPrototype = WeakSet.prototype;
export const MapPrototypeGetSize = getter<Map<unknown, unknown>, number>(MapPrototype, 'size');

/** Copies `names` of `from` onto `to` as non-writable own properties (accessors stay accessors). */
function own(to: object, from: object, names: readonly string[]): void {
  for (let i = 0; i < names.length; i++) {
    const descriptor = ReflectGetOwnPropertyDescriptor(from, names[i]) as PropertyDescriptor;
    ReflectSetPrototypeOf(descriptor, null);
    if ('value' in descriptor) descriptor.writable = false;
    descriptor.configurable = false;
    ReflectDefineProperty(to, names[i], descriptor);
  }
}

/**
 * A Map whose methods are its own copies of the originals: `safe.get(k)` cannot reach a
 * patched `Map.prototype.get`. Iterate with `forEach` (the iterators' `next` is shared).
 * The constructor takes no entries: `new Map(entries)` calls the shared `set`.
 */
export class SafeMap<K, V> extends Map<K, V> {
  // biome-ignore lint/complexity/noUselessConstructor: the public signature takes no entries (see above).
  constructor() {
    super();
  }
}
own(SafeMap.prototype, MapPrototype, ['get', 'set', 'has', 'delete', 'clear', 'forEach', 'size']);
ObjectFreeze(SafeMap.prototype);
ObjectFreeze(SafeMap);

/** A Set with its own copies of the methods (see {@link SafeMap}). */
export class SafeSet<T> extends Set<T> {
  // biome-ignore lint/complexity/noUselessConstructor: the public signature takes no items.
  constructor() {
    super();
  }
}
own(SafeSet.prototype, SetPrototype, ['add', 'has', 'delete', 'clear', 'forEach', 'size']);
ObjectFreeze(SafeSet.prototype);
ObjectFreeze(SafeSet);

/** A WeakMap with its own copies of the methods. */
export class SafeWeakMap<K extends WeakKey, V> extends WeakMap<K, V> {
  // biome-ignore lint/complexity/noUselessConstructor: the public signature takes no entries.
  constructor() {
    super();
  }
}
own(SafeWeakMap.prototype, WeakMapPrototype, ['get', 'set', 'has', 'delete']);
ObjectFreeze(SafeWeakMap.prototype);
ObjectFreeze(SafeWeakMap);

/** A WeakSet with its own copies of the methods. */
export class SafeWeakSet<T extends WeakKey> extends WeakSet<T> {
  // biome-ignore lint/complexity/noUselessConstructor: the public signature takes no items.
  constructor() {
    super();
  }
}
own(SafeWeakSet.prototype, WeakSetPrototype, ['add', 'has', 'delete']);
ObjectFreeze(SafeWeakSet.prototype);
ObjectFreeze(SafeWeakSet);

/**
 * An empty list with no prototype: `list[list.length] = x` then defines the element
 * instead of looking for a setter on `Array.prototype`. Still an array (`Array.isArray`,
 * `length`, structured clone sends it as one).
 */
export function list<T>(): T[] {
  const made: T[] = [];
  ReflectSetPrototypeOf(made, null);
  return made;
}

/**
 * Gives a finished list {@link list} made its array prototype back, for code on the cold
 * path that iterates it (`for…of`, spread, `map`): only once nothing appends to it any more.
 */
export function asArray<T>(target: T[]): T[] {
  ReflectSetPrototypeOf(target, ArrayPrototype);
  return target;
}

/** Appends to a list made by {@link list} (or any array whose missing indices cannot hit a setter). */
export function append<T>(target: T[], item: T): void {
  target[target.length] = item;
}

/** Own property `key` of `value`, or undefined: never a value inherited from a prototype a cell may have patched. */
export function ownField(value: unknown, key: PropertyKey): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const descriptor = ReflectGetOwnPropertyDescriptor(value, key);
  return descriptor !== undefined && ObjectHasOwn(descriptor, 'value') ? descriptor.value : undefined;
}

/**
 * Calls `ok` or `err` when `promise` (one the engine made, or an async cell's) settles,
 * without running any code a cell can define: `then` is the original, and an own
 * `constructor` stops it from looking up `Promise.prototype.constructor` (a species
 * constructor a cell could install).
 */
export function whenSettled(
  promise: Promise<unknown>,
  ok: (value: unknown) => void,
  err: (reason: unknown) => void,
): void {
  ReflectDefineProperty(promise, 'constructor', { __proto__: null, value: undefined } as PropertyDescriptor);
  PromisePrototypeThen(promise, ok, err);
}

/** Whether `value` is a promise the engine itself made (its prototype was never a cell's to change). */
export function isEnginePromise(value: unknown): value is Promise<unknown> {
  return typeof value === 'object' && value !== null && ReflectGetPrototypeOf(value) === PromisePrototype;
}
