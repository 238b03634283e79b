// The cache as a worker thread (or the main thread analysing a few files inline) holds it: opened once per
// directory, its warnings collected for the next reply, and its writes left to commit while the thread works on.
import { openCache, type Cache } from './cache.js';
import type { SharedCacheConfig } from './sharedConfig.js';

/**
 * A thread's batches write their entries in groups of this many bytes (see CacheOptions.writeBehindBytes). A cold
 * index of the corpus wrote 0.11 GB to disk, against 1.5 GB with one commit a batch (243 of them). Not with a
 * shared tier: there a batch's entries go to Redis at once, for the other runners, and a Redis write is no disk commit.
 */
const WRITE_BEHIND_BYTES = 4 << 20;

let cache: Promise<Cache | null> | undefined;
/** What the open cache was opened with: directory and shared tier. */
let openedWith: string | undefined;
const warnings: string[] = [];
/** Writes still in flight: a batch replies without waiting for its entries to be committed. */
const writes = new Set<Promise<void>>();

/**
 * This thread's cache at `dir` (null: no cache, e.g. --no-cache, or none could be opened), with the shared tier
 * when one is configured. Every thread of a run gets the same task fields, hence the same configuration.
 */
export function threadCache(dir: string | null, shared?: SharedCacheConfig | null): Promise<Cache | null> {
  if (dir === null) return Promise.resolve(null);
  const config = JSON.stringify([dir, shared ?? null]);
  if (cache === undefined || openedWith !== config) {
    openedWith = config;
    cache = openCache({
      dir,
      shared: shared ?? undefined,
      writeBehindBytes: shared ? 0 : WRITE_BEHIND_BYTES,
      onWarning: (m) => warnings.push(m),
    }).catch((err: unknown) => {
      warnings.push(`cache unavailable: ${String(err)}`);
      return null;
    });
  }
  return cache;
}

/** Lets `write` commit in the background; `flushWrites` waits for it. */
export function trackWrite(write: Promise<void>): void {
  const tracked = write.finally(() => writes.delete(tracked));
  writes.add(tracked);
}

/**
 * Waits until every write started by this thread is committed (a cache failure is a miss, never thrown); answers the
 * cache warnings not yet taken, which is where a refused write of the last batch shows.
 */
export async function flushWrites(): Promise<string[]> {
  // The cache writes what it holds back first: the batches' tracked writes wait for that.
  await (await cache)?.flush();
  while (writes.size > 0) await Promise.all([...writes]);
  return takeCacheWarnings();
}

/** The cache's warnings since the last call. */
export function takeCacheWarnings(): string[] {
  return warnings.splice(0);
}

/** This thread's cache counts (bytes read and written, errors) as attributes of `span`, the same on every batch span. */
export function setCacheAttrs(span: { set(key: string, value: number): void }, store: Cache): void {
  const st = store.stats();
  span.set('cache_bytes_read', st.bytesRead);
  span.set('cache_bytes_written', st.bytesWritten);
  span.set('cache_errors', st.errors);
}
