// The cache's store when a shared (Redis) tier is configured: the local store first, Redis for what it misses
// (a Redis hit is copied into the local store), writes to both; or Redis alone. One keyv store adapter, so the
// facade in cache.ts stays as it is. The Redis tier never throws: an outage reads as misses.
import { EventEmitter } from 'node:events';

import type { KeyvStoreAdapter, StoredData } from 'keyv';

import { isLocalOnlyKey } from './cacheKey.js';
import type { LmdbStore, PrefixClearable } from './lmdbStore.js';
import type { RedisTier } from './redisStore.js';

/**
 * keyv store adapter over an optional local store and the Redis tier. keyv hands it serialized entry text (see
 * entryCodec.ts), which both tiers keep as it is, so a value crosses from one to the other without decoding.
 */
export class TieredStore extends EventEmitter implements KeyvStoreAdapter, PrefixClearable {
  readonly opts: { dialect: string; url: string };
  namespace?: string | undefined;
  readonly local: LmdbStore | undefined;
  readonly shared: RedisTier;
  /** Copies of Redis hits into the local store still being committed (see `flush`). */
  readonly #copies = new Set<Promise<void>>();

  constructor(local: LmdbStore | undefined, shared: RedisTier) {
    super();
    this.local = local;
    this.shared = shared;
    this.opts = { dialect: 'tiered', url: shared.config.url };
  }

  // As in LmdbStore: a serializing store returns the text, which keyv deserializes; the casts are that gap.
  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const [value] = await this.getMany<Value>([key]);
    return value as StoredData<Value> | undefined;
  }

  /** Local store first; its misses in one Redis MGET; the Redis hits written back locally before answering. */
  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const out: (string | undefined)[] = this.local
      ? ((await this.local.getMany<Value>(keys)) as (string | undefined)[])
      : keys.map(() => undefined);
    const missing: number[] = [];
    out.forEach((v, i) => {
      if (typeof v !== 'string' && !isLocalOnlyKey(keys[i] as string)) missing.push(i);
    });
    if (missing.length === 0) return out as Array<StoredData<Value | undefined>>;
    const found = await this.shared.getMany(missing.map((i) => keys[i] as string));
    const writeBack: { key: string; value: string }[] = [];
    found.forEach((text, j) => {
      if (text === undefined) return;
      const i = missing[j] as number;
      out[i] = text;
      writeBack.push({ key: keys[i] as string, value: text });
    });
    // One lmdb transaction per batch, committed off the read path: `flush` (the thread's final flushWrites) and
    // `disconnect` wait for it. A copy that fails costs a later miss, nothing else.
    if (this.local && writeBack.length > 0) {
      const copy: Promise<void> = this.local
        .setMany(writeBack)
        .catch(() => {})
        .finally(() => this.#copies.delete(copy));
      this.#copies.add(copy);
    }
    return out as Array<StoredData<Value | undefined>>;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    await this.setMany([{ key, value, ttl }]);
    return true;
  }

  /** Both tiers at once (the local commit and the Redis MULTI overlap); entries of local namespaces, locally only. */
  async setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    const texts = entries.map(({ key, value, ttl }) => ({ key, value: textOf(value), ttl }));
    const shared = texts.filter((t) => !isLocalOnlyKey(t.key));
    await Promise.all([this.local?.setMany(texts), shared.length > 0 ? this.shared.setMany(shared) : undefined]);
  }

  /** Local only: the shared tier is cleared on purpose, with `quarry cache clear --shared`. */
  async delete(key: string): Promise<boolean> {
    return this.local ? this.local.delete(key) : false;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return this.local ? this.local.deleteMany(keys) : false;
  }

  async clear(): Promise<void> {
    await this.local?.clear();
  }

  async clearPrefix(prefix: string): Promise<void> {
    await this.local?.clearPrefix(prefix);
  }

  /** Waits until the local copies of Redis hits are committed. */
  async flush(): Promise<void> {
    while (this.#copies.size > 0) await Promise.all([...this.#copies]);
  }

  async disconnect(): Promise<void> {
    await this.flush();
    await Promise.all([this.local?.disconnect(), this.shared.disconnect()]);
  }
}

function textOf(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('TieredStore stores serialized entries; configure keyv with a string serializer');
  return value;
}
