/**
 * Incremental checkpoints of the namespace, taken after every completed cell so a killed
 * worker can come back with the user's variables. Only what the cell may have changed is
 * re-encoded; variables are grouped so that no object is shared between two groups (a
 * group is encoded as one structured-clone graph, which keeps shared references and
 * cycles intact), and a group is replaced whole.
 *
 * "May have changed" is a conservative superset: every variable whose value is no longer
 * the one the last checkpoint saw (however it was written: `globalThis['a'] = …`,
 * `eval('a = 2')`, `Object.assign(globalThis, …)`, a function made by `new Function`), plus,
 * for changes *inside* a value, the names the cell mentions, the names it declares, and —
 * when the cell calls anything — the names mentioned by every cell that defined a function
 * (a call may run one of them); all of them when one of those names is a way to every
 * variable (`globalThis`, `self`, `eval`, `Function`; the compiler reports top-level `this`,
 * and `this` in arrows made at the top level, as `globalThis`). Not seen: `this` in a sloppy
 * function called without a receiver (`function g() { this.arr.push(4) }; g()`).
 */
import { append, asArray, list, ObjectIs, SafeMap, SafeSet } from '../primordials.ts';
import type { Checkpoint, CheckpointGroup } from '../protocol.ts';
import { encodePrimitiveRecord } from '../snapshot/format.ts';

/** The variables a checkpoint is taken of: their names in namespace order, and each one's live value. */
export interface LiveVariables {
  names(): string[];
  get(name: string): unknown;
  /** Its binding kind (`let`, `const`, `var`, …), recorded so a restore declares it the same way. */
  kindOf?(name: string): string | undefined;
}

/**
 * Names through which code reaches every variable without naming it (`globalThis.arr.push(4)`,
 * `self['o'].x = 1`, code built from strings): a cell that mentions one, or calls anything
 * after a function that does was defined, may have changed the inside of any value.
 */
const EVERY_VARIABLE = new Set(['globalThis', 'self', 'eval', 'Function']);

/** {@link EVERY_VARIABLE} without a method call (takePrimitives runs where a cell's patches are in force). */
function isEveryVariable(name: string): boolean {
  return name === 'globalThis' || name === 'self' || name === 'eval' || name === 'Function';
}

/** Prototypes of the built-ins: every object has one, so they must not join groups. */
const BUILTIN_PROTOTYPES: ReadonlySet<unknown> = new Set(
  [
    Object,
    Function,
    Array,
    Map,
    Set,
    WeakMap,
    WeakSet,
    Date,
    RegExp,
    Promise,
    ArrayBuffer,
    DataView,
    Boolean,
    Number,
    String,
    Symbol,
    BigInt,
    Error,
    TypeError,
    RangeError,
    SyntaxError,
    ReferenceError,
    EvalError,
    URIError,
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
  ]
    .map((ctor) => ctor.prototype)
    .concat([
      Object.getPrototypeOf(Int8Array.prototype),
      Object.getPrototypeOf(async () => {}),
      Object.getPrototypeOf(function* () {}),
    ]),
);

/**
 * Visits every object reachable from `value` (not into typed array / buffer contents).
 * User prototypes count as reachable (an instance and its class must land in one group:
 * the instance is restored onto the class's prototype).
 */
function walk(value: unknown, visit: (object: object) => boolean): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || (typeof current !== 'object' && typeof current !== 'function')) continue;
    if (!visit(current as object)) continue;
    if (ArrayBuffer.isView(current) || current instanceof ArrayBuffer) continue;
    try {
      const proto = Object.getPrototypeOf(current);
      if (proto !== null && !BUILTIN_PROTOTYPES.has(proto)) stack.push(proto);
      if (typeof current === 'function') {
        const own = Object.getOwnPropertyDescriptor(current, 'prototype');
        if (own && 'value' in own) stack.push(own.value);
      }
      if (current instanceof Map) {
        for (const [k, v] of current) stack.push(k, v);
      } else if (current instanceof Set) {
        for (const v of current) stack.push(v);
      } else if (Array.isArray(current)) {
        for (let i = 0; i < current.length; i++) {
          const item = current[i];
          if (item !== null && typeof item === 'object') stack.push(item);
        }
        continue;
      }
      for (const key of Object.keys(current)) {
        const descriptor = Object.getOwnPropertyDescriptor(current, key);
        if (descriptor && 'value' in descriptor) stack.push(descriptor.value);
      }
    } catch {
      // A revoked proxy or a hostile object: it will be reported as skipped by the encoder.
    }
  }
}

