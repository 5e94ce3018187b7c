/**
 * The namespace turned into snapshot records and back, in the worker, where the live values
 * are. The worker never stores anything: a record goes to the page (structured-cloned by the
 * reply), and the page writes it to IndexedDB — user code shares this realm, so the engine
 * keeps no storage connection here that a cell could reach.
 */
import type { GlobalNamespace } from '../namespace/namespace.ts';
import { decodeNamespace, type EncodeResult, encodeNamespace, type SnapshotPayload } from '../snapshot/format.ts';
import type { SkippedVariable } from '../types.ts';

export interface SnapshotCodec {
  /** Encodes the named variables (default: all). The record holds live values: send or clone it before the namespace changes. */
  encode(names?: string[]): EncodeResult;
  /** Puts a record's variables into the namespace; returns what came back and the function sources it re-created. */
  decodeInto(payload: unknown): { restored: string[]; skipped: SkippedVariable[]; definitions: Record<string, string> };
}

interface CodecDeps {
  namespace: GlobalNamespace;
  /** Source of each live top-level function/class declaration, by name. */
  definitions: () => Record<string, string>;
}

export function createSnapshotCodec({ namespace, definitions }: CodecDeps): SnapshotCodec {
  // Indirect eval: re-created functions and classes live in global scope, like the cells that made them.
  const evaluate = globalThis.eval as (source: string) => unknown;

  const encode = (names?: string[]): EncodeResult => {
    const values = new Map<string, unknown>();
    const all = definitions();
    const defs: Record<string, string> = {};
    for (const name of names ?? namespace.names()) {
      if (!namespace.has(name)) continue;
      values.set(name, namespace.get(name));
      if (Object.hasOwn(all, name)) defs[name] = all[name];
    }
    return encodeNamespace(values, defs);
  };

  const decodeInto = (payload: unknown) => {
    // Each function or class is installed as soon as it exists: `class B extends A` needs `A` in scope.
    const result = decodeNamespace(payload as SnapshotPayload, (source, name) => {
      const value = evaluate(source);
      namespace.set(name, value);
      return value;
    });
    const restoredDefinitions: Record<string, string> = {};
    const sources = new Map((payload as SnapshotPayload).functions ?? []);
    for (const [name, value] of result.values) {
      namespace.set(name, value);
      const source = sources.get(name);
      if (source !== undefined) restoredDefinitions[name] = source;
    }
    return { restored: result.restored, skipped: result.skipped, definitions: restoredDefinitions };
  };

  return { encode, decodeInto };
}
