/**
 * The snapshot format: a namespace turned into one record that IndexedDB (or
 * postMessage) can structured-clone, and back. Pure: runs in the worker on live
 * values, tested in Node.
 *
 * The record holds the live values themselves; nothing is deep-copied here.
 * Encoding only walks the graph (./clone-safety.ts) to find what structured clone
 * would reject or silently damage, and where instances of top-level classes sit:
 *
 *   values  { cfg: {…}, p: Point{1,2}, f: ƒ, Point: class, h: () => … }
 *      │ walk: problems → skipped; Point instances → paths; declarations → source
 *      ▼
 *   record  { names: ['cfg','p'], data: [cfg, p],          ← cloned as ONE graph,
 *             functions: [['f', 'function f…'], ['Point', 'class Point…']],
 *             instances: [{ variable: 1, path: [], className: 'Point' }], … }
 *
 * All data variables sit in one array so shared references and cycles between
 * variables survive the clone.
 */

import { SnapshotError } from '../errors.ts';
import { describeKind } from '../namespace/describe-value.ts';
// Captured at load: restoring a checkpoint brings back the user's names one group at a time,
// and a restored `let Array` is a global binding the code reading the next group would see.
import {
  ArrayIsArray,
  append,
  JSONStringify,
  list,
  MathImul,
  NumberIsInteger,
  NumberPrototypeToString,
  ObjectHasOwn,
  ReflectSetPrototypeOf,
  StringCtor,
  StringPrototypeCharCodeAt,
  StringPrototypeRepeat,
} from '../primordials.ts';
import type { SkippedVariable } from '../types.ts';
import {
  addedFunctionProperties,
  CloneSafetyWalk,
  type DeclaredClass,
  declaredClass,
  describeSteps,
  messageOf,
} from './clone-safety.ts';

/** Bumped whenever the record layout changes; older or newer records are refused as corrupt. */
export const FORMAT_VERSION = 1;

/** Marks a record as ours, so a foreign value stored under our key is recognised. */
export const FORMAT_TAG = 'sandcell-snapshot';

/**
 * One step from a container to a child. A string is a property key (objects,
 * arrays). A number is an index into a Map (`2i` = key of entry i, `2i + 1` =
 * its value) or a Set (item i), in iteration order.
 */
export type PathStep = string | number;

/** An object in the data graph whose prototype must be restored to a top-level class or function. */
export interface InstanceRef {
  /** Index into `names`/`data`. */
  variable: number;
  /** From `data[variable]` to the object; empty when the variable itself is the instance. */
  path: PathStep[];
  /** The name of the variable in `functions` whose `.prototype` the object gets back. */
  className: string;
}

/** What is stored for one snapshot. */
export interface SnapshotPayload {
  format: typeof FORMAT_TAG;
  version: number;
  /** Variables saved by value, aligned with `data`. */
  names: string[];
  /** Their live values; structured-cloned by whoever stores or posts the record. */
  data: unknown[];
  /** `[name, source]` of top-level function and class declarations, in namespace order. */
  functions: Array<[string, string]>;
  instances: InstanceRef[];
  /**
   * `[name, kind]` of each saved variable (`let`, `const`, `class`, `var`, `function`,
   * `global`): where it lives again and whether it stays constant. Absent in older records.
   */
  kinds?: Array<[string, string]>;
  /** Over the metadata only (see {@link checksumOf}): catches truncated or hand-edited records, cheaply. */
  checksum: string;
}

/** Result of {@link encodeNamespace}. */
export interface EncodeResult {
  record: SnapshotPayload;
  /** Names saved, in namespace order. */
  saved: string[];
  skipped: SkippedVariable[];
  /**
   * Estimated size in bytes: 2 per string character (UTF-16), 8 per number or
   * BigInt, 4 per boolean/null/undefined, the byte length of each ArrayBuffer or
   * view, 16 per object or array plus its keys as strings, 64 per Blob-like host
   * object (their real size is not inspected). A shared object counts once, except small objects holding
   * only primitives, which count each time they are reached.
   */
  bytes: number;
}

