/**
 * The snapshot format: a namespace turned into one record that IndexedDB (or
 * postMessage) can structured-clone, and back. Pure: runs in the worker on live
 * values, tested in Node.
 *
 * The record holds the live values themselves; nothing is deep-copied here.
 * Encoding only walks the graph to find what structured clone would reject or
 * silently damage, and where instances of top-level classes sit:
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
import { isPlainObject } from '../namespace/merge.ts';
import type { SkippedVariable } from '../types.ts';

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
export function encodeNamespace(values: Map<string, unknown>, definitions: Record<string, string>): EncodeResult {
  const functions: Array<[string, string]> = [];
  const classes = new Map<object, ClassInfo>();
  for (const [name, value] of values) {
    const source = Object.hasOwn(definitions, name) ? definitions[name] : undefined;
    if (typeof value !== 'function' || typeof source !== 'string') continue;
    functions.push([name, source]);
    const proto: unknown = (value as { prototype?: unknown }).prototype;
    if (typeof proto === 'object' && proto !== null) {
      classes.set(proto, { name, privateFields: PRIVATE_FIELD.test(source) });
    }
  }
  const byName = new Set(functions.map(([name]) => name));

  const walker = new Walker(classes);
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
    const outcome = walker.walkVariable(value, names.length);
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
  record.checksum = checksumOf(record);
  return { record, saved, skipped, bytes };
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
        retry.push([name, source]);
        failures.set(name, messageOf(error));
      }
    }
    if (retry.length === pending.length) break;
    pending = retry;
  }
  for (const [name, reason] of failures) {
    skipped.push({ name, reason: `its source could not be evaluated: ${reason}` });
  }

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
      badVariables.set(variable, `its instance of ${className} at ${formatSteps(path)} is missing (corrupt record)`);
      continue;
    }
    Object.setPrototypeOf(target, proto);
  }
  record.names.forEach((name, index) => {
    const reason = badVariables.get(index);
    if (reason !== undefined) skipped.push({ name, reason });
    else values.set(name, record.data[index]);
  });
  return { values, restored: [...values.keys()], skipped };
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
  if (typeof value !== 'object' || value === null) return corrupt(`not a sandcell snapshot (got ${typeof value})`);
  const record = value as Partial<Record<keyof SnapshotPayload, unknown>>;
  if (record.format !== FORMAT_TAG) return corrupt('not a sandcell snapshot (foreign record)');
  if (record.version !== FORMAT_VERSION) {
    return corrupt(`in format version ${String(record.version)}, but this sandcell reads version ${FORMAT_VERSION}`);
  }
  const { names, data, functions, instances, checksum } = record;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) return corrupt('damaged (bad names)');
  if (!Array.isArray(data) || data.length !== names.length) return corrupt('damaged (data does not match names)');
  if (
    !Array.isArray(functions) ||
    !functions.every((f) => Array.isArray(f) && typeof f[0] === 'string' && typeof f[1] === 'string')
  ) {
    return corrupt('damaged (bad functions)');
  }
  if (
    !Array.isArray(instances) ||
    !instances.every(
      (i: Partial<InstanceRef> | null) =>
        typeof i === 'object' &&
        i !== null &&
        Number.isInteger(i.variable) &&
        (i.variable as number) >= 0 &&
        (i.variable as number) < names.length &&
        typeof i.className === 'string' &&
        Array.isArray(i.path) &&
        i.path.every((s) => typeof s === 'string' || Number.isInteger(s)),
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
  const text = JSON.stringify([
    record.format,
    record.version,
    record.names,
    record.data.length,
    record.functions,
    record.instances.map((i) => [i.variable, i.className, i.path]),
  ]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

// ---------------------------------------------------------------------------

/** Private fields (`#x`) are invisible to structured clone; their instances would come back broken. */
const PRIVATE_FIELD = /#[A-Za-z_$\u0080-\uffff]/;

interface ClassInfo {
  name: string;
  privateFields: boolean;
}

/**
 * A path kept as a linked list of raw steps, so walking allocates no strings; turned into
 * {@link PathStep}s or a printable `.a[0].get("k")` only for instances and problems.
 */
interface PathNode {
  parent: PathNode | null;
  kind: 'prop' | 'index' | 'map-key' | 'map-value' | 'set';
  /** Property key, or array/Map/Set index. */
  key: string | number;
  /** For 'map-value': the entry's key, to print. */
  mapKey?: unknown;
}

