/**
 * Merge strategies for `NamespaceHandle.set` (see API.md): pure decisions about
 * which names to write with which values. The worker applies the plan; nothing
 * here touches a scope.
 */

import type { MergeStrategy } from '../types.ts';
import { describeValue } from './describe-value.ts';

const STRATEGIES: readonly string[] = ['overwrite', 'preserve', 'smart'];

/** What is currently bound to a name. `value` is only meaningful when `present`. */
export interface ExistingBinding {
  present: boolean;
  value?: unknown;
}

/** Whether to write a name, and with what. */
export interface MergeDecision {
  write: boolean;
  value?: unknown;
}

/**
 * The namespace a merge writes into, read-only: which names are bound, and to what.
 * A `Map` is one; for a plain record use {@link recordView} (a record cannot be told
 * apart from a merge target by shape: a user may well have variables called `has` and `get`).
 */
export interface MergeTarget {
  has(name: string): boolean;
  get(name: string): unknown;
}

/**
 * Checks that a value is a merge strategy.
 *
 * @param strategy - the value passed by the caller
 * @throws TypeError naming the value when it is not 'overwrite', 'preserve' or 'smart'
 */
export function assertMergeStrategy(strategy: unknown): asserts strategy is MergeStrategy {
  if (typeof strategy !== 'string' || !STRATEGIES.includes(strategy)) {
    throw new TypeError(
      `[sandcell] strategy must be 'overwrite', 'preserve' or 'smart', got ${describeValue(strategy)} — pass one of those or leave it out for 'overwrite'`,
    );
  }
}

/**
 * Whether a value is a plain object: its prototype is `Object.prototype` (of
 * any realm) or `null`. Arrays, class instances, Maps, Dates… are not.
 *
 * @param value - any value
 * @returns true for `{}`-literals, `Object.create(null)` and the like
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return true;
  // Values posted from another realm (an iframe, the host page) carry that realm's Object.prototype.
  return (
    Object.getPrototypeOf(proto) === null &&
    Object.prototype.toString.call(value) === '[object Object]' &&
    typeof (proto as { constructor?: unknown }).constructor === 'function' &&
    (proto as { constructor: { name: string } }).constructor.name === 'Object'
  );
}

/**
 * Decides one name.
 *
 * @param existing - whether the name is bound now, and to what
 * @param incoming - the value the caller wants to set
 * @param strategy - 'overwrite' replaces; 'preserve' writes only absent names;
 *   'smart' keeps the existing value when `incoming` is `undefined`/`null`, merges
 *   two plain objects one level deep (incoming keys win, into a new object), and
 *   otherwise replaces
 * @returns `{ write: false }` to leave the name alone, or `{ write: true, value }`
 * @throws TypeError for an unknown strategy
 */
export function mergeValue(existing: ExistingBinding, incoming: unknown, strategy: MergeStrategy): MergeDecision {
  assertMergeStrategy(strategy);
  switch (strategy) {
    case 'overwrite':
      return { write: true, value: incoming };
    case 'preserve':
      return existing.present ? { write: false } : { write: true, value: incoming };
    case 'smart': {
      if (!existing.present) return { write: true, value: incoming };
      if (incoming === undefined || incoming === null) return { write: false };
      if (isPlainObject(existing.value) && isPlainObject(incoming)) {
        return { write: true, value: mergeShallow(existing.value, incoming) };
      }
      return { write: true, value: incoming };
    }
  }
}

/**
 * Plans a whole `set`: exactly the names to write and their values.
 *
 * @param current - the namespace now (a `Map`, or {@link recordView} of a record)
 * @param incoming - the values passed to `set`
 * @param strategy - see {@link mergeValue}
 * @returns a null-prototype record of the names to write (names left alone are absent)
 * @throws TypeError for an unknown strategy or a non-object `incoming`
 */
export function planMerge(
  current: MergeTarget,
  incoming: Record<string, unknown>,
  strategy: MergeStrategy,
): Record<string, unknown> {
  assertMergeStrategy(strategy);
  if (typeof incoming !== 'object' || incoming === null) {
    throw new TypeError(`[sandcell] values must be an object of name → value, got ${describeValue(incoming)}`);
  }
  // Null prototype: a variable may be called `__proto__` or `constructor`.
  const plan: Record<string, unknown> = Object.create(null);
  for (const name of Object.keys(incoming)) {
    const present = current.has(name);
    const decision = mergeValue({ present, value: present ? current.get(name) : undefined }, incoming[name], strategy);
    if (decision.write) plan[name] = decision.value;
  }
  return plan;
}

/**
 * Wraps a record as a {@link MergeTarget} (own properties only).
 *
 * @param record - name → value
 * @returns a view for {@link planMerge}
 */
export function recordView(record: Record<string, unknown>): MergeTarget {
  return {
    has: (name) => Object.hasOwn(record, name),
    get: (name) => (Object.hasOwn(record, name) ? record[name] : undefined),
  };
}

function mergeShallow(existing: Record<string, unknown>, incoming: Record<string, unknown>): Record<string, unknown> {
  // Spread defines properties (no `__proto__` setter); keep a null prototype when the existing object had one.
  if (Object.getPrototypeOf(existing) === null) {
    return Object.assign(Object.create(null) as Record<string, unknown>, existing, incoming);
  }
  return { ...existing, ...incoming };
}
