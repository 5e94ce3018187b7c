/**
 * The snapshot database: one IndexedDB database with one object store, reached through
 * idb-keyval's `UseStore` shape so the operations (./store.ts) stay small functions that
 * take the store as their last argument. This module owns the connection: opened lazily
 * under a time limit, reopened once when the browser closed it under us, and every
 * IndexedDB failure turned into a {@link SnapshotError} whose cause says what to do
 * ('quota', 'unavailable', 'corrupt').
 */

import type { UseStore } from 'idb-keyval';
import { SnapshotError } from '../errors.ts';
import { describeValue } from '../namespace/describe-value.ts';

/** The one object store of the database; the schema version below creates it. */
const OBJECT_STORE = 'snapshots';
const DB_VERSION = 1;

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
    throw new TypeError(`[sandcell] openTimeoutMs must be a positive number, got ${describeValue(timeoutMs)}`);
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

// ---------------------------------------------------------------------------

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
