// What `quarry cache stats|clear` does to a cache: entries and bytes by namespace, and clearing one namespace (or
// all of quarry's), in the local lmdb store or in the shared Redis database. Redis is only ever cleared by key prefix
// (SCAN + UNLINK in batches), never FLUSHDB: the database may hold other programs' data.
import { existsSync } from 'node:fs';

import { clearFiles, fileUsage } from './cacheFiles.js';
import { namespacePrefix } from './cacheKey.js';
import { lmdbPath } from './lmdbStore.js';
import { SHARED_KEY_PREFIX, type SharedCacheConfig } from './sharedConfig.js';
import { QuarryError, messageOf } from '../util/errors.js';

/** Entries of one namespace in one store. */
export interface NamespaceUsage {
  namespace: string;
  entries: number;
  /** Bytes of the stored values (keys and store overhead not counted). */
  bytes: number;
  /** Shared store only: entries that have no TTL (quarry always sets one; other writers might not). */
  withoutTtl?: number;
}

/** Keys per SCAN step and per UNLINK. */
const BATCH = 1000;

/** The namespace of a key (`<namespace>:<version>:<hash>`). */
function namespaceOf(key: string): string {
  const at = key.indexOf(':');
  return at < 0 ? key : key.slice(0, at);
}

function add(byNs: Map<string, NamespaceUsage>, ns: string, bytes: number): NamespaceUsage {
  let u = byNs.get(ns);
  if (u === undefined) byNs.set(ns, (u = { namespace: ns, entries: 0, bytes: 0 }));
  u.entries++;
  u.bytes += bytes;
  return u;
}

function sorted(byNs: Map<string, NamespaceUsage>): NamespaceUsage[] {
  return [...byNs.values()].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : 0));
}

/** Usage of the local store at `dir` by namespace (only `ns` when given); nothing when it does not exist yet. */
export async function localUsage(dir: string, ns?: string): Promise<NamespaceUsage[]> {
  const byNs = new Map<string, NamespaceUsage>();
  for (const u of fileUsage(dir, ns)) byNs.set(u.namespace, u);
  if (!existsSync(lmdbPath(dir))) return sorted(byNs);
  const store = await openLocal(dir);
  try {
    for (const [key, bytes] of store.sizes(ns === undefined ? '' : namespacePrefix(ns))) add(byNs, namespaceOf(key), bytes);
    return sorted(byNs);
  } finally {
    await store.disconnect();
  }
}

/**
 * Drops the entries of `ns` (all when undefined) from the local store at `dir`, and the files kept beside it that
 * belong to `ns` or are built from it (cacheFiles.ts); the number of entries and files dropped.
 */
export async function clearLocal(dir: string, ns?: string): Promise<number> {
  const files = clearFiles(dir, ns);
  if (!existsSync(lmdbPath(dir))) return files;
  const store = await openLocal(dir);
  try {
    const prefix = ns === undefined ? '' : namespacePrefix(ns);
    let n = 0;
    for (const _ of store.sizes(prefix)) n++;
    await store.clearPrefix(prefix);
    return files + n;
  } finally {
    await store.disconnect();
  }
}

async function openLocal(dir: string) {
  const { openLmdbStore } = await import('./lmdbStore.js');
  const opened = await openLmdbStore(dir);
  if (opened.store === undefined) throw new QuarryError('bad-input', opened.warning ?? `cache at ${dir} cannot be opened`);
  return opened.store;
}

/** The Redis match pattern of quarry's keys in `ns` (all of quarry's keys when undefined). */
function sharedPattern(ns?: string): string {
  const prefix = SHARED_KEY_PREFIX + (ns === undefined ? '' : namespacePrefix(ns));
  return `${prefix.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
}

/** Usage of the shared store by namespace: SCAN over quarry's keys, their sizes and TTLs pipelined per batch. */
export async function sharedUsage(config: SharedCacheConfig, ns?: string): Promise<NamespaceUsage[]> {
  return withShared(config, async (client) => {
    const byNs = new Map<string, NamespaceUsage>();
    let cursor = '0';
    do {
      const step = await client.scan(cursor, { MATCH: sharedPattern(ns), COUNT: BATCH });
      cursor = String(step.cursor);
      const keys = step.keys.map(String);
      // Commands issued in one tick go out as one pipeline: one round trip per batch, not per key.
      const [sizes, ttls] = await Promise.all([
        Promise.all(keys.map((k) => client.strLen(k))),
        Promise.all(keys.map((k) => client.pTTL(k))),
      ]);
      keys.forEach((key, i) => {
        const u = add(byNs, namespaceOf(key.slice(SHARED_KEY_PREFIX.length)), Number(sizes[i]));
        if (Number(ttls[i]) === -1) u.withoutTtl = (u.withoutTtl ?? 0) + 1;
      });
    } while (cursor !== '0');
    for (const u of byNs.values()) u.withoutTtl ??= 0;
    return sorted(byNs);
  });
}

/** Deletes quarry's keys of `ns` (all of quarry's when undefined) from Redis: SCAN + UNLINK per batch. */
export async function clearShared(config: SharedCacheConfig, ns?: string): Promise<number> {
  return withShared(config, async (client) => {
    let deleted = 0;
    let cursor = '0';
    do {
      const step = await client.scan(cursor, { MATCH: sharedPattern(ns), COUNT: BATCH });
      cursor = String(step.cursor);
      const keys = step.keys.map(String);
      if (keys.length > 0) deleted += Number(await client.unlink(keys));
    } while (cursor !== '0');
    return deleted;
  });
}

type RedisClient = Awaited<ReturnType<import('./redisStore.js').RedisTier['connectedClient']>>;

/** Runs `fn` on a connected client; an unreachable or failing Redis is a QuarryError naming the URL. */
async function withShared<T>(config: SharedCacheConfig, fn: (client: RedisClient) => Promise<T>): Promise<T> {
  const { RedisTier } = await import('./redisStore.js');
  const { redactUrl } = await import('./sharedConfig.js');
  let reason: string | undefined;
  const tier = new RedisTier(config, (r) => (reason ??= r));
  try {
    const client = await tier.connectedClient().catch((err: unknown) => {
      throw new QuarryError('not-found', `shared cache ${redactUrl(config.url)} is unreachable (${reason ?? messageOf(err)})`, {
        hint: 'check --cache-url / QUARRY_CACHE_URL and that Redis is running',
      });
    });
    return await fn(client);
  } catch (err) {
    if (err instanceof QuarryError) throw err;
    throw new QuarryError('bad-input', `shared cache ${redactUrl(config.url)} failed: ${messageOf(err)}`);
  } finally {
    await tier.disconnect();
  }
}
