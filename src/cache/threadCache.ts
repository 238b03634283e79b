// The cache as a worker thread (or the main thread analysing a few files inline) holds it: opened once per
// directory, its warnings collected for the next reply, and its writes left to commit while the thread works on.
import { openCache, type Cache } from './cache.js';

let cache: Promise<Cache | null> | undefined;
let openedDir: string | null = null;
const warnings: string[] = [];
/** Writes still in flight: a batch replies without waiting for its entries to be committed. */
const writes = new Set<Promise<void>>();

/** This thread's cache at `dir` (null: no cache, e.g. --no-cache, or none could be opened). */
export function threadCache(dir: string | null): Promise<Cache | null> {
  if (dir === null) return Promise.resolve(null);
  if (cache === undefined || openedDir !== dir) {
    openedDir = dir;
    cache = openCache({ dir, onWarning: (m) => warnings.push(m) }).catch((err: unknown) => {
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

/** Waits until every write started by this thread is committed (a cache failure is a miss, never thrown). */
export async function flushWrites(): Promise<void> {
  while (writes.size > 0) await Promise.all([...writes]);
}

/** The cache's warnings since the last call. */
export function takeCacheWarnings(): string[] {
  return warnings.splice(0);
}
