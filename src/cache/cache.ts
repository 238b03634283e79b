// The per-file analysis cache: an in-process L1 bounded by bytes in front of a keyv store (lmdb under the user
// cache dir by default, any keyv adapter such as Redis when given). A cache failure is a miss, never an error.
import type { Keyv, KeyvStoreAdapter } from 'keyv';

import { messageOf } from '../util/errors.js';
import { defaultCacheDir } from './cacheDir.js';
import { cacheKey, namespacePrefix } from './cacheKey.js';
import { ByteLru } from './l1.js';
import type { LmdbStore, PrefixClearable } from './lmdbStore.js';
import type { RedisTier } from './redisStore.js';
import { SHARED_WARNING_PREFIX, redactUrl, type SharedCacheConfig } from './sharedConfig.js';

export { defaultCacheDir } from './cacheDir.js';
export { cacheKey } from './cacheKey.js';
export type { PrefixClearable } from './lmdbStore.js';

/** Options of `openCache`. */
export interface CacheOptions {
  /**
   * Directory of the default lmdb store (the environment lives in its `kv/` folder). Unused with `store`.
   * @default defaultCacheDir(): $QUARRY_CACHE_DIR, else $XDG_CACHE_HOME/quarry, else ~/.cache/quarry
   */
  dir?: string;
  /**
   * A keyv store adapter to use instead of lmdb (Redis, a test store...). It receives serialized text (see
   * entryCodec.ts), as keyv's official adapters expect. Implementing `PrefixClearable` makes `clear(ns)` cheap;
   * otherwise it needs keyv's iterator.
   * @default the lmdb store at `dir`
   */
  store?: KeyvStoreAdapter;
  /**
   * A shared Redis tier behind the L1 (see tieredStore.ts): the local store (unless `shared.local` is false) is
   * asked first, then Redis; writes go to both. Redis failing is a miss, warned once.
   * @default undefined (local store only)
   */
  shared?: SharedCacheConfig | undefined;
  /**
   * Budget of the in-process L1 in bytes, counted as the packed (msgpack) size of the entries; 0 disables it.
   * @default 64 MiB
   */
  l1Bytes?: number;
  /**
   * Write-behind: `setMany` holds its packed entries back until this many bytes are held, then writes them all as one
   * batch (one lmdb transaction); `flush` and `close` write what is held. Fewer, larger commits write far less: a cold
   * index of the corpus wrote 1.5 GB to disk (`write_bytes` in /proc) through 243 synced commits of one batch each,
   * 0.45 GB in groups of ~2.4 MB, 0.11 GB in groups of 4 MiB (threadCache's). What is held is lost if the process dies
   * first, which for a cache is a later miss. 0: every
   * `setMany` is written at once.
   * @default 0
   */
  writeBehindBytes?: number;
  /**
   * Default time to live of an entry in milliseconds; `set`'s own `ttlMs` wins. Expired entries are misses.
   * @default undefined (entries do not expire)
   */
  ttlMs?: number;
  /**
   * Told, at most once per cause, when the cache degrades: a damaged store was reset, no store could be
   * opened (memory only), or the store failed at run time. src/ never prints; the command decides.
   * @default ignore
   */
  onWarning?: (message: string) => void;
}

/** An entry as the store gets it: packed bytes, and its time to live. */
type Packed = { key: string; value: Buffer; ttl: number | undefined };

/** Counters since the cache was opened, for span attributes. */
export interface CacheStats {
  /** Lookups answered, from L1 or the store. */
  hits: number;
  /** Lookups not answered: absent, expired, undecodable or failed. */
  misses: number;
  /** The part of `hits` answered by the in-process L1. */
  l1Hits: number;
  /** Packed bytes of the entries read from the store (L1 hits cost no I/O and are not counted). */
  bytesRead: number;
  /** Packed bytes of the entries written to the store. */
  bytesWritten: number;
  /** Store operations that failed and entries that could not be encoded or decoded (shared tier included). */
  errors: number;
  /** The part of `hits` answered by the shared (Redis) tier. */
  sharedHits: number;
  /** The part of `errors` from the shared tier: operations that failed, timed out or were skipped while it was down. */
  sharedErrors: number;
}

/** Default L1 budget. */
export const DEFAULT_L1_BYTES = 64 * 1024 * 1024;

