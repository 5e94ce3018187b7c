/**
 * Many sessions for one app: a limit on how many are open, a registry by id, and a warm
 * pool of sessions whose worker is already started (module loaded, runtime built, policy
 * applied), so opening a tab or an agent's task does not wait for a worker to boot.
 */
import { SessionClosedError, SessionLimitError } from '../errors.ts';
import { describeValue } from '../namespace/describe-value.ts';
import type { SessionOptions, SessionState } from '../types.ts';
import { hostSideOptions, validateSessionOptions, workerShape } from './options.ts';
import { adoptSession, Session, startPooledSession } from './session.ts';

/** Options of {@link SessionManager}. */
export interface SessionManagerOptions {
  /** How many sessions may be open at once (pooled ones not counted); default: no limit. */
  maxSessions?: number;
  /** How many pre-started sessions to keep ready; default 0 (no pool). */
  poolSize?: number;
  /** Options every `create()` starts from; pooled sessions are started with these. */
  defaults?: SessionOptions;
}

/** States in which a session is using its thread: starting a pooled worker then would compete with it. */
const BUSY_STATES: ReadonlySet<SessionState> = new Set(['busy', 'interrupting', 'restarting']);

function checkCount(option: string, value: unknown, min: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`[sandcell] ${option} must be an integer ≥ ${min}, got ${describeValue(value)}`);
  }
}

/**
 * Opens, tracks and limits sessions, handing out pre-started ones from a warm pool.
 *
 * ```ts
 * const manager = new SessionManager({ maxSessions: 8, poolSize: 2 });
 * const session = await manager.create({ id: 'tab-1' });   // from the pool: no worker start to wait for
 * ```
 */
export class SessionManager {
  private readonly maxSessions: number;
  private readonly poolSize: number;
  private readonly defaults: SessionOptions;
  private readonly poolShape: string;
  /** Open sessions handed out by `create()`, by id. */
  private readonly sessions = new Map<string, Session>();
  /** Ready pooled sessions, oldest first. */
  private readonly pool: Session[] = [];
  /** Pooled sessions whose worker is still starting. */
  private readonly warming = new Set<Session>();
  /** Slots reserved by `create()` calls still starting their session. */
  private pendingCreates = 0;
  private readonly reservedIds = new Set<string>();
  /** Callers of whenPoolReady() waiting for the pool to fill. */
  private readonly poolWaiters: Array<() => void> = [];
  /** Bumped by closeAll(): a pooled session that finishes starting after it is closed, not kept. */
  private epoch = 0;
  private refillScheduled = false;
  /** Set by closeAll() so closing sessions does not start new pooled workers; cleared by create(). */
  private refillSuspended = false;
  private readonly onSessionState = () => this.scheduleRefill();

