// What configures the shared (Redis) tier of the cache, and the names it uses, without loading the Redis client:
// commands, worker tasks and the cache facade need these; only a run with a shared cache loads redisStore.ts.

/** Where the shared tier lives and how it behaves. Plain data: it travels to worker threads in every task. */
export interface SharedCacheConfig {
  /** `redis://[user:password@]host:port/db` (`rediss://` for TLS). */
  url: string;
  /**
   * Time to live of every shared entry, in milliseconds, so the shared cache cannot grow without bound.
   * @default DEFAULT_SHARED_TTL_MS (7 days)
   */
  ttlMs: number;
  /**
   * Keep the local (lmdb) store in front of Redis; false reads and writes Redis only.
   * @default true
   */
  local: boolean;
  /**
   * Budget of one batch operation (and of the first connection) in milliseconds; slower counts as an outage.
   * @default DEFAULT_SHARED_TIMEOUT_MS
   */
  timeoutMs: number;
}

export const DEFAULT_SHARED_TTL_MS = 7 * 24 * 3600 * 1000;
export const DEFAULT_SHARED_TIMEOUT_MS = 500;

/** Every key quarry writes to Redis starts with this, so a shared database can hold other data too. */
export const SHARED_KEY_PREFIX = 'quarry:';

/** Warnings about the shared tier start with this; a command prints the first of them only (one per thread otherwise). */
export const SHARED_WARNING_PREFIX = 'shared cache ';

/** `url` without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
