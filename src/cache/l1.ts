// The in-process first level of the cache: packed entries in an LRU bounded by bytes, not by count, because
// one file's analysis can be a few hundred bytes or several megabytes.

/** One L1 entry: the packed value and, for entries with a TTL, when it stops being served. */
interface L1Entry {
  bytes: Uint8Array;
  /** Epoch milliseconds; `undefined` never expires. */
  expires: number | undefined;
}

/**
 * A least-recently-used map from key to packed bytes whose accounted size (the sum of `bytes.byteLength`)
 * never exceeds `budget`. A Map iterates in insertion order, so re-inserting on every hit keeps the least
 * recently used entry first and eviction is O(1) per entry.
 */
export class ByteLru {
  readonly budget: number;
  #entries = new Map<string, L1Entry>();
  #size = 0;
  readonly #now: () => number;

  /**
   * @param budget bytes the entries may take together; 0 disables the L1.
   * @param now clock for TTLs, injectable for tests; keyv expires entries with `Date.now` too.
   */
  constructor(budget: number, now: () => number = Date.now) {
    if (!Number.isFinite(budget) || budget < 0) throw new RangeError(`L1 budget must be a non-negative number of bytes (got ${budget})`);
    this.budget = Math.floor(budget);
    this.#now = now;
  }

  /** Accounted bytes: the sum of the byte lengths of the entries held. */
  get size(): number {
    return this.#size;
  }

  /** Number of entries held. */
  get count(): number {
    return this.#entries.size;
  }

  /** The bytes under `key`, marking it most recently used; an expired entry is dropped and missed. */
  get(key: string): Uint8Array | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires !== undefined && this.#now() > entry.expires) {
      this.delete(key);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.bytes;
  }

  /**
   * Stores `bytes` under `key` and evicts least recently used entries until the budget holds. An entry larger
   * than the whole budget is not kept (it would evict everything and then itself), and any older value under
   * the key is dropped so a stale value is never served.
   */
  set(key: string, bytes: Uint8Array, expires?: number): void {
    this.delete(key);
    if (bytes.byteLength > this.budget) return;
    this.#entries.set(key, { bytes, expires });
    this.#size += bytes.byteLength;
    for (const [oldest, entry] of this.#entries) {
      if (this.#size <= this.budget) break;
      this.#entries.delete(oldest);
      this.#size -= entry.bytes.byteLength;
    }
  }

  /** Drops `key`; true if it was held. */
  delete(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry === undefined) return false;
    this.#entries.delete(key);
    this.#size -= entry.bytes.byteLength;
    return true;
  }

  /** Drops every key that starts with `prefix` (all keys when it is empty). */
  deletePrefix(prefix: string): void {
    if (prefix === '') {
      this.clear();
      return;
    }
    for (const key of [...this.#entries.keys()]) if (key.startsWith(prefix)) this.delete(key);
  }

  clear(): void {
    this.#entries.clear();
    this.#size = 0;
  }

  /** Keys and bytes from least to most recently used (for tests and diagnostics; does not touch recency). */
  *entries(): IterableIterator<[string, Uint8Array]> {
    for (const [key, entry] of this.#entries) yield [key, entry.bytes];
  }
}