/** The codec and store behind a Cache, loaded on demand by openCache. */
interface Backend {
  /** keyv over the durable store; undefined when the cache runs on L1 alone. */
  kv: Keyv<Buffer> | undefined;
  pack(value: unknown): Buffer;
  unpack(bytes: Buffer): unknown;
}

/**
 * Opens the cache. Never rejects because of the store: a damaged lmdb store is reset (one warning) and an
 * unusable one leaves the cache running on its L1 alone (one warning).
 */
export async function openCache(opts: CacheOptions = {}): Promise<Cache> {
  const monitor = new Monitor(opts.onWarning);
  const shared = opts.shared;
  // The Redis client is loaded (a few hundred modules) and starts connecting while the local store opens.
  const sharedTier = opts.store === undefined && shared !== undefined ? openSharedTier(shared, monitor) : undefined;
  // Loaded here rather than at the top so a command that never opens the cache pays nothing for keyv,
  // msgpackr's native addon or lmdb.
  const [{ Keyv }, { serializeEnvelope, makeDeserializer }, { packr }, { unpackr }] = await Promise.all([
    import('keyv'),
    import('./entryCodec.js'),
    import('../util/packr.js'),
    import('../util/unpackr.js'),
  ]);
  let store: KeyvStoreAdapter | undefined = opts.store;
  if (sharedTier !== undefined && shared?.local === false) {
    store = await tieredStore(undefined, sharedTier);
  } else if (store === undefined) {
    const dir = opts.dir ?? defaultCacheDir();
    try {
      const { openLmdbStore } = await import('./lmdbStore.js');
      // Alone, the local store takes keyv's envelopes as they are; behind the tiered store, the text Redis gets too.
      const opened = await openLmdbStore(dir, sharedTier === undefined ? 'envelope' : 'text', (reason) => monitor.corrupt(reason));
      if (opened.warning !== undefined) monitor.warn('open', opened.warning);
      store = opened.store;
    } catch (err) {
      // The native addon failed to load (unsupported platform, broken install): no durable store.
      monitor.warn('open', `cache at ${dir} is unavailable (${messageOf(err)}); caching in memory only`);
    }
    if (sharedTier !== undefined) store = await tieredStore(store as LmdbStore | undefined, sharedTier);
  }
  // A store that takes envelopes gets them unserialized (keyv's documented `undefined` serializers); any other, text.
  const envelopes = (store as Partial<LmdbStore> | undefined)?.form === 'envelope';
  const kv =
    store === undefined
      ? undefined
      : new Keyv<Buffer>({
          store,
          // Our keys already start with `<namespace>:`; keyv's default `keyv:` prefix would only lengthen them,
          // and keyv 5 leaves namespacing to adapters anyway.
          namespace: undefined,
          useKeyPrefix: false,
          serialize: envelopes ? undefined : serializeEnvelope,
          deserialize: envelopes ? undefined : makeDeserializer((reason) => monitor.corrupt(reason)),
          ttl: opts.ttlMs,
          // Failures come back as exceptions so the facade can count them (keyv would otherwise swallow some
          // and throw others), and are not emitted a second time as events.
          throwOnErrors: true,
          emitErrors: false,
        });
  return new Cache({
    l1Bytes: opts.l1Bytes ?? DEFAULT_L1_BYTES,
    writeBehindBytes: opts.writeBehindBytes ?? 0,
    ttlMs: opts.ttlMs,
    monitor,
    backend: { kv, pack: (value) => packr.pack(value), unpack: (bytes) => unpackr.unpack(bytes) },
  });
}

/** The Redis tier behind the local store (or alone), loaded only when a shared cache is configured. */
async function openSharedTier(shared: SharedCacheConfig, monitor: Monitor): Promise<RedisTier> {
  const { RedisTier } = await import('./redisStore.js');
  const tier = new RedisTier(shared, (reason) => monitor.sharedFailed(shared, reason));
  monitor.shared = tier;
  tier.connect();
  return tier;
}

/** The store in front of which the facade sits when a shared tier is configured: local (if any), then Redis. */
async function tieredStore(local: LmdbStore | undefined, tier: Promise<RedisTier>): Promise<KeyvStoreAdapter> {
  const [{ TieredStore }, shared] = await Promise.all([import('./tieredStore.js'), tier]);
  return new TieredStore(local, shared);
}

