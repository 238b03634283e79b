// The key of one cache entry: `<namespace>:<version>:<content-hash>`, so a renamed or reverted file hits
// and a new analysis version never reads an old entry.

/**
 * Builds the key of an entry. The namespace may not contain `:` because `clear(ns)` removes every key that
 * starts with `ns:`; a namespace `a` must not swallow a namespace `a:b`.
 */
export function cacheKey(ns: string, version: string | number, hash: string): string {
  return `${namespacePrefix(ns)}${version}:${hash}`;
}

/** The prefix shared by every key of a namespace (`ns:`). */
export function namespacePrefix(ns: string): string {
  // A programming error, not a run-time condition: fail loudly at the call site's first test.
  if (ns === '' || ns.includes(':')) throw new TypeError(`cache namespace must be non-empty and free of ':' (got ${JSON.stringify(ns)})`);
  return `${ns}:`;
}

/**
 * Namespaces named `local-…` hold what is true of this machine only (paths, mtimes): a shared tier never gets their
 * entries, nor is asked for them (see TieredStore).
 */
export const LOCAL_NAMESPACE_PREFIX = 'local-';

/** Whether the entry under `key` stays in the local store. */
export function isLocalOnlyKey(key: string): boolean {
  return key.startsWith(LOCAL_NAMESPACE_PREFIX);
}
