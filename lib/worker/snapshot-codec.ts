/**
 * Snapshots from inside the worker: the namespace is encoded where the live values are
 * and written to IndexedDB directly (one structured clone, by IndexedDB itself), through
 * the IndexedDB reference the engine saved before the policy removed it from user code.
 */
import type { GlobalNamespace } from '../namespace/namespace.ts';
import { createSnapshotStore, type SnapshotStore } from '../snapshot/database.ts';
import { decodeNamespace, type EncodeResult, encodeNamespace, type SnapshotPayload } from '../snapshot/format.ts';
import { deleteSnapshot, loadSnapshot, saveSnapshot } from '../snapshot/store.ts';
import type { SkippedVariable, SnapshotInfo } from '../types.ts';

export interface SnapshotEngine {
  /** Encodes the named variables (default: all). The record holds live values: clone it before the namespace changes. */
  encode(names?: string[]): EncodeResult;
  /** Puts a decoded payload's variables into the namespace. */
  decodeInto(payload: unknown): { restored: string[]; skipped: SkippedVariable[]; definitions: Record<string, string> };
  save(): Promise<SnapshotInfo>;
  persist(): Promise<SnapshotInfo>;
  restore(snapshotId?: string): Promise<{
    snapshotId: string;
    restored: string[];
    skipped: SkippedVariable[];
    definitions: Record<string, string>;
  }>;
  /** A pooled worker is started before it knows whose it is; the adopting session sets its id. */
  setSessionId(id: string): void;
}

interface EngineDeps {
  sessionId: string;
  factory?: IDBFactory;
  namespace: GlobalNamespace;
  definitions: () => Record<string, string>;
}

export function createSnapshotEngine({
  sessionId: initialId,
  factory,
  namespace,
  definitions,
}: EngineDeps): SnapshotEngine {
  let sessionId = initialId;
  let lastPersisted: string | undefined;
  let store: SnapshotStore | undefined;
  const getStore = () => (store ??= createSnapshotStore({ factory: factory ?? null }));
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

  // An EncodeResult carries the meta the store records (saved, skipped, bytes).
  const save = (): Promise<SnapshotInfo> => {
    const encoded = encode();
    return saveSnapshot(sessionId, encoded.record, encoded, getStore());
  };

  return {
    encode,
    decodeInto,
    save,
    async persist() {
      const info = await save();
      // Persisting after every cell keeps one record, not one per cell: the new one is latest before the old goes.
      const previous = lastPersisted;
      lastPersisted = info.id;
      if (previous && previous !== info.id) await deleteSnapshot(previous, getStore()).catch(() => {});
      return info;
    },
    setSessionId(id: string) {
      sessionId = id;
    },
    async restore(snapshotId?: string) {
      const { info, payload } = await loadSnapshot(snapshotId ?? { latestFor: sessionId }, getStore());
      const result = decodeInto(payload);
      return { snapshotId: info.id, ...result };
    },
  };
}
