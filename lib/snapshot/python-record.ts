/**
 * The stored form of a Python session's snapshot. The Python engine encodes variables into
 * groups (pickle bytes per group of variables that share objects, see
 * lib/python/engine/sandcell_engine/snapshot.py); this wraps them in a record the page's
 * store can recognise and check, beside JavaScript records (./format.ts) under the same keys.
 */
import { SnapshotError } from '../errors.ts';
import { describeKind } from '../namespace/describe-value.ts';
import type { CheckpointGroup } from '../protocol.ts';

export const PYTHON_FORMAT_TAG = 'sandcell-python-snapshot';
export const PYTHON_FORMAT_VERSION = 1;

export interface PythonSnapshotPayload {
  format: typeof PYTHON_FORMAT_TAG;
  version: number;
  /** Each group: its variable names and the engine's payload (`{format, version, python, data}`). */
  groups: CheckpointGroup[];
  /** Over the names and data sizes (see {@link pythonChecksum}). */
  checksum: string;
}

/** Whether a stored value claims to be a Python record (it may still be damaged). */
export function isPythonRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { format?: unknown }).format === PYTHON_FORMAT_TAG;
}

export function toPythonRecord(groups: CheckpointGroup[]): PythonSnapshotPayload {
  const record: PythonSnapshotPayload = {
    format: PYTHON_FORMAT_TAG,
    version: PYTHON_FORMAT_VERSION,
    groups,
    checksum: '',
  };
  record.checksum = pythonChecksum(record);
  return record;
}

/**
 * Checks a stored Python record.
 * @throws SnapshotError 'corrupt' for another version, a wrong shape or a checksum mismatch
 */
export function validatePythonPayload(value: unknown): PythonSnapshotPayload {
  const corrupt = (what: string): never => {
    throw new SnapshotError(
      `[sandcell] the stored Python snapshot is ${what} — delete it with deleteSnapshot() and save a new one`,
      'corrupt',
    );
  };
  if (!isPythonRecord(value)) return corrupt(`not a sandcell Python snapshot (got ${describeKind(value)})`);
  const record = value as Partial<PythonSnapshotPayload>;
  if (record.version !== PYTHON_FORMAT_VERSION) {
    return corrupt(
      `in format version ${String(record.version)}, but this sandcell reads version ${PYTHON_FORMAT_VERSION}`,
    );
  }
  const groups: unknown = record.groups;
  if (
    !Array.isArray(groups) ||
    !groups.every((group: Partial<CheckpointGroup> | null) => {
      const data = (group?.payload as { data?: unknown } | undefined)?.data;
      return (
        typeof group === 'object' &&
        group !== null &&
        Array.isArray(group.names) &&
        group.names.every((name) => typeof name === 'string') &&
        data instanceof Uint8Array
      );
    })
  ) {
    return corrupt('damaged (bad groups)');
  }
  const typed = value as PythonSnapshotPayload;
  if (typeof record.checksum !== 'string' || record.checksum !== pythonChecksum(typed)) {
    return corrupt('damaged (checksum mismatch)');
  }
  return typed;
}

/** The groups of a record, validated (the worker checks again what the page checked). */
export function pythonRecordGroups(value: unknown): CheckpointGroup[] {
  return validatePythonPayload(value).groups;
}

/** FNV-1a (32-bit) over the names and each group's data length: catches truncated or hand-edited records. */
export function pythonChecksum(record: Omit<PythonSnapshotPayload, 'checksum'>): string {
  const text = JSON.stringify([
    record.format,
    record.version,
    record.groups.map((group) => [group.names, (group.payload as { data: Uint8Array }).data.byteLength]),
  ]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
