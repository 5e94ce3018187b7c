/**
 * The page's reads and writes of user variables (`session.namespace`), as the worker serves
 * them: values copied by structured clone or refused with the reason, writes checked and
 * merged by the chosen strategy, listings as bounded summaries.
 */
import { planMerge } from '../namespace/merge.ts';
import { ENGINE_INTERNALS, type Namespace } from '../namespace/namespace.ts';
import { structuredClonePristine } from '../primordials.ts';
import type { MergeStrategy, VariableInfo } from '../types.ts';
import { repr, SUMMARY_LIMITS, typeName } from './io/repr.ts';

/** One variable for `namespace.get`: its value when structured clone can copy it, else why not. */
export function readVariable(namespace: Namespace, name: string): { found: boolean; value?: unknown; error?: string } {
  if (!namespace.has(name)) return { found: false };
  const value = namespace.get(name);
  if (!isCloneable(value)) {
    return {
      found: true,
      error: `[sandcell] variable '${name}' (${typeName(value)}) cannot be copied to the page: ${repr(value, SUMMARY_LIMITS)}`,
    };
  }
  return { found: true, value };
}

/**
 * `namespace.set`: every name must be a user identifier; the strategy decides what is written.
 * @returns the names written.
 */
export function writeVariables(namespace: Namespace, values: Record<string, unknown>, strategy: string): string[] {
  for (const name of Object.keys(values)) {
    if (ENGINE_INTERNALS.has(name)) throw new TypeError(`[sandcell] cannot set '${name}': it is an engine internal`);
    if (!/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name))
      throw new TypeError(`[sandcell] cannot set ${JSON.stringify(name)}: not a valid identifier`);
  }
  const current = { has: (name: string) => namespace.has(name), get: (name: string) => namespace.get(name) };
  const writes = planMerge(current, values, strategy as MergeStrategy);
  for (const [name, value] of Object.entries(writes)) namespace.set(name, value);
  return Object.keys(writes);
}

/** `namespace.list`: every user variable with its type and a bounded summary (a throwing getter says so). */
export function describeVariables(namespace: Namespace): VariableInfo[] {
  return namespace.names().map((name) => {
    let value: unknown;
    try {
      value = namespace.get(name);
    } catch (error) {
      return { name, type: 'unknown', repr: `<getter threw: ${repr(error, SUMMARY_LIMITS)}>` };
    }
    return { name, type: typeName(value), repr: repr(value, SUMMARY_LIMITS) };
  });
}

/** Whether `value` survives postMessage. */
function isCloneable(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol'))
    return true;
  if (typeof value === 'function' || typeof value === 'symbol') return false;
  try {
    structuredClonePristine(value);
    return true;
  } catch {
    return false;
  }
}
