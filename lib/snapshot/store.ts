/**
 * Snapshots in IndexedDB, through idb-keyval. Each operation is a small
 * function whose last argument is the store (default: a database called
 * 'sandcell' in this context's `indexedDB`).
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

import { promisifyRequest, type UseStore } from 'idb-keyval';
import { SnapshotError } from '../errors.ts';
import type { SkippedVariable, SnapshotInfo } from '../types.ts';
import { FORMAT_VERSION, type SnapshotPayload, validatePayload } from './format.ts';

const OBJECT_STORE = 'snapshots';
const DB_VERSION = 1;
const PREFIX = `sandcell/v${FORMAT_VERSION}/`;

/** Options of {@link createSnapshotStore}. */
export interface SnapshotStoreOptions {
  /** Default 'sandcell'. */
  dbName?: string;
  /**
   * Default `globalThis.indexedDB`, read when the store is created — so a worker
   * can create its store before a policy lockdown removes the global. `null`
   * means there is none (every operation fails as 'unavailable').
   */
  factory?: IDBFactory | null;
  /** How long opening the database may take; default 5000 ms. */
  openTimeoutMs?: number;
}

/** Where snapshots live: one database, opened lazily and reopened if the browser closes it. */
export interface SnapshotStore {
  readonly dbName: string;
  /**
   * idb-keyval's `UseStore`: runs `callback` in one transaction and resolves once
   * that transaction has committed (readwrite ones with `durability: 'strict'`).
   * Errors come out as {@link SnapshotError}.
   */
  readonly use: UseStore;
  /** Closes the connection (idempotent); a later operation reopens it. */
  close(): void;
}

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
 * Creates a store.
 *
 * @param options - database name, IndexedDB factory, open time limit
 * @returns a store to pass as the last argument of the snapshot functions
 * @throws TypeError for a bad `openTimeoutMs`
 */
export function createSnapshotStore(options: SnapshotStoreOptions = {}): SnapshotStore {
  const dbName = options.dbName ?? 'sandcell';
  const factory = options.factory === undefined ? (globalThis.indexedDB ?? null) : options.factory;
  const timeoutMs = options.openTimeoutMs ?? 5000;
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0)) {
    throw new TypeError(`[sandcell] openTimeoutMs must be a positive number, got ${String(timeoutMs)}`);
  }

  let dbp: Promise<IDBDatabase> | undefined;
  /** Connections the browser closed on us (storage cleared, disk error): worth one retry. */
  const lost = new WeakSet<IDBDatabase>();

  const getDB = (): Promise<IDBDatabase> => {
    if (dbp) return dbp;
    const opening = openDatabase(factory, dbName, timeoutMs);
    dbp = opening;
    opening.then(
      (db) => {
        // The browser may close the connection (Safari does so at random; Chrome when site data is cleared).
        db.onclose = () => {
          lost.add(db);
          if (dbp === opening) dbp = undefined;
        };
        // Someone wants to delete or upgrade the database: step aside rather than block them.
        db.onversionchange = () => {
          db.close();
          lost.add(db);
          if (dbp === opening) dbp = undefined;
        };
      },
      () => {
        if (dbp === opening) dbp = undefined;
      },
    );
    return opening;
  };

  const run = async <T>(
    mode: IDBTransactionMode,
    callback: (store: IDBObjectStore) => T | PromiseLike<T>,
    retried: boolean,
  ): Promise<T> => {
    const db = await getDB();
    let tx: IDBTransaction;
    try {
      tx = db.transaction(OBJECT_STORE, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
    } catch (error) {
      // InvalidStateError: the connection was closed after we cached it.
      if (retried) throw toSnapshotError(error);
      await forget(db);
      return run(mode, callback, true);
    }
    const done = transactionDone(tx);
    try {
      const result = await callback(tx.objectStore(OBJECT_STORE));
      await done;
      return result;
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // Already committed or aborted.
      }
      const failure = await done.then(
        () => error,
        (txError: unknown) => (isDOMException(error) ? error : (txError ?? error)),
      );
      // The close event follows the aborts of the connection's transactions: give it a turn to arrive.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (retried || !lost.has(db)) throw toSnapshotError(failure);
      await forget(db);
      return run(mode, callback, true);
    }
  };

  /** Drops a connection that turned out closed, so the next operation opens a fresh one. */
  const forget = async (db: IDBDatabase): Promise<void> => {
    lost.add(db);
    db.close();
    const current = dbp;
    if (current && (await current.catch(() => undefined)) === db && dbp === current) dbp = undefined;
  };

  return {
    dbName,
    use: (mode, callback) => run(mode, callback, false),
    close() {
      const closing = dbp;
      dbp = undefined;
      closing?.then(
        (db) => db.close(),
        () => {},
      );
    },
  };
}

