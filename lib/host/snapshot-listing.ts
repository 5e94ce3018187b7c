/**
 * Snapshot listing and deletion from the page, without a session (the worker writes them;
 * both sides use the same store in this origin's IndexedDB).
 */
import { deleteSnapshot as deleteStored, listSnapshots as listStored } from '../snapshot/store.ts';
import type { SnapshotInfo } from '../types.ts';

/**
 * Lists saved snapshots, newest first.
 * @param sessionId only this session's (default: all).
 * @throws {SnapshotError} when IndexedDB is unavailable or a record is damaged.
 */
export function listSnapshots(sessionId?: string): Promise<SnapshotInfo[]> {
  return listStored(sessionId);
}

/**
 * Deletes one snapshot.
 * @throws {SnapshotError} cause 'not-found' when there is no such snapshot.
 */
export function deleteSnapshot(snapshotId: string): Promise<void> {
  return deleteStored(snapshotId);
}
