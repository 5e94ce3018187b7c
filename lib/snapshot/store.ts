/**
 * Snapshot operations on IndexedDB: save, load, list, delete. Each is a small
 * function whose last argument is the store (./database.ts; default: a database
 * called 'sandcell' in this context's `indexedDB`), idb-keyval style.
 *
 * Layout, one object store, string keys (session ids URI-encoded so they never
 * contain '/'):
 *
 *   sandcell/v1/<session>/data/<uniq>   SnapshotPayload (the big one)
 *   sandcell/v1/<session>/info/<uniq>   SnapshotInfo (small: listing never reads data)
 *   sandcell/v1/<session>/latest        snapshot id of the newest snapshot
 *
 * A snapshot id is `<session>/<uniq>`. A save writes all three keys in ONE
 * readwrite transaction with strict durability: if anything fails, nothing
 * changes and the previous snapshot stays readable.
 */

import { promisifyRequest } from 'idb-keyval';
import { SnapshotError } from '../errors.ts';
import { describeValue } from '../namespace/describe-value.ts';
import type { SkippedVariable, SnapshotInfo } from '../types.ts';
import { defaultSnapshotStore, type SnapshotStore } from './database.ts';
import { FORMAT_VERSION, type SnapshotPayload, validatePayload } from './format.ts';
import { isPythonRecord, type PythonSnapshotPayload } from './python-record.ts';

/** A stored record: a JavaScript session's namespace, or a Python session's. */
export type StoredPayload = SnapshotPayload | PythonSnapshotPayload;

const PREFIX = `sandcell/v${FORMAT_VERSION}/`;

/** What the encoder knows about a snapshot (see `EncodeResult`); stored with it. */
export interface SnapshotMeta {
  saved: string[];
  skipped: SkippedVariable[];
  /** Estimated size of the payload (see `EncodeResult.bytes`). */
  bytes: number;
}

/** The keys one snapshot occupies. */
export interface SnapshotKeys {
  sessionId: string;
  data: string;
  info: string;
  latest: string;
}

/**
 * Saves a snapshot and makes it the session's latest, atomically.
 *
 * @param sessionId - the session the snapshot belongs to
 * @param payload - the record from `encodeNamespace` (cloned by IndexedDB during this call)
 * @param meta - saved/skipped names and size estimate from `encodeNamespace`
 * @param store - default {@link defaultSnapshotStore}
 * @returns the stored snapshot's info
 * @throws SnapshotError 'quota' when storage is full, 'unavailable' when IndexedDB
 *   cannot be used, 'corrupt' when the payload holds a value IndexedDB cannot store;
 *   in every case the previous snapshot is left as it was
 * @throws TypeError when `sessionId` is not a non-empty string
 */
export async function saveSnapshot(
  sessionId: string,
  payload: StoredPayload,
  meta: SnapshotMeta,
  store: SnapshotStore = defaultSnapshotStore(),
): Promise<SnapshotInfo> {
  if (typeof sessionId !== 'string' || sessionId === '') {
    throw new TypeError(`[sandcell] sessionId must be a non-empty string, got ${describeValue(sessionId)}`);
  }
  const id = `${encodeURIComponent(sessionId)}/${uniquePart()}`;
  const keys = snapshotKeys(id) as SnapshotKeys;
  const info: SnapshotInfo = {
    id,
    sessionId,
    createdAt: Date.now(),
    bytes: meta.bytes,
    saved: [...meta.saved],
    skipped: meta.skipped.map(({ name, reason }) => ({ name, reason })),
  };
  await store.use('readwrite', (objects) => {
    // The payload first: it is the one that can fail to clone, before anything else is queued.
    objects.put(payload, keys.data);
    objects.put(info, keys.info);
    objects.put(id, keys.latest);
  });
  return info;
}