let defaultStore: SnapshotStore | undefined;

/**
 * The store used when none is passed: database 'sandcell' in this context's
 * `indexedDB`, created on first use.
 *
 * @returns the shared default store
 */
export function defaultSnapshotStore(): SnapshotStore {
  defaultStore ??= createSnapshotStore();
  return defaultStore;
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
  payload: SnapshotPayload,
  meta: SnapshotMeta,
  store: SnapshotStore = defaultSnapshotStore(),
): Promise<SnapshotInfo> {
  if (typeof sessionId !== 'string' || sessionId === '') {
    throw new TypeError(`[sandcell] sessionId must be a non-empty string, got ${JSON.stringify(sessionId)}`);
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
  return { info: validateInfo(info, id), payload: validatePayload(payload) };
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

function openDatabase(factory: IDBFactory | null, dbName: string, timeoutMs: number): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    if (!factory) {
      reject(
        new SnapshotError(
          '[sandcell] IndexedDB is not available here — snapshots need a browser context with IndexedDB (some private modes and sandboxed iframes have none)',
          'unavailable',
        ),
      );
      return;
    }
    let settled = false;
    const fail = (error: SnapshotError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new SnapshotError(
            `[sandcell] opening IndexedDB database "${dbName}" did not finish within ${timeoutMs} ms — another tab may be upgrading or deleting it; close other tabs of this site and try again`,
            'unavailable',
          ),
        ),
      timeoutMs,
    );
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(dbName, DB_VERSION);
    } catch (error) {
      // SecurityError is thrown synchronously for opaque origins and when storage is blocked.
      fail(unavailable(error, 'open the snapshot database'));
      return;
    }
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(OBJECT_STORE)) db.createObjectStore(OBJECT_STORE);
    };
    request.onsuccess = () => {
      const db = request.result;
      if (settled) {
        db.close();
        return;
      }
      if (!db.objectStoreNames.contains(OBJECT_STORE)) {
        db.close();
        fail(
          new SnapshotError(
            `[sandcell] IndexedDB database "${dbName}" exists but is not a sandcell snapshot database — pass another dbName to createSnapshotStore`,
            'corrupt',
          ),
        );
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve(db);
    };
    request.onerror = (event) => {
      event?.preventDefault?.();
      fail(unavailable(request.error, 'open the snapshot database'));
    };
    request.onblocked = () =>
      fail(
        new SnapshotError(
          `[sandcell] opening IndexedDB database "${dbName}" is blocked by another tab holding it open — close other tabs of this site and try again`,
          'unavailable',
        ),
      );
  });
}

/** Resolves when the transaction commits, rejects with its error when it aborts. Listeners, not `on*` properties: idb-keyval's helpers set those. */
function transactionDone(tx: IDBTransaction): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    tx.addEventListener('complete', () => resolve());
    tx.addEventListener('abort', () => reject(tx.error));
    tx.addEventListener('error', () => reject(tx.error));
  });
  // Awaited only once the callback settles; don't report it as unhandled before that.
  done.catch(() => {});
  return done;
}

function toSnapshotError(error: unknown): SnapshotError {
  if (error instanceof SnapshotError) return error;
  const name = nameOf(error);
  if (name === 'QuotaExceededError') {
    return new SnapshotError(
      `[sandcell] not enough storage to save the snapshot (${describe(error)}) — delete old snapshots with deleteSnapshot() or free up storage for this site`,
      'quota',
      { error },
    );
  }
  if (name === 'DataCloneError') {
    return new SnapshotError(
      `[sandcell] the snapshot holds a value IndexedDB cannot store (${describe(error)}) — delete or convert that variable and save again`,
      'corrupt',
      { error },
    );
  }
  return unavailable(error, 'use the snapshot database');
}

function unavailable(error: unknown, doing: string): SnapshotError {
  return new SnapshotError(
    `[sandcell] could not ${doing}: IndexedDB failed (${describe(error)}) — try again; if it keeps failing, storage may be disabled for this site (private mode, blocked cookies) or damaged`,
    'unavailable',
    { error },
  );
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

function nameOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string'
    ? (error as { name: string }).name
    : '';
}

function isDOMException(error: unknown): boolean {
  return typeof DOMException !== 'undefined' && error instanceof DOMException;
}

function describe(error: unknown): string {
  if (error === null || error === undefined) return 'the transaction was aborted';
  const message = typeof (error as { message?: unknown }).message === 'string' ? (error as Error).message : '';
  const name = nameOf(error);
  return name ? `${name}${message ? `: ${message}` : ''}` : String(error);
}
