/**
 * The bounded, inert copy of a value that `repr` hands to object-inspect.
 *
 * object-inspect renders whatever it is given, all of it: it reads every property (calling
 * getters), calls an object's own `inspect()`, walks every key of a 100,000-row array and
 * renders a shared subtree once per reference (a 100-wide, 6-deep tree of one shared array
 * is 10^12 leaves). So it is never given the user's value. It is given this copy instead:
 *
 *   - bounded: at most `items` entries per container, `depth` levels, and a character budget
 *     for the whole; what is left out is counted in a `... N more items` note. Building it
 *     costs what is shown, not what the value holds.
 *   - inert: made of fresh arrays, plain objects, Maps, Sets, Dates…, read from own property
 *     descriptors and captured brand checks (repr-brands.ts). A getter becomes `[Getter]`;
 *     no `inspect()`, `toString()` or getter of the value ever runs. A Proxy's traps are the
 *     one way in; what they throw is caught and shown.
 *   - a tree: every reference is copied on its own (so the budget counts each one), and a
 *     reference back to a container being copied becomes `[Circular]`.
 *
 * What object-inspect cannot express (a getter, a cut, a "more" note, a function, which it
 * would otherwise render from the copy) is a marker: an object whose `inspect()` returns
 * the text. object-inspect calls `inspect()`, and in a copy only markers have one (a copied
 * function-valued property is itself a marker, an object).
 */
import {
  boxedPrimitive,
  collectionIterator,
  constructorName,
  dateTime,
  functionName,
  inheritedData,
  isErrorObject,
  mapSizeOf,
  ownData,
  regExpParts,
  setSizeOf,
  typedArrayInfo,
  weakKind,
} from './repr-brands.ts';

/** How much of a value is shown. */
export interface ReprLimits {
  /** Nesting levels shown; deeper containers read `[Object]`, `[Array]`. */
  depth: number;
  /** Items (array elements, properties, Map/Set entries) shown per container. */
  items: number;
  /** Characters shown of one string. */
  stringLength: number;
  /** Characters of the whole text (then `… (N more characters)`). */
  chars: number;
}

/** Renders a (bounded, inert) copy with the caller's object-inspect options. */
export type InspectText = (copy: unknown) => string;

interface Marker {
  inspect(): string;
}

const ownKeys = Reflect.ownKeys;
const describe = Reflect.getOwnPropertyDescriptor;
const defineProperty = Reflect.defineProperty;
const prototypeOf = Reflect.getPrototypeOf;
const isArray = Array.isArray;
const ObjectPrototype = Object.prototype;
const createObject = Object.create;
const StringOf = String;
const theGlobal = globalThis;
const weakRefTarget = {};

/** The typed array constructors, by the name their `Symbol.toStringTag` getter gives. */
const TYPED_ARRAYS: Record<string, new (length: number) => Record<number, unknown>> = createObject(null);
for (const name of [
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]) {
  const ctor = (globalThis as unknown as Record<string, unknown>)[name];
  if (typeof ctor === 'function') TYPED_ARRAYS[name] = ctor as (typeof TYPED_ARRAYS)[string];
}

/** Characters charged for a container's brackets and separators. */
const CONTAINER_COST = 4;
/** Keys left over whose descriptors are still read to count the hidden ones out of `... N more properties`. */
const MAX_COUNTED_KEYS = 1000;
/** Characters held back per level for closing brackets and `... N more items` notes. */
const CLOSING_COST = 40;
/** Probes spent looking for the end of runs of holes, per item shown (a 10^9-long empty array is one run). */
const PROBES_PER_ITEM = 100;

interface ViewState {
  limits: ReprLimits;
  /** Characters still allowed; containers stop adding entries once it is spent. */
  remaining: number;
  /** Hole probes left for the whole value. */
  probes: number;
  /** The containers being copied, outermost first: a reference back to one is `[Circular]`. */
  ancestors: object[];
  inspectText: InspectText;
  /** Stand-in prototypes by constructor name and tag, so a 100-row table of Points makes one. */
  standIns: Map<string, object>;
}

/**
 * The bounded, inert copy of `value` (see the module comment).
 * @param value anything; its code is never called (Proxy traps aside).
 * @param limits how much of it to keep.
 * @param inspectText object-inspect with the caller's options, for markers that render part of the copy.
 * @throws only what a Proxy trap throws at the top level (nested failures become markers).
 */
