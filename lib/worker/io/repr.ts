/**
 * Text rendering of any value a cell produces (results, console arguments, `display`, the
 * variable list), the way a console shows it. object-inspect (a small, well-kept inspect
 * library: cycles, symbols, Maps/Sets, typed arrays, functions) writes the text; it is given
 * a bounded, inert copy of the value (repr-view.ts), never the value itself. So rendering is
 * bounded (depth, items per level with `... N more items`, string length, a total) in time
 * that grows with what is shown, and runs none of the value's code: no getters, no
 * `inspect()`, no `toString()`.
 *
 * The engine renders in engine mode (lockdown/intrinsics.ts), so object-inspect's own calls to
 * the shared built-ins reach the originals whatever a cell patched.
 */
import inspect from 'object-inspect';
import { constructorName, isClass } from './repr-brands.ts';
import { boundedView, type ReprLimits } from './repr-view.ts';

export type { ReprLimits } from './repr-view.ts';

/** For results, console arguments and `display()`. */
export const RESULT_LIMITS: ReprLimits = Object.freeze({ depth: 6, items: 100, stringLength: 10_000, chars: 100_000 });

/** For one line of `namespace.list()` and values quoted in error messages. */
export const SUMMARY_LIMITS: ReprLimits = Object.freeze({ depth: 2, items: 20, stringLength: 200, chars: 1_000 });

/**
 * Renders `value` to text; never throws, never runs the value's code (Proxy traps aside).
 * @param value anything.
 * @param limits how much to show (default {@link RESULT_LIMITS}).
 * @returns at most `limits.chars` characters plus a short "more characters" note.
 */
export function repr(value: unknown, limits: ReprLimits = RESULT_LIMITS): string {
  // The copy has no deeper levels than `limits.depth`: object-inspect need not cut it again.
  const options = { depth: Number.POSITIVE_INFINITY, maxStringLength: limits.stringLength, numericSeparator: false };
  const inspectText = (copy: unknown) => inspect(copy, options);
  let text: string;
  try {
    text = inspectText(boundedView(value, limits, inspectText));
  } catch {
    // Only a hostile Proxy gets here (its traps threw at the top level or recursed past the stack).
    text = '[object that could not be inspected]';
  }
  if (text.length <= limits.chars) return text;
  return `${text.slice(0, limits.chars)}… (${text.length - limits.chars} more characters)`;
}

/** A short type name for the variable inspector: 'number', 'Array', 'Map', 'function', 'class', 'null', … Never throws. */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return isClass(value) ? 'class' : 'function';
  if (typeof value !== 'object') return typeof value;
  try {
    return constructorName(value) ?? 'Object';
  } catch {
    return 'object';
  }
}