export class CheckpointTracker {
  // Safe* collections: takePrimitives() reads them on the worker's hot path (see lib/primordials.ts).
  private readonly groupOf = new SafeMap<string, number>();
  private readonly members = new SafeMap<number, string[]>();
  private ownerOf = new WeakMap<object, number>();
  private nextGroup = 1;
  /** Names mentioned by cells that define functions: a later call may touch any of them. */
  private readonly reachableByFunctions = new SafeSet<string>();
  /** The value each variable had at the last checkpoint: a different one now means it was written. */
  private seen = new SafeMap<string, unknown>();

  constructor(private readonly encode: (names: string[]) => unknown) {}

  /** Records the names a function-defining cell mentions: calling its functions later may touch them. */
  noteFunctions(freeNames: readonly string[]): void {
    for (const name of freeNames) this.reachableByFunctions.add(name);
  }

  private reachesEveryVariable(dirty: Iterable<string>, callsAnything: boolean): boolean {
    for (const name of dirty) if (EVERY_VARIABLE.has(name)) return true;
    if (callsAnything) for (const name of EVERY_VARIABLE) if (this.reachableByFunctions.has(name)) return true;
    return false;
  }

  /** Builds the checkpoint after a cell. `dirty` undefined → everything (a full checkpoint). */
  take(view: LiveVariables, dirty: Iterable<string> | undefined, callsAnything: boolean): Checkpoint {
    const live = view.names();
    const liveSet = new Set(live);
    const removed = [...this.groupOf.keys()].filter((name) => !liveSet.has(name));
    // The host drops any group holding a removed name, so its surviving members are sent again.
    const survivors = removed.flatMap((name) => this.membersOf(name)).filter((name) => liveSet.has(name));
    for (const name of removed) this.dropName(name);

    const seen = new SafeMap<string, unknown>();
    const written: string[] = [];
    for (const name of live) {
      let value: unknown;
      try {
        value = view.get(name);
      } catch {
        continue;
      }
      seen.set(name, value);
      if (!this.seen.has(name) || !Object.is(this.seen.get(name), value)) written.push(name);
    }
    this.seen = seen;

    let selected: Set<string>;
    if (dirty === undefined || this.reachesEveryVariable(dirty, callsAnything)) {
      selected = new Set(live);
    } else {
      selected = new Set<string>(written);
      for (const name of dirty) if (liveSet.has(name)) selected.add(name);
      if (callsAnything) for (const name of this.reachableByFunctions) if (liveSet.has(name)) selected.add(name);
      for (const name of live) if (!this.groupOf.has(name)) selected.add(name);
      for (const name of survivors) selected.add(name);
    }
    if (selected.size === 0) return { full: false, removed, groups: [] };

    // Union-find over the selected names; a shared object (or one owned by another group) joins them.
    const parent = new Map<string, string>();
    const find = (name: string): string => {
      let root = name;
      while (parent.get(root) !== root) root = parent.get(root)!;
      parent.set(name, root);
      return root;
    };
    const union = (a: string, b: string) => {
      const ra = find(a);
      const rb = find(b);
      if (ra !== rb) parent.set(ra, rb);
    };
    const queue = [...selected];
    const firstSeenBy = new Map<object, string>();
    const add = (name: string) => {
      if (!parent.has(name)) {
        parent.set(name, name);
        queue.push(name);
      }
    };
    for (const name of selected) parent.set(name, name);
    // Whole old groups come along: a group is only ever replaced whole.
    for (const name of selected) for (const member of this.membersOf(name)) if (liveSet.has(member)) add(member);
    for (let i = 0; i < queue.length; i++) {
      const name = queue[i];
      let value: unknown;
      try {
        value = view.get(name);
      } catch {
        continue;
      }
      walk(value, (object) => {
        const seen = firstSeenBy.get(object);
        if (seen !== undefined) {
          union(name, seen);
          return false;
        }
        firstSeenBy.set(object, name);
        const owner = this.ownerOf.get(object);
        if (owner !== undefined) {
          for (const member of this.members.get(owner) ?? []) {
            if (liveSet.has(member)) {
              add(member);
              union(name, member);
            }
          }
        }
        return true;
      });
    }

    const components = new Map<string, string[]>();
    for (const name of parent.keys()) {
      const root = find(name);
      let list = components.get(root);
      if (!list) components.set(root, (list = []));
      list.push(name);
    }
    const groups: CheckpointGroup[] = [];
    const groupIdOfRoot = new Map<string, number>();
    for (const [root, names] of components) {
      for (const name of names) this.dropName(name);
      const id = this.nextGroup++;
      groupIdOfRoot.set(root, id);
      this.members.set(id, names);
      for (const name of names) this.groupOf.set(name, id);
      groups.push({ names, payload: this.encode(names) });
    }
    for (const [object, name] of firstSeenBy) {
      const id = groupIdOfRoot.get(find(name));
      if (id !== undefined) this.ownerOf.set(object, id);
    }
    return { full: dirty === undefined, removed, groups };
  }

