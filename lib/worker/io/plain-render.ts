/**
 * Plain data rendered on the worker's hot path: the text `repr` (object-inspect, under the
 * intrinsics guard) gives a primitive, or an array or object of them a few levels deep, made
 * here without the guard — nearly every result and console argument is such a value.
 */
import {
  ArrayIsArray,
  ArrayPrototype,
  ObjectHasOwn,
  ObjectPrototype,
  ReflectGetOwnPropertyDescriptor,
  ReflectGetPrototypeOf,
  ReflectOwnKeys,
  ReflectSetPrototypeOf,
  StringCtor,
  StringPrototypeCharCodeAt,
  StringPrototypeSlice,
  SymbolPrototypeToString,
} from '../../primordials.ts';

/** Past these, a value is not "plain" and object-inspect (under the guard) renders it. */
const PLAIN_DEPTH = 3;
/** repr shows at most 100 items per level (RESULT_LIMITS): past that, its text says how many more. */
const PLAIN_ITEMS = 100;
const PLAIN_CHARS = 10_000;
const HEX = '0123456789ABCDEF';

/**
 * The text object-inspect gives `value` (with repr's options), for plain data only:
 * primitives, and arrays and objects of them up to a few levels, with the built-in
 * prototypes, own enumerable data properties, no symbols, no custom `inspect` — nearly
 * every result and console argument. Anything else gives undefined and goes to `repr`.
 *
 * It runs where a cell's patches are in force (results, console calls), so it reads only
 * own descriptors (no getter runs) and calls only primordials. What `repr` would render
 * differently because a cell patched a prototype (an inherited `inspect` or
 * `Symbol.toStringTag`) it ignores, as `repr` does on the engine's pristine built-ins.
 */
export function renderPlain(value: unknown): string | undefined {
  const budget = { __proto__: null, items: 0, chars: 0 } as unknown as { items: number; chars: number };
  try {
    return plain(value, 0, budget);
  } catch {
    // A proxy's trap threw (or a revoked proxy): repr says so.
    return undefined;
  }
}

function plain(value: unknown, depth: number, budget: { items: number; chars: number }): string | undefined {
  switch (typeof value) {
    case 'string':
      budget.chars += value.length;
      return budget.chars > PLAIN_CHARS ? undefined : quote(value);
    case 'number':
      return value === 0 ? (1 / value > 0 ? '0' : '-0') : StringCtor(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return `${StringCtor(value)}n`;
    case 'symbol':
      return SymbolPrototypeToString(value);
    case 'function':
      return undefined;
  }
  if (value === null) return 'null';
  if (depth >= PLAIN_DEPTH || ++budget.items > PLAIN_ITEMS) return undefined;
  const object = value as Record<PropertyKey, unknown>;
  const proto = ReflectGetPrototypeOf(object);
  const keys = ReflectOwnKeys(object);
  let text = '';
  if (ArrayIsArray(object)) {
    if (proto !== ArrayPrototype) return undefined;
    const length = object.length as number;
    // Indices 0…length-1 and `length`, nothing else: no holes, no extra keys.
    if (keys.length !== length + 1 || length > PLAIN_ITEMS) return undefined;
    if (length === 0) return '[]';
    for (let i = 0; i < length; i++) {
      const item = ownData(object, i);
      if (item === NOT_PLAIN) return undefined;
      const rendered = plain(item, depth + 1, budget);
      if (rendered === undefined) return undefined;
      text = i === 0 ? rendered : `${text}, ${rendered}`;
    }
    return `[ ${text} ]`;
  }
  if (proto !== ObjectPrototype || keys.length > PLAIN_ITEMS) return undefined;
  let shown = 0;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    if (typeof key === 'symbol' || key === 'inspect') return undefined;
    const descriptor = ReflectGetOwnPropertyDescriptor(object, key) as PropertyDescriptor;
    ReflectSetPrototypeOf(descriptor, null);
    if (!ObjectHasOwn(descriptor, 'value')) {
      if (descriptor.enumerable) return undefined;
      continue;
    }
    if (!descriptor.enumerable) continue;
    const rendered = plain(descriptor.value, depth + 1, budget);
    if (rendered === undefined) return undefined;
    const entry = `${isWordKey(key) ? key : quote(key)}: ${rendered}`;
    text = shown++ === 0 ? entry : `${text}, ${entry}`;
  }
  return shown === 0 ? '{}' : `{ ${text} }`;
}

const NOT_PLAIN = { __proto__: null };

/** An own, enumerable data property's value, or NOT_PLAIN (an accessor would run code). */
function ownData(object: object, key: PropertyKey): unknown {
  const descriptor = ReflectGetOwnPropertyDescriptor(object, key);
  if (descriptor === undefined) return NOT_PLAIN;
  ReflectSetPrototypeOf(descriptor, null);
  return ObjectHasOwn(descriptor, 'value') && descriptor.enumerable ? descriptor.value : NOT_PLAIN;
}

/** object-inspect prints a key bare when it has no character outside `[A-Za-z0-9_$]`. */
function isWordKey(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const c = StringPrototypeCharCodeAt(key, i);
    const word =
      (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c === 36; /* $ */
    if (!word) return false;
  }
  return true;
}

/** object-inspect's single-quoted string: `'` and `\` escaped, control characters as \n or \xHH. */
function quote(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = StringPrototypeCharCodeAt(text, i);
    let escaped: string;
    if (c === 39 || c === 92) escaped = c === 39 ? "\\'" : '\\\\';
    else if (c < 0x20) {
      escaped =
        c === 8
          ? '\\b'
          : c === 9
            ? '\\t'
            : c === 10
              ? '\\n'
              : c === 12
                ? '\\f'
                : c === 13
                  ? '\\r'
                  : `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
    } else continue;
    out = `${out}${StringPrototypeSlice(text, from, i)}${escaped}`;
    from = i + 1;
  }
  return `'${from === 0 ? text : `${out}${StringPrototypeSlice(text, from)}`}'`;
}
