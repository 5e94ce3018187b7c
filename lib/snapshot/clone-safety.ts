/**
 * The clone-safety walk: before a namespace is stored, find what structured clone would
 * reject (functions, symbols, SharedArrayBuffers, platform objects it cannot copy) or
 * silently damage (symbol-keyed properties, private fields, the prototype of an instance of
 * a class that is not re-created from source), and say where, so the snapshot can skip that
 * variable with a reason instead of failing or coming back different. Also finds where the
 * instances of declared classes sit (their prototypes are restored by path) and estimates
 * the size. Pure: it only reads the values, never copies them.
 *
 *   cfg = { a: [1, Point{…}], f: () => 1 }
 *     → skipped: "contains a function at .f (functions inside values cannot be saved)"
 *   pts = [Point{…}]   (Point declared at top level)
 *     → instances: [{ variable, path: ['0'], className: 'Point' }]
 */

import { isPlainObject } from '../namespace/merge.ts';
import type { InstanceRef, PathStep } from './format.ts';

/** Private fields (`#x`) are invisible to structured clone; their instances would come back broken. */
const PRIVATE_FIELD = /#[A-Za-z_$\u0080-\uffff]/;

/** A top-level class (or function) declaration whose instances keep their prototype through a snapshot. */
export interface DeclaredClass {
  name: string;
  /** Its source declares private fields (`#x`): its instances cannot be saved. */
  privateFields: boolean;
}

/**
 * @param name - the variable the declaration created
 * @param source - the declaration's source text
 * @returns what the walk needs to know about the class
 */
export function declaredClass(name: string, source: string): DeclaredClass {
  return { name, privateFields: PRIVATE_FIELD.test(source) };
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

/** What {@link CloneSafetyWalk.check} found in a variable that can be saved. */
export interface CloneSafeVariable {
  /** Where instances of declared classes sit inside it. */
  instances: InstanceRef[];
  /** Estimated size in bytes (see `EncodeResult.bytes`). */
  bytes: number;
}

/**
 * Walks the variables of one snapshot, one after the other. Objects shared between variables are
 * walked once (the record is cloned as one graph, so sharing is kept).
 */
export class CloneSafetyWalk {
  /**
   * Which variable's walk last reached each object. An object reached by a variable that turned out saveable
   * needs no second look; one reached by a failed variable, or by none, is walked again. One Map for both
   * "seen in this walk" and "already checked" keeps the walk to one hash insert per object.
   */
  private readonly owner = new Map<object, number>();
  private readonly failed = new Set<number>();

  /** @param classes - the `prototype` of each declared class or function → that declaration */
  constructor(private readonly classes: Map<object, DeclaredClass>) {}

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
  check(root: unknown, variable: number): string | CloneSafeVariable {
    const walk = this.walks++;
    const outcome = this.walk(root, variable, walk);
    if (typeof outcome === 'string') this.failed.add(walk);
    return outcome;
  }

  /** Iterative, so a long linked list does not overflow the stack. */
  private walk(root: unknown, variable: number, walk: number): string | CloneSafeVariable {
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

/**
 * Own properties of a declared function beyond the built-in ones: a function is saved by its
 * source, so whatever was attached to it afterwards would be lost. A class's statics come
 * back from its source, so classes have none.
 */
export function addedFunctionProperties(fn: Function): string[] {
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

/** A record's path as text for a message: `.a["b-c"]<#3>` (numbers are Map/Set positions). */
export function describeSteps(path: PathStep[]): string {
  return path.length === 0
    ? '(the variable itself)'
    : path.map((s) => (typeof s === 'number' ? `<#${s}>` : keyLabel(s))).join('');
}

function keyLabel(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
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

/** `Name: message` of a thrown Error, else the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