/** Host objects that structured clone can store, leaves for our purposes. */
const CLONEABLE_TAGS = new Set([
  'Date',
  'RegExp',
  'Boolean',
  'Number',
  'String',
  'BigInt',
  'Error',
  'Blob',
  'File',
  'FileList',
  'ImageData',
  'CryptoKey',
  'DOMMatrix',
  'DOMMatrixReadOnly',
  'DOMPoint',
  'DOMPointReadOnly',
  'DOMRect',
  'DOMRectReadOnly',
  'DOMQuad',
  'FileSystemFileHandle',
  'FileSystemDirectoryHandle',
]);

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Arrays and objects with at most this many entries and no object inside are not remembered by the walk. */
const SMALL_LEAF = 64;

class Walker {
  /**
   * Which variable's walk last reached each object. An object reached by a variable that turned out saveable
   * needs no second look; one reached by a failed variable, or by none, is walked again. One Map for both
   * "seen in this walk" and "already checked" keeps the walk to one hash insert per object.
   */
  private readonly owner = new Map<object, number>();
  private readonly failed = new Set<number>();

  constructor(private readonly classes: Map<object, ClassInfo>) {}

  private walks = 0;

  /**
   * Remembers an object as reached, unless it is a small leaf (only primitives inside): those cannot be part
   * of a cycle, re-reading one is cheap, and not hashing them roughly halves the walk of record-like data.
   */
  private mark(value: object, walk: number, remember: boolean): void {
    if (remember) this.owner.set(value, walk);
  }

  /**
   * @param root - the variable's value
   * @param variable - its index in the record's `data`, for instance paths
   * @returns the reason the variable cannot be saved, or its instances and size
   */
  walkVariable(root: unknown, variable: number): string | { instances: InstanceRef[]; bytes: number } {
    const walk = this.walks++;
    const outcome = this.walk(root, variable, walk);
    if (typeof outcome === 'string') this.failed.add(walk);
    return outcome;
  }

  /** Iterative, so a long linked list does not overflow the stack. */
  private walk(root: unknown, variable: number, walk: number): string | { instances: InstanceRef[]; bytes: number } {
    if (typeof root === 'function') {
      return isClassSource(root)
        ? 'a class that is not a top-level declaration cannot be saved — declare it with a top-level `class` statement'
        : 'a function that is not a top-level declaration (closure) cannot be saved — declare it with a top-level `function` statement';
    }
    if (typeof root === 'symbol') return 'a symbol cannot be saved';
    const instances: InstanceRef[] = [];
    let bytes = 0;
    // Flat pairs (value, path), not tuples: one allocation fewer per object in a 10 MB graph.
    const stack: unknown[] = [root, null];
    const child = (
      value: unknown,
      at: PathNode | null,
      kind: PathNode['kind'],
      key: string | number,
      mapKey?: unknown,
    ) => {
      if ((typeof value === 'object' && value !== null) || typeof value === 'function' || typeof value === 'symbol') {
        stack.push(value, { parent: at, kind, key, mapKey });
      } else {
        bytes += primitiveBytes(value);
      }
    };
    try {
      while (stack.length > 0) {
        const at = stack.pop() as PathNode | null;
        const value = stack.pop();
        if (typeof value === 'function') return nested('a function', at, 'functions inside values cannot be saved');
        if (typeof value === 'symbol') return nested('a symbol', at, 'symbols cannot be saved');
        if (typeof value !== 'object' || value === null) {
          bytes += primitiveBytes(value);
          continue;
        }
        const reachedBy = this.owner.get(value);
        if (reachedBy !== undefined && (reachedBy === walk || !this.failed.has(reachedBy))) continue;
        const before = stack.length;
        bytes += 16;

        const proto: unknown = Object.getPrototypeOf(value);
        // Only the object's own class counts: an instance of an undeclared subclass of a declared class
        // would come back as the base class, so it is reported below like any undeclared class.
        const info = this.classes.get(proto as object);
        const instance = info !== undefined;
        if (info !== undefined) {
          for (let p = proto; typeof p === 'object' && p !== null; p = Object.getPrototypeOf(p)) {
            const cls = this.classes.get(p);
            if (cls?.privateFields) {
              return nested(
                `an instance of ${info.name}`,
                at,
                `${cls.name} has private fields (#…), which cannot be saved`,
                `an instance of ${info.name} cannot be saved: ${cls.name} has private fields (#…), which structured clone cannot see`,
              );
            }
          }
          instances.push({ variable, path: stepsOf(at), className: info.name });
        }

        // Structured clone drops symbol-keyed properties without a word: say so instead.
        if (Object.getOwnPropertySymbols(value).length > 0) {
          return nested('an object with symbol-keyed properties', at, 'symbol-keyed properties cannot be saved');
        }
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) child(value[i], at, 'index', i);
          this.mark(value, walk, stack.length > before || value.length > SMALL_LEAF);
          continue;
        }
        if (
          proto === Object.prototype ||
          proto === null ||
          isPlainObject(value) ||
          (instance && !isHostObject(value))
        ) {
          const keys = Object.keys(value);
          for (const key of keys) {
            bytes += key.length * 2;
            child((value as Record<string, unknown>)[key], at, 'prop', key);
          }
          this.mark(value, walk, stack.length > before || keys.length > SMALL_LEAF);
          continue;
        }
        this.owner.set(value, walk);
        const tag = tagOf(value);
        if (ArrayBuffer.isView(value)) {
          if (tagOf(value.buffer) === 'SharedArrayBuffer') {
            return nested(`a ${tag} on a SharedArrayBuffer`, at, 'SharedArrayBuffer cannot be stored');
          }
          bytes += value.byteLength;
          continue;
        }
        if (tag === 'ArrayBuffer') {
          bytes += (value as ArrayBuffer).byteLength;
          continue;
        }
        if (tag === 'Map') {
          let i = 0;
          Map.prototype.forEach.call(value, (v: unknown, k: unknown) => {
            child(k, at, 'map-key', i);
            child(v, at, 'map-value', i, k);
            i++;
          });
          continue;
        }
        if (tag === 'Set') {
          let i = 0;
          Set.prototype.forEach.call(value, (v: unknown) => {
            child(v, at, 'set', i);
            i++;
          });
          continue;
        }
        if (CLONEABLE_TAGS.has(tag)) {
          bytes += 48;
          continue;
        }
        if (tag === 'Object' || tag === 'Arguments') {
          const name = constructorName(proto);
          return nested(
            `an instance of ${name}`,
            at,
            `${name} is not a top-level class declaration, so its prototype would be lost`,
            `an instance of ${name} cannot be saved: ${name} is not a top-level class declaration, so its prototype would be lost`,
          );
        }
        return nested(`a ${tag}`, at, `${tag} cannot be cloned`);
      }
    } catch (error) {
      return `it could not be inspected: ${messageOf(error)}`;
    }
    return { instances, bytes };
  }
}