/** Result of {@link decodeNamespace}. */
export interface DecodeResult {
  values: Map<string, unknown>;
  /** The kind each name was saved with (empty for older records). */
  kinds: Map<string, string>;
  restored: string[];
  skipped: SkippedVariable[];
}

/**
 * Turns a namespace into a record.
 *
 * @param values - the user variables, name → live value
 * @param definitions - name → source text of the top-level `function`/`class`
 *   declaration that created the variable; only for names whose value is still
 *   the function created by that declaration
 * @returns the record (holding live values — store or post it, don't mutate the
 *   namespace before it is cloned), the names saved, the names skipped with a
 *   reason, and a size estimate
 */
export function encodeNamespace(
  values: Map<string, unknown>,
  definitions: Record<string, string>,
  kinds?: ReadonlyMap<string, string>,
): EncodeResult {
  const functions: Array<[string, string]> = [];
  const classes = new Map<object, DeclaredClass>();
  for (const [name, value] of values) {
    const source = ObjectHasOwn(definitions, name) ? definitions[name] : undefined;
    if (typeof value !== 'function' || typeof source !== 'string') continue;
    functions.push([name, source]);
    const proto: unknown = (value as { prototype?: unknown }).prototype;
    if (typeof proto === 'object' && proto !== null) {
      classes.set(proto, declaredClass(name, source));
    }
  }
  const byName = new Set(functions.map(([name]) => name));

  const walk = new CloneSafetyWalk(classes);
  const names: string[] = [];
  const data: unknown[] = [];
  const instances: InstanceRef[] = [];
  const saved: string[] = [];
  const skipped: SkippedVariable[] = [];
  let bytes = 0;
  for (const [name, value] of values) {
    bytes += name.length * 2;
    if (byName.has(name)) {
      // Re-created from source: whatever was attached to the function afterwards would be lost.
      const added = addedFunctionProperties(value as Function);
      if (added.length > 0) {
        skipped.push({
          name,
          reason: `properties added after the declaration (${added.join(', ')}) cannot be saved with a function — keep them in a variable of their own`,
        });
        continue;
      }
      saved.push(name);
      bytes += (definitions[name] as string).length * 2;
      continue;
    }
    const outcome = walk.check(value, names.length);
    if (typeof outcome === 'string') {
      skipped.push({ name, reason: outcome });
      continue;
    }
    names.push(name);
    data.push(value);
    instances.push(...outcome.instances);
    saved.push(name);
    bytes += outcome.bytes;
  }
  const record: SnapshotPayload = {
    format: FORMAT_TAG,
    version: FORMAT_VERSION,
    names,
    data,
    functions,
    instances,
    checksum: '',
  };
  if (kinds) record.kinds = saved.flatMap((name) => (kinds.has(name) ? [[name, kinds.get(name) as string]] : []));
  record.checksum = checksumOf(record);
  return { record, saved, skipped, bytes };
}

/**
 * Thrown by `decodeNamespace`'s `evaluate` for a definition that must not be tried again (it
 * ran past its time limit, or a restore before ended the worker in it); the message is the
 * reason reported in `skipped`.
 */
export class DefinitionGivenUp extends Error {
  override name = 'DefinitionGivenUp';
}

/**
 * Turns a record (already structured-cloned: it is mutated in place) back into
 * values. Functions and classes are re-created first, in their saved order;
 * one that fails to evaluate is retried after the others, so the caller's
 * `evaluate` may install each result right away (a `class B extends A` then
 * finds `A`). Objects recorded as instances get their class's prototype back.
 *
 * @param payload - a record from {@link encodeNamespace}, after a structured clone
 * @param evaluate - evaluates an expression (`'(' + source + ')'`) in the scope the
 *   values will live in, returning its value; the second argument is the variable name
 * @returns the values in restore order, the names restored, and those skipped with a reason
 * @throws SnapshotError 'corrupt' when the record is not a valid snapshot of this version
 */