export function boundedView(value: unknown, limits: ReprLimits, inspectText: InspectText): unknown {
  const state: ViewState = {
    limits,
    // What closes the containers still open when the budget runs out (brackets, notes) is held back.
    remaining: limits.chars - limits.depth * CLOSING_COST,
    probes: limits.items * PROBES_PER_ITEM,
    ancestors: [],
    inspectText,
    standIns: new Map(),
  };
  return view(value, 0, state);
}

function marker(text: string): Marker {
  return { inspect: () => text };
}

function view(value: unknown, depth: number, state: ViewState): unknown {
  if (typeof value === 'string') {
    state.remaining -= (value.length < state.limits.stringLength ? value.length : state.limits.stringLength) + 2;
    // A long string goes through object-inspect on its own, so its `maxStringLength` cuts it
    // wherever it sits (object-inspect drops the option for Map keys).
    return value.length > state.limits.stringLength ? { inspect: () => state.inspectText(value) } : value;
  }
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    state.remaining -= 8;
    return value;
  }
  if (value === theGlobal) return marker('{ [object globalThis] }');
  const ancestors = state.ancestors;
  for (let i = 0; i < ancestors.length; i++) if (ancestors[i] === value) return marker('[Circular]');
  state.remaining -= CONTAINER_COST;
  ancestors.push(value);
  try {
    return typeof value === 'function' ? functionView(value, depth, state) : objectView(value, depth, state);
  } catch {
    return marker(`[${typeof value === 'function' ? 'function' : 'object'} that threw while inspected]`);
  } finally {
    ancestors.pop();
  }
}

function functionView(fn: object, depth: number, state: ViewState): Marker {
  const name = truncate(functionName(fn), 200);
  const head = name ? `[Function: ${name}]` : '[Function (anonymous)]';
  if (depth >= state.limits.depth) return marker(head);
  const props = {};
  const { shown, rest } = copyProperties(fn, props, depth, state, isFunctionOwn);
  if (shown === 0 && rest === 0) return marker(head);
  return {
    inspect: () => {
      const text = state.inspectText(props);
      return `${head} ${rest === 0 ? text : withMore(text, shown, rest, 'properties')}`;
    },
  };
}

function objectView(value: object, depth: number, state: ViewState): unknown {
  if (depth >= state.limits.depth) return marker(isArray(value) ? '[Array]' : '[Object]');
  if (isArray(value)) return arrayView(value, depth, state);
  const typed = typedArrayInfo(value);
  if (typed) return typedArrayView(value, typed.kind, typed.length, state);
  const mapSize = mapSizeOf(value);
  if (mapSize !== undefined) return collectionView(value, true, mapSize, depth, state);
  const setSize = setSizeOf(value);
  if (setSize !== undefined) return collectionView(value, false, setSize, depth, state);
  const weak = weakKind(value);
  if (weak === 'WeakMap') return new WeakMap();
  if (weak === 'WeakSet') return new WeakSet();
  if (weak === 'WeakRef') return new WeakRef(weakRefTarget);
  const time = dateTime(value);
  if (time !== undefined) return new Date(time);
  const regExp = regExpParts(value);
  if (regExp) return new RegExp(regExp.source, regExp.flags);
  const boxed = boxedPrimitive(value);
  if (boxed.found) return Object(boxed.primitive);
  if (isErrorObject(value)) return errorView(value, depth, state);
  return plainView(value, depth, state);
}

function arrayView(array: unknown[], depth: number, state: ViewState): unknown[] {
  const { items } = state.limits;
  const lengthValue = ownData(array, 'length');
  const length = typeof lengthValue === 'number' ? lengthValue : 0;
  const copy: unknown[] = [];
  let i = 0;
  let shown = 0;
  while (i < length && shown < items && state.remaining > 0) {
    const descriptor = describe(array, i);
    shown++;
    state.remaining -= 2;
    if (descriptor) {
      append(copy, slotView(descriptor, depth, state));
      i++;
      continue;
    }
    // A run of holes is one item; finding its end costs a probe per hole, from a bounded supply.
    let holes = 1;
    while (i + holes < length && state.probes > 0 && !describe(array, i + holes)) {
      holes++;
      state.probes--;
    }
    append(copy, marker(`<${holes} empty item${holes === 1 ? '' : 's'}>`));
    i += holes;
    if (state.probes <= 0) break;
  }
  if (i < length) {
    append(copy, marker(moreNote(length - i, 'items')));
  } else if (length <= items) {
    // Only a short array's other keys are looked for: listing a long one's keys costs its length.
    const { rest } = copyProperties(array, copy, depth, state, isArrayOwn);
    if (rest > 0) append(copy, marker(moreNote(rest, 'properties')));
  }
  return copy;
}

