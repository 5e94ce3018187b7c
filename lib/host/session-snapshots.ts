/**
 * A session's snapshots, kept by the page: the worker encodes the namespace into a record and
 * sends it over; the page writes it to this origin's IndexedDB, and reads it back for a
 * restore. The worker holds no storage connection (user code shares its realm), and under
 * `sandbox`/`standard` its opaque origin could not open the page's database anyway.
 */
import type { EncodedSnapshot } from '../protocol.ts';
import { defaultSnapshotStore, type SnapshotStore } from '../snapshot/database.ts';
import { deleteSnapshot, loadStoredSnapshot, type StoredPayload, saveSnapshot } from '../snapshot/store.ts';
import type { SnapshotInfo } from '../types.ts';

export class SessionSnapshots {
  /** The record `persist: true` wrote last: the next one replaces it (one persisted record per session). */
  private lastPersisted?: string;

  /** @param sessionId the session's current id (a pooled session takes its id when it is handed out). */
  constructor(
    private readonly sessionId: () => string,
    private readonly store: SnapshotStore = defaultSnapshotStore(),
  ) {}

  /** Writes a record under the session's id (one transaction: a failure leaves the previous one intact). */
  save(encoded: EncodedSnapshot): Promise<SnapshotInfo> {
    return saveSnapshot(this.sessionId(), encoded.record as StoredPayload, encoded, this.store);
  }

  /** Writes a `persist: true` record, then deletes the one persisted before it. */
  async persist(encoded: EncodedSnapshot): Promise<SnapshotInfo> {
    const info = await this.save(encoded);
    const previous = this.lastPersisted;
    this.lastPersisted = info.id;
    // The new record is already the latest: losing the old one's deletion costs only space.
    if (previous && previous !== info.id) await deleteSnapshot(previous, this.store).catch(() => {});
    return info;
  }

  /** Reads a record (default: the latest of this session's id), validated. @throws {SnapshotError} */
  load(snapshotId?: string): Promise<{ info: SnapshotInfo; payload: StoredPayload }> {
    return loadStoredSnapshot(snapshotId ?? { latestFor: this.sessionId() }, this.store);
  }
}