export function decodeNamespace(
  payload: SnapshotPayload,
  evaluate: (source: string, name: string) => unknown,
): DecodeResult {
  const record = validatePayload(payload);
  const values = new Map<string, unknown>();
  const skipped: SkippedVariable[] = [];
  const failures = new Map<string, string>();
  let pending = record.functions;
  while (pending.length > 0) {
    const retry: Array<[string, string]> = [];
    for (const [name, source] of pending) {
      try {
        const value = evaluate('(' + source + ')', name);
        if (typeof value !== 'function') throw new TypeError('the source did not evaluate to a function');
        values.set(name, value);
        failures.delete(name);
      } catch (error) {
        if (error instanceof DefinitionGivenUp) {
          // Final: running it again in the next round would spend its time limit again.
          failures.set(name, error.message);
          continue;
        }
        retry.push([name, source]);
        failures.set(name, `its source could not be evaluated: ${messageOf(error)}`);
      }
    }
    if (retry.length === pending.length) break;
    pending = retry;
  }
  for (const [name, reason] of failures) skipped.push({ name, reason });

  const badVariables = new Map<number, string>();
  const containers = new WeakMap<object, unknown[]>();
  for (const { variable, path, className } of record.instances) {
    if (badVariables.has(variable)) continue;
    const cls = values.get(className) as { prototype?: unknown } | undefined;
    const proto = cls?.prototype;
    if (typeof proto !== 'object' || proto === null) {
      badVariables.set(variable, `it holds an instance of ${className}, which could not be restored`);
      continue;
    }
    const target = resolvePath(record.data[variable], path, containers);
    if (typeof target !== 'object' || target === null) {
      badVariables.set(variable, `its instance of ${className} at ${describeSteps(path)} is missing (corrupt record)`);
      continue;
    }
    ReflectSetPrototypeOf(target, proto);
  }
  record.names.forEach((name, index) => {
    const reason = badVariables.get(index);
    if (reason !== undefined) skipped.push({ name, reason });
    else values.set(name, record.data[index]);
  });
  const kinds = new Map<string, string>(record.kinds ?? []);
  return { values, kinds, restored: [...values.keys()], skipped };
}

/**
 * Checks that a value read from storage is a snapshot record of this version.
 *
 * @param value - anything read back from storage
 * @returns the same value, typed
 * @throws SnapshotError 'corrupt' for a foreign value, another format version,
 *   a wrong shape or a checksum mismatch
 */
export function validatePayload(value: unknown): SnapshotPayload {
  const corrupt = (what: string): never => {
    throw new SnapshotError(
      `[sandcell] the stored snapshot is ${what} — delete it with deleteSnapshot() and save a new one`,
      'corrupt',
    );
  };
  if (typeof value !== 'object' || value === null)
    return corrupt(`not a sandcell snapshot (got ${describeKind(value)})`);
  const record = value as Partial<Record<keyof SnapshotPayload, unknown>>;
  if (record.format !== FORMAT_TAG) return corrupt('not a sandcell snapshot (foreign record)');
  if (record.version !== FORMAT_VERSION) {
    return corrupt(
      `in format version ${StringCtor(record.version)}, but this sandcell reads version ${FORMAT_VERSION}`,
    );
  }
  const { names, data, functions, instances, checksum, kinds } = record;
  if (
    kinds !== undefined &&
    (!ArrayIsArray(kinds) ||
      !kinds.every((k) => ArrayIsArray(k) && typeof k[0] === 'string' && typeof k[1] === 'string'))
  ) {
    return corrupt('damaged (bad kinds)');
  }
  if (!ArrayIsArray(names) || !names.every((n) => typeof n === 'string')) return corrupt('damaged (bad names)');
  if (!ArrayIsArray(data) || data.length !== names.length) return corrupt('damaged (data does not match names)');
  if (
    !ArrayIsArray(functions) ||
    !functions.every((f) => ArrayIsArray(f) && typeof f[0] === 'string' && typeof f[1] === 'string')
  ) {
    return corrupt('damaged (bad functions)');
  }
  if (
    !ArrayIsArray(instances) ||
    !instances.every(
      (i: Partial<InstanceRef> | null) =>
        typeof i === 'object' &&
        i !== null &&
        NumberIsInteger(i.variable) &&
        (i.variable as number) >= 0 &&
        (i.variable as number) < names.length &&
        typeof i.className === 'string' &&
        ArrayIsArray(i.path) &&
        i.path.every((s) => typeof s === 'string' || NumberIsInteger(s)),
    )
  ) {
    return corrupt('damaged (bad instances)');
  }
  const typed = value as SnapshotPayload;
  if (typeof checksum !== 'string' || checksum !== checksumOf(typed)) return corrupt('damaged (checksum mismatch)');
  return typed;
}

