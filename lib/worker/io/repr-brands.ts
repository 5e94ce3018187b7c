/**
 * What a value is, asked without running any of its code: brand checks through built-in
 * methods captured when this module loaded (a Map's `size` getter throws for anything but a
 * Map), own property descriptors instead of reads (a getter is reported, never called), and
 * names taken only from data properties. The one way user code still runs is a Proxy's
 * traps; callers catch what they throw.
 */

const apply = Reflect.apply;
const describe = Reflect.getOwnPropertyDescriptor;
const prototypeOf = Reflect.getPrototypeOf;
const functionToString = Function.prototype.toString;
const stringSlice = String.prototype.slice;
const charCodeAt = String.prototype.charCodeAt;
const isErrorBrand = (Error as { isError?: (value: unknown) => boolean }).isError;
const objectToString = Object.prototype.toString;

/** Prototype hops followed before giving up (a chain of Proxies can be made endless). */
const MAX_HOPS = 100;

function getter(target: object, key: PropertyKey): (this: unknown) => unknown {
  return describe(target, key)?.get as (this: unknown) => unknown;
}

const mapSize = getter(Map.prototype, 'size');
const setSize = getter(Set.prototype, 'size');
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const mapIteratorNext = (prototypeOf(new Map().entries()) as Iterator<unknown>).next;
const setIteratorNext = (prototypeOf(new Set().values()) as Iterator<unknown>).next;
const weakMapHas = WeakMap.prototype.has;
const weakSetHas = WeakSet.prototype.has;
const weakRefDeref = typeof WeakRef === 'function' ? WeakRef.prototype.deref : undefined;
const dateGetTime = Date.prototype.getTime;
const typedArrayPrototype = prototypeOf(Uint8Array.prototype) as object;
const typedArrayName = getter(typedArrayPrototype, Symbol.toStringTag);
const typedArrayLength = getter(typedArrayPrototype, 'length');
const regExpSource = getter(RegExp.prototype, 'source');
/** Each flag's own getter: `flags` reads them through lookups an instance can shadow. */
const regExpFlags: Array<[string, (this: unknown) => unknown]> = [];
for (const [flag, name] of [
  ['d', 'hasIndices'],
  ['g', 'global'],
  ['i', 'ignoreCase'],
  ['m', 'multiline'],
  ['s', 'dotAll'],
  ['u', 'unicode'],
  ['v', 'unicodeSets'],
  ['y', 'sticky'],
] as const) {
  const read = describe(RegExp.prototype, name)?.get;
  if (read) regExpFlags.push([flag, read as (this: unknown) => unknown]);
}
const primitiveValueOf: Array<(this: unknown) => unknown> = [
  Number.prototype.valueOf,
  String.prototype.valueOf,
  Boolean.prototype.valueOf,
  BigInt.prototype.valueOf,
  Symbol.prototype.valueOf,
];

function branded(brand: (this: unknown, ...args: never[]) => unknown, value: object, args: unknown[] = []): boolean {
  try {
    apply(brand, value, args);
    return true;
  } catch {
    return false;
  }
}

/** A property's own `value`, undefined for an accessor or a missing property (nothing inherited is read). */
export function ownData(value: object, key: PropertyKey): unknown {
  const descriptor = describe(value, key);
  if (!descriptor) return undefined;
  const own = describe(descriptor, 'value');
  return own ? own.value : undefined;
}

/** The value of the first data property `key` along the prototype chain; an accessor there ends the search. */
export function inheritedData(value: object, key: PropertyKey): unknown {
  for (let target: object | null = value, hops = 0; target !== null && hops < MAX_HOPS; hops++) {
    if (describe(target, key)) return ownData(target, key);
    target = prototypeOf(target);
  }
  return undefined;
}

/** A function's own `name` when it is a string data property, else ''. */
export function functionName(fn: object): string {
  const name = ownData(fn, 'name');
  return typeof name === 'string' ? name : '';
}

