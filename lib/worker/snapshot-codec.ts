/**
 * The namespace turned into snapshot records and back, in the worker, where the live values
 * are. The worker never stores anything: a record goes to the page (structured-cloned by the
 * reply), and the page writes it to IndexedDB — user code shares this realm, so the engine
 * keeps no storage connection here that a cell could reach.
 */
import type { BindingKind, Namespace } from '../namespace/namespace.ts';
import {
  DefinitionGivenUp,
  decodeNamespace,
  type EncodeResult,
  encodeNamespace,
  type SnapshotPayload,
} from '../snapshot/format.ts';
import type { SkippedVariable } from '../types.ts';

export interface SnapshotCodec {
  /** Encodes the named variables (default: all). The record holds live values: send or clone it before the namespace changes. */
  encode(names?: string[]): EncodeResult;
  /**
   * Puts a record's variables into the namespace; returns what came back and the function
   * sources it re-created. Definitions in `givenUp` are not run: they are skipped with its reason.
   */
  decodeInto(
    payload: unknown,
    givenUp?: readonly SkippedVariable[],
  ): { restored: string[]; skipped: SkippedVariable[]; definitions: Record<string, string> };
}

interface CodecDeps {
  namespace: Namespace;
  /** Source of each live top-level function/class declaration, by name. */
  definitions: () => Record<string, string>;
  /**
   * Re-creates a top-level function or class from its source, the way a cell declares it
   * (so its free names reach the namespace as a cell's do), and returns its value.
   * @throws DefinitionGivenUp when it must not be tried again (it ran past its time limit).
   */
  define: (source: string, name: string) => unknown;
}

export function createSnapshotCodec({ namespace, definitions, define }: CodecDeps): SnapshotCodec {
  const encode = (names?: string[]): EncodeResult => {
    const values = new Map<string, unknown>();
    const all = definitions();
    const defs: Record<string, string> = {};
    const kinds = new Map<string, string>();
    for (const name of names ?? namespace.names()) {
      if (!namespace.has(name)) continue;
      values.set(name, namespace.get(name));
      kinds.set(name, namespace.kindOf(name) ?? 'global');
      if (Object.hasOwn(all, name)) defs[name] = all[name];
    }
    return encodeNamespace(values, defs, kinds);
  };

  const decodeInto = (payload: unknown, givenUp: readonly SkippedVariable[] = []) => {
    const reasons = new Map(givenUp.map(({ name, reason }) => [name, reason]));
    // Each function or class is installed as soon as it exists: `class B extends A` needs `A` in scope.
    let sources: Map<string, string> | undefined;
    // decodeNamespace (which validates the record first) hands each source over parenthesised,
    // as an expression; it is declared as the user wrote it instead.
    const result = decodeNamespace(payload as SnapshotPayload, (_expression, name) => {
      const reason = reasons.get(name);
      if (reason !== undefined) throw new DefinitionGivenUp(reason);
      sources ??= new Map((payload as SnapshotPayload).functions);
      return define(sources.get(name) as string, name);
    });
    const restoredDefinitions: Record<string, string> = {};
    for (const [name, value] of result.values) {
      namespace.restore(name, value, (result.kinds.get(name) ?? 'global') as BindingKind);
      const source = sources?.get(name);
      if (source !== undefined) restoredDefinitions[name] = source;
    }
    return { restored: result.restored, skipped: result.skipped, definitions: restoredDefinitions };
  };

  return { encode, decodeInto };
}