/** What a warning is about; each is reported at most once per cache. */
type WarningCause = 'open' | 'store-failure' | 'corrupt-entry' | 'shared-failure';

/** The counters and the warning sink, shared by the facade and the keyv deserializer it configures. */
class Monitor {
  readonly stats: CacheStats = { hits: 0, misses: 0, l1Hits: 0, bytesRead: 0, bytesWritten: 0, errors: 0, sharedHits: 0, sharedErrors: 0 };
  /** The shared tier, whose own counters are added to `stats` when read. */
  shared: RedisTier | undefined;
  readonly #warned = new Set<WarningCause>();
  readonly #sink: ((message: string) => void) | undefined;

  constructor(sink: ((message: string) => void) | undefined) {
    this.#sink = sink;
  }

  /** Reports `message` unless this cause was already reported: a dead store must not print one line per lookup. */
  warn(cause: WarningCause, message: string): void {
    if (this.#warned.has(cause)) return;
    this.#warned.add(cause);
    try {
      this.#sink?.(message);
    } catch {
      // A broken warning sink must not turn a cache hiccup into a failed command.
    }
  }

  /** A store operation failed (or a value could not be packed); the caller carries on as if it missed. */
  failed(err: unknown): void {
    this.stats.errors++;
    this.warn('store-failure', `cache store failed (${messageOf(err)}); failed lookups are misses`);
  }

  /**
   * The shared tier failed (refused, lost, timed out). Counted by the tier itself; told once, in words that are the
   * same in every thread (the reason aside) so that a command can print it once for all of them.
   */
  sharedFailed(shared: SharedCacheConfig, reason: string): void {
    this.warn(
      'shared-failure',
      `${SHARED_WARNING_PREFIX}${redactUrl(shared.url)} is unavailable (${reason}); ` +
        (shared.local ? 'carrying on with the local cache' : 'carrying on without it (--cache-local off)'),
    );
  }

  /** The counters, the shared tier's included. */
  snapshot(): CacheStats {
    const tier = this.shared?.stats;
    if (tier === undefined) return { ...this.stats };
    return { ...this.stats, errors: this.stats.errors + tier.errors, sharedHits: tier.hits, sharedErrors: tier.errors };
  }

  /** An entry could not be decoded; it is read as a miss. */
  corrupt(reason: string): void {
    this.stats.errors++;
    this.warn('corrupt-entry', `cache entry could not be read (${reason}); treated as a miss`);
  }
}

/** A hit is told apart from a stored `undefined` by this marker. */
const MISS = Symbol('miss');

export class Cache {
  readonly #l1: ByteLru;
  readonly #ttlMs: number | undefined;
  readonly #monitor: Monitor;
  readonly #stats: CacheStats;
  /** Undefined once closed. */
  #backend: Backend | undefined;

  readonly #writeBehindBytes: number;
  /** Entries setMany holds back (see CacheOptions.writeBehindBytes), their bytes, and the write they will be in. */
  #held: Packed[] = [];
  #heldBytes = 0;
  #heldWrite: { done: Promise<void>; start: (entries: Packed[]) => void } | undefined;

  /** @internal Use `openCache`. */
  constructor(opts: { l1Bytes: number; writeBehindBytes: number; ttlMs: number | undefined; monitor: Monitor; backend: Backend }) {
    this.#writeBehindBytes = opts.writeBehindBytes;
    this.#l1 = new ByteLru(opts.l1Bytes);
    this.#ttlMs = opts.ttlMs;
    this.#monitor = opts.monitor;
    this.#stats = opts.monitor.stats;
    this.#backend = opts.backend;
  }

  /** The L1, for tests and diagnostics. */
  get l1(): ByteLru {
    return this.#l1;
  }

  async get<T>(ns: string, version: string | number, hash: string): Promise<T | undefined> {
    const [value] = await this.#lookup([cacheKey(ns, version, hash)], false);
    return value as T | undefined;
  }

  /** Values in the order of `hashes`; the L1 misses are fetched in one keyv `getMany`. */
  async getMany<T>(ns: string, version: string | number, hashes: string[]): Promise<(T | undefined)[]> {
    return (await this.#lookup(
      hashes.map((hash) => cacheKey(ns, version, hash)),
      true,
    )) as (T | undefined)[];
  }

