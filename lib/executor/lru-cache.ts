/**
 * A bounded map that forgets the least recently used entry first: the compiled-cell
 * cache keyed by source text (and whatever else changes the transform's output).
 */

import { describeValue } from '../namespace/describe-value.ts';
import { SafeMap } from '../primordials.ts';

/** Counters reported in `SessionStats.cache`. */
export interface LruCacheStats {
  size: number;
  capacity: number;
  hits: number;
  misses: number;
}

/** Least-recently-used cache with hit/miss counters. */
export class LruCache<K, V> {
  // A Map iterates in insertion order, so re-inserting on access keeps the oldest entry first.
  // A SafeMap: a hit is on the worker's hot path, where a cell's patches to Map.prototype must not reach.
  readonly #entries = new SafeMap<K, V>();
  readonly #capacity: number;
  #hits = 0;
  #misses = 0;

  /**
   * @param capacity Most entries kept; an integer of at least 1.
   * @throws {TypeError} If `capacity` is not an integer ≥ 1.
   */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new TypeError(`[sandcell] cache capacity must be an integer of at least 1, got ${describeValue(capacity)}`);
    }
    this.#capacity = capacity;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Most entries kept before the oldest is evicted. */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Looks up `key`, counting a hit or a miss; a hit makes the entry the most recent.
   * @returns The cached value, or `undefined` if absent.
   */
  get(key: K): V | undefined {
    if (!this.#entries.has(key)) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    const value = this.#entries.get(key) as V;
    this.#entries.delete(key);
    this.#entries.set(key, value);
    return value;
  }

  /** Whether `key` is cached, without counting it or refreshing it. */
  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Stores `value` as the most recent entry, evicting the least recently used one when full. */
  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as K;
      this.#entries.delete(oldest);
    }
    return this;
  }

  /** Size, capacity and the hit/miss counters since creation or the last `clear()`. */
  stats(): LruCacheStats {
    return { size: this.#entries.size, capacity: this.#capacity, hits: this.#hits, misses: this.#misses };
  }

  /** Drops every entry and resets the counters. */
  clear(): void {
    this.#entries.clear();
    this.#hits = 0;
    this.#misses = 0;
  }
}