/**
 * FNV-1a (32-bit) over the record's metadata: format, version, names, data
 * length, function sources and instance paths — not over the data itself,
 * which would cost a full serialisation of megabytes on every save.
 *
 * @param record - a record, its `checksum` field ignored
 * @returns 8 hex digits
 */
export function checksumOf(record: Omit<SnapshotPayload, 'checksum'>): string {
  const text = JSONStringify([
    record.format,
    record.version,
    record.names,
    record.data.length,
    record.functions,
    record.instances.map((i) => [i.variable, i.className, i.path]),
    // Older records have no kinds: their checksum stays what it was.
    ...(record.kinds ? [record.kinds] : []),
  ]);
  return hashText(text);
}

/**
 * The record {@link encodeNamespace} makes of variables that all hold primitives other
 * than symbols (nothing to walk, no functions, no instances), built without any shared
 * built-in a cell can patch: the worker takes most checkpoints this way, on its hot path.
 * @param kinds - each variable's binding kind (`let`, `const`, `var`, …), as encodeNamespace
 *   records them: without them a restart brings a `let` back as a global property (and a
 *   `let Array` over the real one)
 */
export function encodePrimitiveRecord(
  names: readonly string[],
  values: readonly unknown[],
  kinds?: readonly string[],
): SnapshotPayload {
  const savedNames = list<string>();
  const data = list<unknown>();
  const savedKinds = list<[string, string]>();
  let namesJson = '';
  let kindsJson = '';
  for (let i = 0; i < names.length; i++) {
    append(savedNames, names[i]);
    append(data, values[i]);
    namesJson = i === 0 ? JSONStringify(names[i]) : `${namesJson},${JSONStringify(names[i])}`;
    if (kinds) {
      const pair = list<string>() as unknown as [string, string];
      append(pair, names[i]);
      append(pair, kinds[i]);
      append(savedKinds, pair);
      const pairJson = `[${JSONStringify(names[i])},${JSONStringify(kinds[i])}]`;
      kindsJson = i === 0 ? pairJson : `${kindsJson},${pairJson}`;
    }
  }
  // checksumOf's text for this record, written out: JSON.stringify of an array looks up `toJSON`.
  const text = `[${JSONStringify(FORMAT_TAG)},${FORMAT_VERSION},[${namesJson}],${names.length},[],[]${kinds ? `,[${kindsJson}]` : ''}]`;
  const record = {
    __proto__: null,
    format: FORMAT_TAG,
    version: FORMAT_VERSION,
    names: savedNames,
    data,
    functions: list(),
    instances: list(),
    checksum: hashText(text),
  } as unknown as SnapshotPayload;
  if (kinds) record.kinds = savedKinds;
  return record;
}

/** FNV-1a of `text`, as 8 hex digits. */
function hashText(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= StringPrototypeCharCodeAt(text, i);
    hash = MathImul(hash, 0x01000193);
  }
  const hex = NumberPrototypeToString(hash >>> 0, 16);
  return `${StringPrototypeRepeat('0', 8 - hex.length)}${hex}`;
}

function resolvePath(root: unknown, path: PathStep[], containers: WeakMap<object, unknown[]>): unknown {
  let current = root;
  for (const step of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    if (typeof step === 'string') {
      current = (current as Record<string, unknown>)[step];
      continue;
    }
    // Map/Set steps count in iteration order; flatten each container once so many instances stay linear.
    let flat = containers.get(current);
    if (flat === undefined) {
      if (current instanceof Map) flat = [...current].flat();
      else if (current instanceof Set) flat = [...current];
      else return undefined;
      containers.set(current, flat);
    }
    current = flat[step];
  }
  return current;
}
