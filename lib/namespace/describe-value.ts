/**
 * How error messages name a value they got: `got -5`, `got "sandbx"`, `got an array`,
 * `got a Map`. One place for it, so every message of the SDK says it the same way.
 *
 * Pure and dependency-free, so both sides use it: the page (option checks) and the worker
 * (what a cell threw, what it passed). Safe on hostile values: it runs no getter and no
 * `toString` of theirs (only a Proxy's traps may run), and a revoked Proxy still gets a
 * description.
 */

/** Strings are quoted up to this many characters, then cut with `…`. */
const MAX_QUOTED = 60;

/**
 * The value itself for a primitive, its kind for anything else.
 *
 * @param value - anything
 * @returns `-5`, `"text"`, `12n`, `undefined`, `Symbol(x)`, `null`, or {@link describeKind}'s
 *   answer for objects and functions
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const cut = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value;
      return JSON.stringify(cut);
    }
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return symbolText(value);
    default:
      return describeKind(value);
  }
}

/**
 * What kind of value it is, with its article: `a string`, `a number`, `null`, `undefined`,
 * `a function`, `a class`, `an array`, `an object` (plain), `a Map`, `a Point` (an instance).
 *
 * @param value - anything
 * @returns the kind, ready to follow "got" or "threw"
 */
export function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return isClass(value) ? 'a class' : 'a function';
  if (typeof value !== 'object') return withArticle(typeof value);
  try {
    if (Array.isArray(value)) return 'an array';
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null || proto === Object.prototype) return 'an object';
    const name = constructorName(proto);
    return name === undefined || name === 'Object' ? 'an object' : withArticle(name);
  } catch {
    // A revoked Proxy throws on every question.
    return 'an object';
  }
}

function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** The `constructor.name` found on a prototype, read as data (a getter is not run). */
function constructorName(proto: unknown): string | undefined {
  if (typeof proto !== 'object' || proto === null) return undefined;
  const ctor = Object.getOwnPropertyDescriptor(proto, 'constructor')?.value;
  if (typeof ctor !== 'function') return undefined;
  const name = Object.getOwnPropertyDescriptor(ctor, 'name')?.value;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function isClass(fn: Function): boolean {
  try {
    return /^class[\s{]/.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}

function symbolText(symbol: symbol): string {
  try {
    return Symbol.prototype.toString.call(symbol);
  } catch {
    return 'a symbol';
  }
}