/** The name of the nearest `constructor` data property along the chain, when it names a function. */
export function constructorName(value: object): string | undefined {
  for (let proto = prototypeOf(value), hops = 0; proto !== null && hops < MAX_HOPS; hops++) {
    if (describe(proto, 'constructor')) {
      const ctor = ownData(proto, 'constructor');
      const name = typeof ctor === 'function' ? functionName(ctor) : '';
      return name === '' ? undefined : name;
    }
    proto = prototypeOf(proto);
  }
  return undefined;
}

/** Whether `fn`'s source starts with the `class` keyword. */
export function isClass(fn: unknown): boolean {
  try {
    const source = apply(functionToString, fn, []) as string;
    if (apply(stringSlice, source, [0, 5]) !== 'class') return false;
    const next = apply(charCodeAt, source, [5]) as number;
    // A space, `{`, a tab, a line break or a comment.
    return next === 32 || next === 123 || next === 9 || next === 10 || next === 13 || next === 47;
  } catch {
    return false;
  }
}

export function mapSizeOf(value: object): number | undefined {
  try {
    return apply(mapSize, value, []) as number;
  } catch {
    return undefined;
  }
}

export function setSizeOf(value: object): number | undefined {
  try {
    return apply(setSize, value, []) as number;
  } catch {
    return undefined;
  }
}

/** Steps through a Map's entries or a Set's values with the captured iterators (a cell may patch `entries`). */
export function collectionIterator(value: object, isMap: boolean): () => IteratorResult<unknown> {
  const iterator = apply(isMap ? mapEntries : setValues, value, []);
  const next = isMap ? mapIteratorNext : setIteratorNext;
  return () => apply(next, iterator, []) as IteratorResult<unknown>;
}

export function weakKind(value: object): 'WeakMap' | 'WeakSet' | 'WeakRef' | undefined {
  if (branded(weakMapHas, value, [{}])) return 'WeakMap';
  if (branded(weakSetHas, value, [{}])) return 'WeakSet';
  if (weakRefDeref && branded(weakRefDeref, value)) return 'WeakRef';
  return undefined;
}

/** A Date's time value (NaN for an invalid date), or undefined for anything else. */
export function dateTime(value: object): number | undefined {
  try {
    return apply(dateGetTime, value, []) as number;
  } catch {
    return undefined;
  }
}

export function regExpParts(value: object): { source: string; flags: string } | undefined {
  let source: string;
  try {
    source = apply(regExpSource, value, []) as string;
  } catch {
    return undefined;
  }
  let flags = '';
  for (const [flag, read] of regExpFlags) {
    try {
      if (apply(read, value, [])) flags += flag;
    } catch {
      // RegExp.prototype itself: its flag getters answer undefined, not a brand error.
    }
  }
  return { source, flags };
}

/** The primitive a Number, String, Boolean, BigInt or Symbol wrapper holds; `found` false for anything else. */
export function boxedPrimitive(value: object): { found: boolean; primitive?: unknown } {
  for (const unwrap of primitiveValueOf) {
    try {
      return { found: true, primitive: apply(unwrap, value, []) };
    } catch {}
  }
  return { found: false };
}

/** A typed array's kind ('Uint8Array', …) and length, or undefined (a DataView or anything else). */
export function typedArrayInfo(value: object): { kind: string; length: number } | undefined {
  const kind = apply(typedArrayName, value, []) as string | undefined;
  if (kind === undefined) return undefined;
  return { kind, length: apply(typedArrayLength, value, []) as number };
}

/** Whether `value` is an Error (has the engine's error slot), without reading a `Symbol.toStringTag` getter. */
export function isErrorObject(value: object): boolean {
  if (isErrorBrand) return isErrorBrand(value) === true;
  // Engines without Error.isError (Node 20): Object.prototype.toString tells, but it reads
  // Symbol.toStringTag, so it is asked only when no such property exists along the chain.
  for (let target: object | null = value, hops = 0; target !== null && hops < MAX_HOPS; hops++) {
    if (describe(target, Symbol.toStringTag)) return false;
    target = prototypeOf(target);
  }
  return apply(objectToString, value, []) === '[object Error]';
}
