/**
 * `with (object) body` in a cell runs as `with (__sc$.withScope(object)) body`. Inside a `with`
 * body every identifier is looked up on the object first, so an object that claims the
 * engine's names (a Proxy whose `has` trap says yes to `__sc$…`, or `Object.prototype.__sc$`)
 * would hand the interrupt checks, the lexical scope and the eval hooks a stand-in of its own
 * — switching the cooperative interrupt off. The scope object answers "not here" for the
 * engine's names and forwards everything else to the object.
 *
 * Seen from the cell, one thing differs: a function called through the `with` scope (`f()`
 * finding `f` on the object) gets the scope object, not the object itself, as `this`.
 * Getters and setters still see the object.
 *
 * Runs with the cell's patches in force: primordials only, and the handler has no prototype
 * (a trap is looked up on the handler, so `Object.prototype.get = …` must not become one).
 */
import {
  ObjectCtor,
  ObjectFreeze,
  ProxyCtor,
  ReflectGet,
  ReflectHas,
  ReflectSet,
  StringPrototypeStartsWith,
} from '../primordials.ts';
import { RESERVED_PREFIX } from './edits.ts';

const handler: ProxyHandler<object> = ObjectFreeze({
  __proto__: null,
  has: (target: object, key: PropertyKey): boolean =>
    typeof key === 'string' && StringPrototypeStartsWith(key, RESERVED_PREFIX) ? false : ReflectHas(target, key),
  get: (target: object, key: PropertyKey): unknown => ReflectGet(target, key),
  set: (target: object, key: PropertyKey, value: unknown): boolean => ReflectSet(target, key, value),
} as ProxyHandler<object>);

export function withScope(object: unknown): unknown {
  // `with (null)` throws the engine's own TypeError.
  if (object === null || object === undefined) return object;
  return new ProxyCtor(ObjectCtor(object) as object, handler);
}