/**
 * Reads a snapshot back.
 *
 * @param target - a snapshot id, or `{ latestFor: sessionId }` for that session's newest
 * @param store - default {@link defaultSnapshotStore}
 * @returns its info and its validated payload (ready for `decodeNamespace`)
 * @throws SnapshotError 'not-found' when there is no such snapshot, 'corrupt' when
 *   the stored record is damaged or not ours, 'unavailable' when IndexedDB cannot be used
 */
export async function loadSnapshot(
  target: string | { latestFor: string },
  store: SnapshotStore = defaultSnapshotStore(),
): Promise<{ info: SnapshotInfo; payload: SnapshotPayload }> {
  const { info, payload } = await loadStoredSnapshot(target, store);
  return { info, payload: validatePayload(payload) };
}

/**
 * As {@link loadSnapshot}, for a record of either language: a JavaScript session's, validated
 * here, or a Python session's (./python-record.ts), validated by the Python worker.
 */
export async function loadStoredSnapshot(
  target: string | { latestFor: string },
  store: SnapshotStore = defaultSnapshotStore(),
): Promise<{ info: SnapshotInfo; payload: StoredPayload }> {
  const [info, payload, id] = await store.use('readonly', async (objects) => {
    let snapshotId: unknown;
    if (typeof target === 'string') {
      snapshotId = target;
    } else {
      snapshotId = await promisifyRequest(objects.get(`${PREFIX}${encodeURIComponent(target.latestFor)}/latest`));
      if (snapshotId === undefined) {
        throw new SnapshotError(
          `[sandcell] no snapshot saved for session ${JSON.stringify(target.latestFor)} — save one with session.snapshot() first`,
          'not-found',
        );
      }
      if (typeof snapshotId !== 'string') throw corruptRecord('latest pointer', `for session ${target.latestFor}`);
    }
    const keys = snapshotKeys(snapshotId as string);
    if (keys === undefined) throw notFound(snapshotId as string);
    return Promise.all([
      promisifyRequest(objects.get(keys.info)),
      promisifyRequest(objects.get(keys.data)),
      snapshotId as string,
    ]);
  });
  if (info === undefined && payload === undefined) throw notFound(id);
  if (info === undefined || payload === undefined) throw corruptRecord('snapshot', `${id} is incomplete`);
  // A Python record is checked where it is read, by the Python worker (validatePythonPayload),
  // which keeps its checker out of the page's bundle.
  const valid = isPythonRecord(payload) ? (payload as PythonSnapshotPayload) : validatePayload(payload);
  return { info: validateInfo(info, id), payload: valid };
}

/**
 * Lists snapshots, newest first.
 *
 * @param sessionId - only this session's; default every session's
 * @param store - default {@link defaultSnapshotStore}
 * @returns their infos (payloads are not read)
 * @throws SnapshotError 'unavailable' when IndexedDB cannot be used, 'corrupt' when an info record is damaged
 */