  /*
   * set and setMany pack the values before returning their promise, and the store's write holds only the packed bytes:
   * the caller's values are free for the GC while the store commits, which under lmdb's synced commits takes up to a
   * second. An async frame would hold them that long, and the analyses of a cold index outlived young-generation
   * collections, to be copied into the old one. Cold corpus index, 14 interleaved rounds: 14.61 against 14.79 s
   * (median round −0.29 s, 9 won), system CPU 3.66 against 3.77 s; small, in this machine's noise, but one way.
   */

  set(ns: string, version: string | number, hash: string, value: unknown, ttlMs?: number): Promise<void> {
    return this.#store(this.#pack([{ key: cacheKey(ns, version, hash), value }], ttlMs), false);
  }

  /**
   * Writes all entries; the store commits them as one batch, or with the entries held back before and after them
   * (write-behind, see CacheOptions.writeBehindBytes). Resolves once they are written.
   */
  setMany(ns: string, version: string | number, entries: { hash: string; value: unknown }[], ttlMs?: number): Promise<void> {
    const packed = this.#pack(
      entries.map(({ hash, value }) => ({ key: cacheKey(ns, version, hash), value })),
      ttlMs,
    );
    if (this.#writeBehindBytes === 0) return this.#store(packed, true);
    for (const p of packed) {
      this.#held.push(p);
      this.#heldBytes += p.value.length;
    }
    let write = this.#heldWrite;
    if (write === undefined) {
      let start!: (entries: Packed[]) => void;
      const done = new Promise<Packed[]>((resolve) => (start = resolve)).then((held) => this.#store(held, true));
      this.#heldWrite = write = { done, start };
    }
    if (this.#heldBytes >= this.#writeBehindBytes) void this.#writeHeld();
    return write.done;
  }

  /** Drops the entries of one namespace (every version), or everything. */
  async clear(ns?: string): Promise<void> {
    const prefix = ns === undefined ? '' : namespacePrefix(ns);
    this.#l1.deletePrefix(prefix);
    const kv = this.#backend?.kv;
    if (kv === undefined) return;
    try {
      if (prefix === '') await kv.clear();
      else await clearPrefix(kv, prefix);
    } catch (err) {
      this.#monitor.failed(err);
    }
  }

  stats(): CacheStats {
    return this.#monitor.snapshot();
  }

  /** Writes what setMany holds back, and waits until it and what the store writes on its own (local copies of shared hits) are committed. */
  async flush(): Promise<void> {
    await this.#writeHeld();
    const store: unknown = this.#backend?.kv?.store;
    if (typeof store === 'object' && store !== null && typeof (store as { flush?: unknown }).flush === 'function')
      await (store as { flush(): Promise<void> }).flush();
  }

  /** Writes what setMany holds back, waits for pending writes and releases the store; afterwards the cache answers nothing. */
  async close(): Promise<void> {
    await this.#writeHeld();
    const kv = this.#backend?.kv;
    this.#backend = undefined;
    this.#l1.clear();
    if (kv === undefined) return;
    try {
      await kv.disconnect();
    } catch (err) {
      this.#monitor.failed(err);
    }
  }

  async #lookup(keys: string[], batch: boolean): Promise<unknown[]> {
    const backend = this.#backend;
    if (backend === undefined) {
      this.#stats.misses += keys.length;
      return keys.map(() => undefined);
    }
    const out = new Array<unknown>(keys.length).fill(MISS);
    const pending: number[] = [];
    for (const [i, key] of keys.entries()) {
      const bytes = this.#l1.get(key);
      // L1 bytes are never handed to the decoder itself: a decoded Buffer is a view of its input, and a
      // caller writing into it must not change what the next hit returns.
      const value = bytes === undefined ? MISS : this.#decode(backend, Buffer.from(bytes));
      if (value === MISS) {
        pending.push(i);
        continue;
      }
      out[i] = value;
      this.#stats.hits++;
      this.#stats.l1Hits++;
    }
    const kv = backend.kv;
    if (kv !== undefined && pending.length > 0) {
      const pendingKeys = pending.map((i) => keys[i] as string);
      let raws: ({ value?: Buffer; expires?: number | undefined } | undefined)[] = [];
      try {
        raws = batch ? await kv.getManyRaw(pendingKeys) : [await kv.getRaw(pendingKeys[0] as string)];
      } catch (err) {
        this.#monitor.failed(err);
      }
      for (const [j, raw] of raws.entries()) {
        const i = pending[j] as number;
        if (raw === undefined || raw === null) continue;
        const bytes = raw.value;
        if (!Buffer.isBuffer(bytes)) {
          this.#monitor.corrupt('entry value is not packed bytes');
          continue;
        }
        const value = this.#decode(backend, bytes);
        if (value === MISS) continue;
        out[i] = value;
        this.#stats.hits++;
        this.#stats.bytesRead += bytes.length;
        this.#l1.set(keys[i] as string, ownCopy(bytes), raw.expires ?? undefined);
      }
    }
    return out.map((value) => {
      if (value !== MISS) return value;
      this.#stats.misses++;
      return undefined;
    });
  }

  /** The entries packed (and kept in L1) for the store: nothing of the values is referenced afterwards. */
  #pack(entries: { key: string; value: unknown }[], ttlMs: number | undefined): Packed[] {
    const backend = this.#backend;
    const packed: Packed[] = [];
    if (backend === undefined) return packed;
    const ttl = ttlMs ?? this.#ttlMs;
    // keyv reads a TTL of 0 as "no expiry"; the L1 follows the same rule.
    const expires = ttl === undefined || ttl === 0 ? undefined : Date.now() + ttl;
    for (const { key, value } of entries) {
      let bytes: Buffer;
      try {
        // An exact-size copy: msgpackr returns views of a shared 8 KiB buffer, which the L1 would otherwise
        // keep alive without counting it.
        bytes = ownCopy(backend.pack(value));
      } catch (err) {
        this.#monitor.failed(err);
        continue;
      }
      this.#l1.set(key, bytes, expires);
      // keyv gets the packed bytes as the value: the value is encoded once, and keyv's envelope around it
      // (entryCodec.ts) only wraps a msgpack bin.
      packed.push({ key, value: bytes, ttl });
    }
    return packed;
  }