function typedArrayView(value: object, kind: string, length: number, state: ViewState): unknown {
  let shown = length < state.limits.items ? length : state.limits.items;
  const affordable = state.remaining > 0 ? Math.ceil(state.remaining / 4) : 0;
  if (shown > affordable) shown = affordable;
  const Kind = TYPED_ARRAYS[kind];
  if (!Kind) return marker(`${kind}(${length})`);
  const copy = new Kind(shown);
  // A real typed array (its slot answered the brand check): reading an index runs no user code.
  for (let i = 0; i < shown; i++) copy[i] = (value as Record<number, unknown>)[i];
  state.remaining -= shown * 4;
  if (shown === length) return copy;
  return { inspect: () => withMore(state.inspectText(copy), shown, length - shown, 'items') };
}

function collectionView(value: object, isMap: boolean, size: number, depth: number, state: ViewState): unknown {
  const copy = isMap ? new Map<unknown, unknown>() : new Set<unknown>();
  const next = collectionIterator(value, isMap);
  let shown = 0;
  while (shown < size && shown < state.limits.items && state.remaining > 0) {
    // The iterator's result and entry are fresh objects: their fields are own data properties.
    const step = next();
    if (step.done) break;
    if (isMap) {
      const pair = step.value as [unknown, unknown];
      (copy as Map<unknown, unknown>).set(view(pair[0], depth + 1, state), view(pair[1], depth + 1, state));
    } else {
      (copy as Set<unknown>).add(view(step.value, depth + 1, state));
    }
    shown++;
    state.remaining -= 4;
  }
  if (shown >= size) return copy;
  // object-inspect writes `Map (<size of the copy>) {a => b, c => d}`: the true size and a note go in.
  const kind = isMap ? 'Map' : 'Set';
  return {
    inspect: () => {
      const body = state.inspectText(copy).slice(`${kind} (${shown}) {`.length, -1);
      return `${kind} (${size}) {${body}${body === '' ? '' : ', '}${moreNote(size - shown, 'items')}}`;
    },
  };
}

function errorView(value: object, depth: number, state: ViewState): unknown {
  const copy = new Error();
  const name = inheritedData(value, 'name');
  const message = inheritedData(value, 'message');
  const nameText = typeof name === 'string' ? truncate(name, 200) : (constructorName(value) ?? 'Error');
  const messageText =
    typeof message === 'string'
      ? truncate(message, 1000)
      : typeof message === 'number' || typeof message === 'boolean' || typeof message === 'bigint'
        ? StringOf(message)
        : '';
  put(copy, 'name', nameText, false);
  put(copy, 'message', messageText, false);
  const cause = describe(value, 'cause');
  if (cause && !cause.enumerable) put(copy, 'cause', slotView(cause, depth, state), false);
  const { shown, rest } = copyProperties(value, copy, depth, state, isErrorOwn);
  if (rest === 0) return copy;
  return {
    inspect: () => {
      const text = state.inspectText(copy);
      // object-inspect writes `[Error: m]` for an error without keys, `{ [Error: m] k: v }` with.
      return shown === 0 ? `{ ${text} ${moreNote(rest, 'properties')} }` : withMore(text, shown, rest, 'properties');
    },
  };
}

function plainView(value: object, depth: number, state: ViewState): unknown {
  const proto = prototypeOf(value);
  const copy: object =
    proto === null ? createObject(null) : proto === ObjectPrototype ? {} : createObject(standIn(value, state));
  const { shown, rest } = copyProperties(value, copy, depth, state, isNothing);
  if (rest === 0) return copy;
  return { inspect: () => withMore(state.inspectText(copy), shown, rest, 'properties') };
}

/**
 * The prototype of a copied instance: its own `constructor` (a fresh function named like the
 * original's) and `Symbol.toStringTag` (when the original's is a data property) are all
 * object-inspect reads to write `Point {…}` or `Promise [Promise] {}`.
 */