  /**
   * The checkpoint {@link take} would make, when everything it would encode is a primitive
   * held alone in its group — or undefined (nothing changed), and the caller takes the full
   * path on the pristine built-ins. This is the common case after a cell (`let y = 5`, `n++`,
   * a cell that only prints), and it is built from primordials only: no guard switch, no walk.
   */
  takePrimitives(view: LiveVariables, dirty: readonly string[], callsAnything: boolean): Checkpoint | undefined {
    const live = view.names();
    const liveSet = new SafeSet<string>();
    for (let i = 0; i < live.length; i++) liveSet.add(live[i]);
    const removed = list<string>();
    let shared = false;
    this.groupOf.forEach((id, name) => {
      if (liveSet.has(name)) return;
      append(removed, name);
      if ((this.members.get(id)?.length ?? 0) > 1) shared = true;
    });
    if (shared) return undefined;
    // As take() does: every variable holding another value than at the last checkpoint.
    const seen = new SafeMap<string, unknown>();
    const selected = new SafeSet<string>();
    for (let i = 0; i < live.length; i++) {
      const name = live[i];
      let value: unknown;
      try {
        value = view.get(name);
      } catch {
        continue;
      }
      seen.set(name, value);
      if (!this.seen.has(name) || !ObjectIs(this.seen.get(name), value)) selected.add(name);
    }
    // As take() does: a name that reaches every variable selects them all.
    let everything = false;
    for (let i = 0; i < dirty.length; i++) if (isEveryVariable(dirty[i])) everything = true;
    if (callsAnything) {
      this.reachableByFunctions.forEach((name) => {
        if (isEveryVariable(name)) everything = true;
      });
    }
    if (everything) for (let i = 0; i < live.length; i++) selected.add(live[i]);
    for (let i = 0; i < dirty.length; i++) if (liveSet.has(dirty[i])) selected.add(dirty[i]);
    if (callsAnything) {
      this.reachableByFunctions.forEach((name) => {
        if (liveSet.has(name)) selected.add(name);
      });
    }
    for (let i = 0; i < live.length; i++) if (!this.groupOf.has(live[i])) selected.add(live[i]);
    const names = list<string>();
    const values = list<unknown>();
    const kinds = list<string>();
    let simple = true;
    selected.forEach((name) => {
      if (!simple) return;
      const id = this.groupOf.get(name);
      if (id !== undefined && (this.members.get(id)?.length ?? 0) > 1) {
        simple = false;
        return;
      }
      if (!seen.has(name)) {
        // Its value could not be read: take() decides what that means.
        simple = false;
        return;
      }
      const value = seen.get(name);
      if ((typeof value === 'object' && value !== null) || typeof value === 'function' || typeof value === 'symbol') {
        simple = false;
        return;
      }
      append(names, name);
      append(values, value);
      append(kinds, view.kindOf?.(name) ?? 'global');
    });
    if (!simple) return undefined;
    this.seen = seen;
    for (let i = 0; i < removed.length; i++) this.dropName(removed[i]);
    const groups = list<CheckpointGroup>();
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      this.dropName(name);
      const id = this.nextGroup++;
      const members = list<string>();
      append(members, name);
      this.members.set(id, asArray(members));
      this.groupOf.set(name, id);
      const single = list<string>();
      append(single, name);
      const value = list<unknown>();
      append(value, values[i]);
      const kind = list<string>();
      if (view.kindOf) append(kind, kinds[i]);
      append(groups, {
        __proto__: null,
        names: single,
        payload: encodePrimitiveRecord(single, value, view.kindOf ? kind : undefined),
      } as unknown as CheckpointGroup);
    }
    return { __proto__: null, full: false, removed, groups } as unknown as Checkpoint;
  }

  /** Forgets all groups (after the namespace was replaced wholesale). */
  reset(): void {
    this.seen = new SafeMap();
    this.groupOf.clear();
    this.members.clear();
    this.ownerOf = new WeakMap();
  }

  private membersOf(name: string): string[] {
    const id = this.groupOf.get(name);
    return id === undefined ? [] : (this.members.get(id) ?? []);
  }

  private dropName(name: string): void {
    const id = this.groupOf.get(name);
    if (id === undefined) return;
    this.groupOf.delete(name);
    const old = this.members.get(id);
    const rest = list<string>();
    if (old) for (let i = 0; i < old.length; i++) if (old[i] !== name) append(rest, old[i]);
    if (rest.length === 0) this.members.delete(id);
    else this.members.set(id, asArray(rest));
  }
}