export async function listSnapshots(
  sessionId?: string,
  store: SnapshotStore = defaultSnapshotStore(),
): Promise<SnapshotInfo[]> {
  const found = await store.use('readonly', async (objects) => {
    if (sessionId !== undefined) {
      const prefix = `${PREFIX}${encodeURIComponent(sessionId)}/info/`;
      const [keys, values] = await Promise.all([
        promisifyRequest(objects.getAllKeys(prefixRange(prefix))),
        promisifyRequest(objects.getAll(prefixRange(prefix))),
      ]);
      return values.map((value, i) => [value, keys[i]] as const);
    }
    // Keys only: reading every value in the prefix would load every payload.
    const keys = await promisifyRequest(objects.getAllKeys(prefixRange(PREFIX)));
    const infoKeys = keys.filter((key): key is string => typeof key === 'string' && key.split('/')[3] === 'info');
    const values = await Promise.all(infoKeys.map((key) => promisifyRequest(objects.get(key))));
    return values.map((value, i) => [value, infoKeys[i]] as const);
  });
  const infos = found.map(([value, key]) => validateInfo(value, idOfInfoKey(String(key))));
  return infos.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/**
 * Deletes a snapshot. If it was its session's latest, the next newest becomes latest.
 *
 * @param snapshotId - from `SnapshotInfo.id`
 * @param store - default {@link defaultSnapshotStore}
 * @throws SnapshotError 'not-found' when there is no such snapshot, 'unavailable' when IndexedDB cannot be used
 */
export async function deleteSnapshot(snapshotId: string, store: SnapshotStore = defaultSnapshotStore()): Promise<void> {
  const keys = snapshotKeys(snapshotId);
  if (keys === undefined) throw notFound(snapshotId);
  await store.use('readwrite', async (objects) => {
    const [info, data, latest] = await Promise.all([
      promisifyRequest(objects.getKey(keys.info)),
      promisifyRequest(objects.getKey(keys.data)),
      promisifyRequest(objects.get(keys.latest)),
    ]);
    if (info === undefined && data === undefined) throw notFound(snapshotId);
    objects.delete(keys.info);
    objects.delete(keys.data);
    if (latest !== snapshotId) return;
    // Info keys sort by creation (see uniquePart), so the last remaining one is the newest.
    const infoPrefix = keys.info.slice(0, keys.info.lastIndexOf('/') + 1);
    const remaining = await promisifyRequest(objects.getAllKeys(prefixRange(infoPrefix)));
    const newest = remaining.filter((key) => key !== keys.info).pop();
    if (newest === undefined) objects.delete(keys.latest);
    else objects.put(idOfInfoKey(String(newest)), keys.latest);
  });
}

/**
 * The keys a snapshot id maps to.
 *
 * @param snapshotId - `<URI-encoded session id>/<unique part>`
 * @returns its keys, or `undefined` when the id is not one of ours
 */
export function snapshotKeys(snapshotId: string): SnapshotKeys | undefined {
  if (typeof snapshotId !== 'string') return undefined;
  const parts = snapshotId.split('/');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  let sessionId: string;
  try {
    sessionId = decodeURIComponent(parts[0]);
  } catch {
    return undefined;
  }
  const base = `${PREFIX}${parts[0]}`;
  return { sessionId, data: `${base}/data/${parts[1]}`, info: `${base}/info/${parts[1]}`, latest: `${base}/latest` };
}

// ---------------------------------------------------------------------------

let lastTime = 0;
let sequence = 0;

/** Sortable by creation within this context: zero-padded time, a counter for the same millisecond, then randomness. */
function uniquePart(): string {
  const now = Date.now();
  sequence = now === lastTime ? sequence + 1 : 0;
  lastTime = now;
  const random = Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, '0');
  return `${now.toString(36).padStart(9, '0')}-${sequence.toString(36).padStart(3, '0')}${random}`;
}

function idOfInfoKey(key: string): string {
  const [, , session, , uniq] = key.split('/');
  return `${session}/${uniq}`;
}

function prefixRange(prefix: string): IDBKeyRange {
  return IDBKeyRange.bound(prefix, `${prefix}\uffff`);
}

function notFound(snapshotId: string): SnapshotError {
  return new SnapshotError(
    `[sandcell] no snapshot with id ${JSON.stringify(snapshotId)} — list the saved ones with listSnapshots()`,
    'not-found',
  );
}

function corruptRecord(what: string, detail: string): SnapshotError {
  return new SnapshotError(
    `[sandcell] the stored ${what} is damaged (${detail}) — delete it with deleteSnapshot() and save a new one`,
    'corrupt',
  );
}

function validateInfo(value: unknown, id: string): SnapshotInfo {
  const info = value as Partial<SnapshotInfo> | null;
  const ok =
    typeof info === 'object' &&
    info !== null &&
    info.id === id &&
    typeof info.sessionId === 'string' &&
    typeof info.createdAt === 'number' &&
    typeof info.bytes === 'number' &&
    Array.isArray(info.saved) &&
    Array.isArray(info.skipped);
  if (!ok) throw corruptRecord('snapshot info', `${id} is not a sandcell snapshot info record`);
  return info as SnapshotInfo;
}
