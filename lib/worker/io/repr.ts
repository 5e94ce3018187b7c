/**
 * Text rendering of any value a cell produces, by object-inspect (a small, well-kept
 * inspect library that handles cycles, symbols, Maps/Sets, typed arrays and functions).
 * Values whose rendering throws (throwing getters, revoked Proxies, hostile toString)
 * still get a rendering: their tag and why it could not be shown.
 */
import inspect from 'object-inspect';

const MAX_REPR_CHARS = 100_000;

function tagOf(value: unknown): string {
  try {
    return Object.prototype.toString.call(value);
  } catch {
    return '[object Unknown]';
  }
}

/** Renders `value` to text; never throws. */
export function repr(value: unknown): string {
  let text: string;
  try {
    text = inspect(value, { depth: 6, maxStringLength: MAX_REPR_CHARS, numericSeparator: false });
  } catch (error) {
    let why = 'it threw while being inspected';
    try {
      why = `inspecting it threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
    } catch {}
    text = `${tagOf(value)} (${why})`;
  }
  return text.length > MAX_REPR_CHARS
    ? `${text.slice(0, MAX_REPR_CHARS)}… (${text.length - MAX_REPR_CHARS} more characters)`
    : text;
}

/** A short type name for the variable inspector: 'number', 'Array', 'Map', 'function', 'class', 'null', … */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') {
    try {
      return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
    } catch {
      return 'function';
    }
  }
  if (typeof value !== 'object') return typeof value;
  try {
    const proto = Object.getPrototypeOf(value);
    const name = proto?.constructor?.name;
    return typeof name === 'string' && name ? name : 'Object';
  } catch {
    return 'object';
  }
}