  /**
   * @param options `maxSessions`, `poolSize` and the `defaults` every session starts from.
   * @throws {TypeError} for a bad count or bad defaults (naming the option and the value).
   */
  constructor(options: SessionManagerOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`[sandcell] SessionManager options must be an object, got ${describeValue(options)}`);
    }
    checkCount('maxSessions', options.maxSessions, 1);
    checkCount('poolSize', options.poolSize, 0);
    const defaults = validateSessionOptions(options.defaults ?? {});
    if (defaults.id !== undefined || defaults.restore) {
      throw new TypeError('[sandcell] defaults.id and defaults.restore are per session: pass them to create() instead');
    }
    this.maxSessions = options.maxSessions ?? Number.POSITIVE_INFINITY;
    this.poolSize = options.poolSize ?? 0;
    this.defaults = { ...defaults };
    this.poolShape = workerShape(this.defaults);
    this.scheduleRefill();
  }

  /**
   * Opens a session: a pooled one when one is ready and started with the same worker
   * options (policy, capability names, cacheSize, maxOutputBytes), else a new one.
   * @param options merged over the manager's `defaults`.
   * @returns the session, ready for a first cell (with `restore: true`, after the snapshot is back).
   * @throws {SessionLimitError} when `maxSessions` sessions are already open.
   * @throws {TypeError} for invalid options, or an `id` already open in this manager.
   */
  async create(options: SessionOptions = {}): Promise<Session> {
    const merged = validateSessionOptions({ ...this.defaults, ...validateSessionOptions(options) });
    const open = this.sessions.size + this.pendingCreates;
    if (open >= this.maxSessions) {
      throw new SessionLimitError(
        `[sandcell] this SessionManager already has ${open} open sessions (maxSessions is ${this.maxSessions}): close one (session.close()) before creating another, or raise maxSessions`,
      );
    }
    if (merged.id !== undefined && (this.sessions.has(merged.id) || this.reservedIds.has(merged.id))) {
      throw new TypeError(
        `[sandcell] a session with id ${JSON.stringify(merged.id)} is already open in this manager: use manager.get(id)`,
      );
    }
    this.refillSuspended = false;
    this.pendingCreates++;
    const epoch = this.epoch;
    if (merged.id !== undefined) this.reservedIds.add(merged.id);
    let session: Session | undefined;
    try {
      session = this.takePooled(merged);
      if (session) {
        adoptSession(session, hostSideOptions(merged));
        // With `restore: true`, ready() brings the latest snapshot of the adopted id back.
        if (merged.restore) await session.ready();
      } else {
        session = new Session(merged);
        await session.ready();
      }
      if (epoch !== this.epoch) {
        throw new SessionClosedError(
          '[sandcell] closeAll() was called while this session was starting; create it again',
        );
      }
    } catch (error) {
      await session?.close();
      throw error;
    } finally {
      this.pendingCreates--;
      if (merged.id !== undefined) this.reservedIds.delete(merged.id);
    }
    this.track(session);
    this.scheduleRefill();
    return session;
  }

  /** The open session with this id, if any. */
  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** The open sessions, in the order they were created (pooled ones not yet handed out are not listed). */
  list(): Session[] {
    return [...this.sessions.values()];
  }

  /** How many pre-started sessions are ready to hand out right now. */
  get pooled(): number {
    return this.pool.length;
  }

  /**
   * Resolves once the warm pool holds as many ready sessions as it can (`poolSize`, less
   * what `maxSessions` leaves room for) — e.g. to open the next session without a cold start.
   * Refilling waits while a session of this manager runs code, so this may take a while.
   */
  whenPoolReady(): Promise<void> {
    if (this.poolFull()) return Promise.resolve();
    this.refillSuspended = false;
    const ready = new Promise<void>((resolve) => this.poolWaiters.push(resolve));
    this.scheduleRefill();
    return ready;
  }

  /**
   * Closes every session, the pooled ones included: no worker of this manager is left running.
   * The manager stays usable; its pool refills on the next `create()`.
   */
  async closeAll(): Promise<void> {
    this.epoch++;
    this.refillSuspended = true;
    const all = [...this.sessions.values(), ...this.pool, ...this.warming];
    this.sessions.clear();
    this.pool.length = 0;
    this.warming.clear();
    await Promise.all(all.map((session) => session.close()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.closeAll();
  }

  // ── the pool ────────────────────────────────────────────────────────────────────

  private takePooled(merged: SessionOptions): Session | undefined {
    if (workerShape(merged) !== this.poolShape) return undefined;
    while (this.pool.length > 0) {
      const session = this.pool.shift()!;
      session.removeEventListener('state', this.onSessionState);
      if (session.state === 'idle') return session;
      void session.close();
    }
    return undefined;
  }

  private track(session: Session): void {
    this.sessions.set(session.id, session);
    const onState = () => {
      if (session.state === 'closed') {
        session.removeEventListener('state', onState);
        if (this.sessions.get(session.id) === session) this.sessions.delete(session.id);
      }
      this.scheduleRefill();
    };
    session.addEventListener('state', onState);
  }

  /** Refill once the current task ends, so a create() returns before a new worker is spawned. */
  private scheduleRefill(): void {
    if (this.refillScheduled || this.refillSuspended || this.poolSize === 0) return;
    this.refillScheduled = true;
    setTimeout(() => {
      this.refillScheduled = false;
      this.refill();
    }, 0);
  }

  private poolFull(): boolean {
    const room = this.maxSessions - this.sessions.size - this.pendingCreates;
    return this.pool.length >= Math.min(this.poolSize, room);
  }

  private wakePoolWaiters(): void {
    for (const resolve of this.poolWaiters.splice(0)) resolve();
  }

  /** Starts one pooled session at a time, and none while a session of this manager is running code (no polling: state events call this). */
  private refill(): void {
    // One at a time, and not while a create() is adopting: a worker start on the main thread would slow it down.
    if (this.warming.size > 0 || this.refillSuspended || this.pendingCreates > 0) return;
    if (this.poolFull()) {
      this.wakePoolWaiters();
      return;
    }
    for (const session of this.sessions.values()) if (BUSY_STATES.has(session.state)) return;
    const epoch = this.epoch;
    const session = startPooledSession({ ...this.defaults, persist: undefined });
    this.warming.add(session);
    session.ready().then(
      () => {
        this.warming.delete(session);
        if (epoch !== this.epoch || session.state !== 'idle') {
          void session.close();
          return;
        }
        this.pool.push(session);
        // A pooled session that crashes and restarts on its own stays pooled; one that closes is dropped.
        session.addEventListener('state', this.onSessionState);
        if (this.poolFull()) this.wakePoolWaiters();
        this.scheduleRefill();
      },
      () => {
        // A pool that cannot start a worker stops trying; create() then starts one itself and reports why.
        this.warming.delete(session);
        void session.close();
        this.wakePoolWaiters();
      },
    );
  }
}