function standIn(value: object, state: ViewState): object {
  const name = constructorName(value);
  const rawTag = inheritedData(value, Symbol.toStringTag);
  const tag = typeof rawTag === 'string' ? truncate(rawTag, 100) : undefined;
  const key = `${name ?? ''}\u0000${tag ?? '\u0000'}`;
  let proto = state.standIns.get(key);
  if (proto) return proto;
  proto = createObject(null) as object;
  if (name !== undefined) {
    const ctor = () => {};
    defineProperty(ctor, 'name', { __proto__: null, value: truncate(name, 200) } as PropertyDescriptor);
    put(proto, 'constructor', ctor, false);
  }
  if (tag !== undefined) put(proto, Symbol.toStringTag, tag, false);
  state.standIns.set(key, proto);
  return proto;
}

const isNothing = (_key: PropertyKey): boolean => false;
const isFunctionOwn = (key: PropertyKey): boolean => key === 'prototype';
const isArrayOwn = (key: PropertyKey): boolean => key === 'length' || (typeof key === 'string' && isIndex(key));
const isErrorOwn = (key: PropertyKey): boolean => key === 'stack';

/**
 * Copies the first enumerable own properties of `source` not `skipped` onto `copy`, within
 * the items limit and the budget. Non-enumerable ones stay hidden, as consoles hide them.
 * @returns how many were copied and how many enumerable ones were left out.
 */
function copyProperties(
  source: object,
  copy: object,
  depth: number,
  state: ViewState,
  skipped: (key: PropertyKey) => boolean,
): { shown: number; rest: number } {
  const keys = ownKeys(source);
  let shown = 0;
  let rest = 0;
  for (let i = 0; i < keys.length; i++) {
    const full = shown >= state.limits.items || state.remaining <= 0;
    // Counting what is left exactly reads a descriptor per key: for many keys, the keys are counted.
    if (full && keys.length - i > MAX_COUNTED_KEYS) return { shown, rest: rest + keys.length - i };
    const key = keys[i];
    if (skipped(key)) continue;
    const descriptor = describe(source, key);
    if (!descriptor?.enumerable) continue;
    if (full) {
      rest++;
      continue;
    }
    const label = typeof key === 'string' ? truncate(key, state.limits.stringLength) : key;
    state.remaining -= (typeof label === 'string' ? label.length : 20) + 2;
    put(copy, label, slotView(descriptor, depth, state));
    shown++;
  }
  return { shown, rest };
}

/** What a property shows: a copy of its value, or which accessors it has (never called). */
function slotView(descriptor: PropertyDescriptor, depth: number, state: ViewState): unknown {
  // Own fields only: a missing `value` would otherwise be looked up on Object.prototype.
  const get = describe(descriptor, 'get');
  const set = describe(descriptor, 'set');
  if (!get && !set) {
    const value = describe(descriptor, 'value');
    return view(value ? value.value : undefined, depth + 1, state);
  }
  const getter = get?.value !== undefined;
  const setter = set?.value !== undefined;
  return marker(getter && setter ? '[Getter/Setter]' : getter ? '[Getter]' : setter ? '[Setter]' : 'undefined');
}

/** A data property on a copy (defineProperty: a key such as `__proto__` must not set anything). */
function put(target: object, key: PropertyKey, value: unknown, enumerable = true): void {
  defineProperty(target, key, {
    __proto__: null,
    value,
    writable: true,
    enumerable,
    configurable: true,
  } as PropertyDescriptor);
}

function append(list: unknown[], value: unknown): void {
  put(list, list.length, value);
}

function moreNote(count: number, plural: 'items' | 'properties'): string {
  const noun = count === 1 ? (plural === 'items' ? 'item' : 'property') : plural;
  return `... ${count} more ${noun}`;
}

/**
 * object-inspect's text of a container with `shown` entries (`X { a: 1 }`, `X {}`) with a
 * `... N more` note as its last entry.
 */
function withMore(text: string, shown: number, rest: number, plural: 'items' | 'properties'): string {
  const note = moreNote(rest, plural);
  return shown === 0 ? `${text.slice(0, -2)}{ ${note} }` : `${text.slice(0, -2)}, ${note} }`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A canonical array index ('0', '17', not '01' or '-1'). */
function isIndex(key: string): boolean {
  if (key.length === 0 || key.length > 10) return false;
  if (key === '0') return true;
  const first = key.charCodeAt(0);
  if (first < 49 || first > 57) return false;
  for (let i = 1; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return +key < 4294967295;
}