/** Own properties of a declared function (not a class: its statics come back from its source) beyond the built-in ones. */
function addedFunctionProperties(fn: Function): string[] {
  if (isClassSource(fn)) return [];
  const standard = new Set<PropertyKey>(['length', 'name', 'prototype', 'arguments', 'caller']);
  return Reflect.ownKeys(fn)
    .filter((key) => !standard.has(key))
    .map((key) => (typeof key === 'symbol' ? key.toString() : key));
}

/** Formats a problem for the variable itself (`rootReason`, default `why`) or for something inside it. */
function nested(what: string, at: PathNode | null, why: string, rootReason = why): string {
  if (at === null) return rootReason;
  return `contains ${what} at ${formatPath(at)} (${why})`;
}

function stepsOf(at: PathNode | null): PathStep[] {
  const steps: PathStep[] = [];
  for (let node = at; node !== null; node = node.parent) {
    const { kind, key } = node;
    if (kind === 'prop' || kind === 'index') steps.push(String(key));
    else if (kind === 'map-key') steps.push(2 * (key as number));
    else if (kind === 'map-value') steps.push(2 * (key as number) + 1);
    else steps.push(key);
  }
  return steps.reverse();
}

function formatPath(at: PathNode): string {
  const labels: string[] = [];
  for (let node: PathNode | null = at; node !== null; node = node.parent) labels.push(labelOf(node));
  return labels.reverse().join('');
}

function labelOf({ kind, key, mapKey }: PathNode): string {
  switch (kind) {
    case 'prop':
      return keyLabel(key as string);
    case 'index':
      return `[${key}]`;
    case 'map-key':
      return `[map key #${key}]`;
    case 'map-value':
      return typeof mapKey === 'string' || typeof mapKey === 'number'
        ? `.get(${JSON.stringify(mapKey)})`
        : `.get(<key #${key}>)`;
    case 'set':
      return `[set item #${key}]`;
  }
}

function formatSteps(path: PathStep[]): string {
  return path.length === 0
    ? '(the variable itself)'
    : path.map((s) => (typeof s === 'number' ? `<#${s}>` : keyLabel(s))).join('');
}

function keyLabel(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
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

function primitiveBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length * 2;
    case 'number':
    case 'bigint':
      return 8;
    default:
      return 4;
  }
}

function tagOf(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

/** A platform object (or a wrapper with an internal slot) whose data is not in its own properties. */
function isHostObject(value: object): boolean {
  return ArrayBuffer.isView(value) || !['Object', 'Arguments', 'Error'].includes(tagOf(value));
}

function constructorName(proto: unknown): string {
  const ctor =
    typeof proto === 'object' && proto !== null ? (proto as { constructor?: unknown }).constructor : undefined;
  const name = typeof ctor === 'function' ? ctor.name : '';
  return name || 'an anonymous class';
}

function isClassSource(fn: Function): boolean {
  try {
    return /^class\b/.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