  /** Starts the write of the entries held back, if any; resolves once it is done. */
  #writeHeld(): Promise<void> {
    const write = this.#heldWrite;
    if (write === undefined) return Promise.resolve();
    this.#heldWrite = undefined;
    write.start(this.#held);
    this.#held = [];
    this.#heldBytes = 0;
    return write.done;
  }

  /** Writes packed entries to the store (keyv), one batch when `batch`; a failure is counted, never thrown. */
  async #store(packed: Packed[], batch: boolean): Promise<void> {
    const kv = this.#backend?.kv;
    if (kv === undefined || packed.length === 0) return;
    try {
      const first = packed[0] as Packed;
      if (batch) await kv.setMany(packed);
      else await kv.set(first.key, first.value, first.ttl);
      for (const { value } of packed) this.#stats.bytesWritten += value.length;
    } catch (err) {
      this.#monitor.failed(err);
    }
  }

  /** The decoded value, or MISS (counted as an error) when the bytes do not decode. */
  #decode(backend: Backend, bytes: Buffer): unknown {
    try {
      return backend.unpack(bytes);
    } catch (err) {
      this.#monitor.corrupt(messageOf(err));
      return MISS;
    }
  }
}

/** Drops the keys starting with `prefix` from the store behind `kv`. */
async function clearPrefix(kv: Keyv<Buffer>, prefix: string): Promise<void> {
  const store: unknown = kv.store;
  if (isPrefixClearable(store)) return store.clearPrefix(prefix);
  if (kv.iterator === undefined) throw new Error('the cache store can neither clear a prefix nor list its keys');
  const doomed: string[] = [];
  for await (const [key] of kv.iterator(undefined) as AsyncIterable<[string, unknown]>) if (key.startsWith(prefix)) doomed.push(key);
  if (doomed.length > 0) await kv.deleteMany(doomed);
}

function isPrefixClearable(store: unknown): store is PrefixClearable {
  return typeof store === 'object' && store !== null && typeof (store as Partial<PrefixClearable>).clearPrefix === 'function';
}

/** `bytes` in a Buffer of its own, exactly as large as its contents. */
function ownCopy(bytes: Uint8Array): Buffer {
  const own = Buffer.allocUnsafeSlow(bytes.length);
  own.set(bytes);
  return own;
}
