// The cache facade over a real lmdb store in a temp dir: exact round trips, TTLs, isolation, batching,
// counters, and a cache failure being a miss rather than an error.
import { EventEmitter } from 'node:events';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { KeyvStoreAdapter } from 'keyv';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { type Cache, type CacheOptions, openCache } from '../../src/cache/cache.js';
import { makeDeserializer, serializeEnvelope } from '../../src/cache/entryCodec.js';
import { openLmdbStore } from '../../src/cache/lmdbStore.js';
import { packr } from '../../src/util/packr.js';
import { removeTempDirs, tempDir } from './helpers.js';

const open: Cache[] = [];

/** Opens a cache that is closed after the test; warnings are collected into `warnings`. */
async function openTest(opts: CacheOptions = {}, warnings: string[] = []): Promise<Cache> {
  const cache = await openCache({ dir: tempDir('facade'), onWarning: (m) => warnings.push(m), ...opts });
  open.push(cache);
  return cache;
}

afterEach(async () => {
  for (const cache of open.splice(0)) await cache.close();
});
afterAll(removeTempDirs);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One value of every kind an analysis stores. */
function everyType(): Record<string, unknown> {
  return {
    u8: Uint8Array.from([0, 1, 255]),
    u8c: Uint8ClampedArray.from([0, 128, 255]),
    i8: Int8Array.from([-128, 0, 127]),
    u16: Uint16Array.from([0, 65535]),
    i16: Int16Array.from([-32768, 32767]),
    u32: Uint32Array.from([0, 2 ** 32 - 1, 12345]),
    i32: Int32Array.from([-(2 ** 31), 2 ** 31 - 1]),
    f32: Float32Array.from([1.5, -0.25, Number.POSITIVE_INFINITY, Number.NaN]),
    f64: Float64Array.from([Math.PI, -Number.MAX_VALUE, Number.MIN_VALUE]),
    i64: BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]),
    u64: BigUint64Array.from([0n, 2n ** 64n - 1n]),
    // A typed array that is a window of a bigger buffer must come back as just the window.
    window: new Float32Array(new Float32Array([9, 8, 7, 6]).buffer, 4, 2),
    empty: new Uint32Array(0),
    buffer: Buffer.from('bytes \x00\xff of a file', 'latin1'),
    emptyBuffer: Buffer.alloc(0),
    string: 'héllo ☃ 𝒳 \u0000 end',
    emptyString: '',
    integer: 42,
    negative: -7,
    float: 0.1 + 0.2,
    big: 2 ** 53 - 1,
    bool: true,
    nil: null,
    array: [1, 'two', [3, [new Uint16Array([4])]], { five: Buffer.from([5]) }],
    nested: { a: { b: { c: [Float64Array.from([1e-300]), { d: 'deep' }] } } },
  };
}

describe('round trip', () => {
  it('returns every value type exactly, from L1 and from the store', async () => {
    const dir = tempDir('types');
    const value = everyType();
    const writer = await openCache({ dir });
    await writer.set('types', 1, 'all', value);
    expect(await writer.get('types', 1, 'all')).toStrictEqual(value);
    expect(writer.stats().l1Hits).toBe(1);
    await writer.close();

    const reader = await openCache({ dir });
    open.push(reader);
    const fromStore = await reader.get<Record<string, unknown>>('types', 1, 'all');
    expect(reader.stats()).toMatchObject({ hits: 1, l1Hits: 0 });
    expect(fromStore).toStrictEqual(value);
    // toStrictEqual checks prototypes; spell out the ones a lossy codec would change.
    expect(fromStore?.['buffer']).toBeInstanceOf(Buffer);
    expect(fromStore?.['u8']).not.toBeInstanceOf(Buffer);
    expect(fromStore?.['i64']).toBeInstanceOf(BigInt64Array);
    expect((fromStore?.['window'] as Float32Array).length).toBe(2);
  });

  it('round-trips top-level values of each kind', async () => {
    const dir = tempDir('top');
    const values: unknown[] = [new Float32Array([1, 2]), Buffer.from('x'), 'text', 0, -1.5, [1, [2]], { k: 1 }, null, false];
    const writer = await openCache({ dir });
    await writer.setMany(
      'top',
      1,
      values.map((value, i) => ({ hash: `h${i}`, value })),
    );
    await writer.close();
    const reader = await openCache({ dir });
    open.push(reader);
    expect(
      await reader.getMany(
        'top',
        1,
        values.map((_, i) => `h${i}`),
      ),
    ).toStrictEqual(values);
    expect(reader.stats()).toMatchObject({ hits: values.length, l1Hits: 0 });
  });

  it('hands out independent copies: mutating a result does not change the cache', async () => {
    const cache = await openTest();
    await cache.set('mut', 1, 'h', { tokens: Uint32Array.from([1, 2, 3]), raw: Buffer.from('abc') });
    const first = await cache.get<{ tokens: Uint32Array; raw: Buffer }>('mut', 1, 'h');
    first?.tokens.fill(0);
    first?.raw.fill(0);
    expect(await cache.get('mut', 1, 'h')).toStrictEqual({ tokens: Uint32Array.from([1, 2, 3]), raw: Buffer.from('abc') });
  });

  it("two caches open at once in one thread on one dir see each other's writes, and outlive each other", async () => {
    const dir = tempDir('twice');
    const a = await openCache({ dir, l1Bytes: 0 });
    const b = await openCache({ dir, l1Bytes: 0 });
    await a.set('two', 1, 'from-a', 'A');
    await b.set('two', 1, 'from-b', 'B');
    expect(await a.get('two', 1, 'from-b')).toBe('B');
    expect(await b.get('two', 1, 'from-a')).toBe('A');
    await a.close();
    await b.set('two', 1, 'later', 'still fine');
    expect(await b.getMany('two', 1, ['from-a', 'later'])).toEqual(['A', 'still fine']);
    await b.close();
  });

  it('without a dir, opens the store at $QUARRY_CACHE_DIR', async () => {
    const dir = tempDir('env');
    const saved = process.env['QUARRY_CACHE_DIR'];
    process.env['QUARRY_CACHE_DIR'] = dir;
    try {
      const cache = await openCache();
      await cache.set('env', 1, 'h', 'v');
      await cache.close();
    } finally {
      if (saved === undefined) delete process.env['QUARRY_CACHE_DIR'];
      else process.env['QUARRY_CACHE_DIR'] = saved;
    }
    expect(readdirSync(join(dir, 'kv'))).toContain('data.mdb');
  });

  it('stores raw bytes in lmdb under <dir>/kv', async () => {
    const dir = tempDir('layout');
    const cache = await openCache({ dir });
    await cache.set('x', 1, 'h', 'v');
    await cache.close();
    expect(readdirSync(join(dir, 'kv')).sort()).toEqual(['data.mdb', 'lock.mdb']);
  });
});

describe('TTL', () => {
  it('an entry past its per-call TTL is a miss, in L1 and in the store', async () => {
    const dir = tempDir('ttl');
    const cache = await openCache({ dir });
    // A TTL well above a commit's time on a loaded machine (50 ms expired before the first read, once).
    await cache.set('ttl', 1, 'long', 'stays');
    await cache.set('ttl', 1, 'short', 'gone soon', 1000);
    expect(await cache.get('ttl', 1, 'short')).toBe('gone soon');
    await sleep(1100);
    expect(await cache.get('ttl', 1, 'short')).toBeUndefined();
    await cache.close();
    const reader = await openCache({ dir });
    open.push(reader);
    expect(await reader.getMany('ttl', 1, ['short', 'long'])).toEqual([undefined, 'stays']);
  });

  it('applies the default TTL, which a per-call TTL overrides', async () => {
    const dir = tempDir('ttl-default');
    const cache = await openCache({ dir, ttlMs: 50 });
    await cache.set('ttl', 1, 'default', 'a');
    await cache.set('ttl', 1, 'override', 'b', 60_000);
    await sleep(80);
    expect(await cache.getMany('ttl', 1, ['default', 'override'])).toEqual([undefined, 'b']);
    await cache.close();
    const reader = await openCache({ dir });
    open.push(reader);
    expect(await reader.getMany('ttl', 1, ['default', 'override'])).toEqual([undefined, 'b']);
  });
});

describe('keys', () => {
  it('isolates namespaces and versions', async () => {
    const dir = tempDir('iso');
    const cache = await openCache({ dir });
    await cache.set('tokens', 1, 'h', 'tokens v1');
    await cache.set('tokens', 2, 'h', 'tokens v2');
    await cache.set('symbols', 1, 'h', 'symbols v1');
    await cache.close();
    const reader = await openCache({ dir });
    open.push(reader);
    expect(await reader.get('tokens', 1, 'h')).toBe('tokens v1');
    expect(await reader.get('tokens', 2, 'h')).toBe('tokens v2');
    expect(await reader.get('tokens', '2', 'h')).toBe('tokens v2');
    expect(await reader.get('symbols', 1, 'h')).toBe('symbols v1');
    expect(await reader.get('symbols', 2, 'h')).toBeUndefined();
    expect(await reader.get('imports', 1, 'h')).toBeUndefined();
  });

  it('clear(ns) drops one namespace, every version, and clear() drops everything', async () => {
    const dir = tempDir('clear');
    const cache = await openCache({ dir });
    await cache.set('tokens', 1, 'a', 1);
    await cache.set('tokens', 2, 'b', 2);
    await cache.set('tokensx', 1, 'a', 3);
    await cache.set('symbols', 1, 'a', 4);
    await cache.clear('tokens');
    expect(await cache.getMany('tokens', 1, ['a'])).toEqual([undefined]);
    expect(await cache.get('tokens', 2, 'b')).toBeUndefined();
    await cache.close();
    const reader = await openCache({ dir });
    open.push(reader);
    expect(await reader.get('tokens', 2, 'b')).toBeUndefined();
    expect(await reader.get('tokensx', 1, 'a')).toBe(3);
    expect(await reader.get('symbols', 1, 'a')).toBe(4);
    await reader.clear();
    expect(await reader.get('symbols', 1, 'a')).toBeUndefined();
    expect(await reader.get('tokensx', 1, 'a')).toBeUndefined();
  });
});

describe('getMany and setMany', () => {
  it('answer in order, mixing L1 hits, store hits and misses, with one store batch', async () => {
    const dir = tempDir('many');
    const writer = await openCache({ dir });
    await writer.setMany(
      'm',
      1,
      Array.from({ length: 50 }, (_, i) => ({ hash: `h${i}`, value: { i, v: Uint32Array.from([i]) } })),
    );
    await writer.close();

    const reader = await openCache({ dir });
    open.push(reader);
    await reader.get('m', 1, 'h3'); // now in L1
    const hashes = ['h3', 'nope', 'h10', 'h49', 'h3', 'missing'];
    const got = await reader.getMany<{ i: number; v: Uint32Array }>('m', 1, hashes);
    expect(got.map((g) => g?.i)).toEqual([3, undefined, 10, 49, 3, undefined]);
    expect(got[2]?.v).toStrictEqual(Uint32Array.from([10]));
    expect(reader.stats()).toMatchObject({ hits: 1 + 4, l1Hits: 2, misses: 2, errors: 0 });
  });

  it('counts hits, misses and packed bytes read and written', async () => {
    const dir = tempDir('stats');
    const writer = await openCache({ dir });
    await writer.set('s', 1, 'a', new Uint8Array(1000));
    const written = writer.stats().bytesWritten;
    expect(written).toBeGreaterThan(1000);
    expect(written).toBeLessThan(1100);
    await writer.close();
    const reader = await openCache({ dir });
    open.push(reader);
    await reader.get('s', 1, 'a');
    await reader.get('s', 1, 'a');
    await reader.get('s', 1, 'b');
    expect(reader.stats()).toEqual({
      hits: 2,
      misses: 1,
      l1Hits: 1,
      bytesRead: written,
      bytesWritten: 0,
      errors: 0,
      sharedHits: 0,
      sharedErrors: 0,
    });
  });
});

describe('L1', () => {
  it('is bounded by packed bytes and skips an entry larger than its budget', async () => {
    const cache = await openTest({ l1Bytes: 10_000 });
    for (let i = 0; i < 20; i++) await cache.set('l1', 1, `h${i}`, new Uint8Array(1000));
    expect(cache.l1.size).toBeLessThanOrEqual(10_000);
    expect(cache.l1.count).toBeLessThan(10);
    await cache.set('l1', 1, 'huge', new Uint8Array(20_000));
    expect(cache.l1.size).toBeLessThanOrEqual(10_000);
    // Not in L1, still in the store.
    expect(await cache.get('l1', 1, 'huge')).toStrictEqual(new Uint8Array(20_000));
    expect(cache.stats().l1Hits).toBe(0);
  });
});

/** A keyv store that keeps only strings in a Map, as Redis does: stands in for "any keyv adapter". */
class StringStore extends EventEmitter implements KeyvStoreAdapter {
  opts = { dialect: 'test-strings', url: 'memory://' };
  namespace?: string | undefined;
  readonly data = new Map<string, string>();
  getManyCalls = 0;
  failing = false;

  // The adapter type claims get returns the value; a serializing store returns the serialized text.
  async get<Value>(key: string): Promise<Value | undefined> {
    this.#check();
    return this.data.get(key) as Value | undefined;
  }
  async getMany<Value>(keys: string[]): Promise<(Value | undefined)[]> {
    this.#check();
    this.getManyCalls++;
    return keys.map((key) => this.data.get(key) as Value | undefined);
  }
  async set(key: string, value: unknown): Promise<boolean> {
    this.#check();
    if (typeof value !== 'string') throw new TypeError('strings only');
    this.data.set(key, value);
    return true;
  }
  async delete(key: string): Promise<boolean> {
    return this.data.delete(key);
  }
  async clear(): Promise<void> {
    this.#check();
    this.data.clear();
  }
  #check(): void {
    if (this.failing) throw new Error('connection refused');
  }
}

/** The same, whose writes wait until `open()`: a commit in progress. */
class GatedStore extends StringStore {
  waiting = 0;
  #open!: () => void;
  readonly #gate = new Promise<void>((resolve) => (this.#open = resolve));

  open(): void {
    this.#open();
  }
  override async set(key: string, value: unknown): Promise<boolean> {
    this.waiting++;
    await this.#gate;
    return super.set(key, value);
  }
}

/** The same, listing its entries the way keyv's iterable adapters (Redis, SQL) do. */
class IterableStringStore extends StringStore {
  override opts = { dialect: 'redis', url: 'memory://' };
  async *iterator(): AsyncGenerator<[string, string], void> {
    for (const entry of [...this.data]) yield entry;
  }
}

describe('any keyv store adapter', () => {
  it('round-trips every type through a string-only store and batches reads into one getMany', async () => {
    const store = new StringStore();
    const writer = await openCache({ store, l1Bytes: 0 });
    const value = everyType();
    await writer.setMany('any', 1, [
      { hash: 'a', value },
      { hash: 'b', value: 'second' },
    ]);
    expect([...store.data.keys()].sort()).toEqual(['any:1:a', 'any:1:b']);
    expect([...store.data.values()].every((text) => /^[A-Za-z0-9+/=]*$/.test(text))).toBe(true);
    expect(await writer.getMany('any', 1, ['a', 'b', 'c'])).toStrictEqual([value, 'second', undefined]);
    expect(store.getManyCalls).toBe(1);
  });

  it("clears one namespace through keyv's iterator when the store cannot clear a prefix itself", async () => {
    const store = new IterableStringStore();
    const cache = await openCache({ store });
    await cache.set('a', 1, 'h', 1);
    await cache.set('a', 2, 'h', 1);
    await cache.set('b', 1, 'h', 2);
    await cache.clear('a');
    expect([...store.data.keys()]).toEqual(['b:1:h']);
    expect(await cache.get('a', 1, 'h')).toBeUndefined();
    expect(cache.stats().errors).toBe(0);
  });

  it('a store that can neither clear a prefix nor list keys: clear(ns) is a counted error, L1 still cleared', async () => {
    const store = new StringStore();
    const warnings: string[] = [];
    const cache = await openCache({ store, onWarning: (m) => warnings.push(m) });
    await cache.set('a', 1, 'h', 1);
    await cache.clear('a');
    expect(cache.l1.count).toBe(0);
    expect(cache.stats().errors).toBe(1);
    expect(warnings).toHaveLength(1);
  });

  it('a failing store is a miss and a counted error, with one warning, never an exception', async () => {
    const store = new StringStore();
    const warnings: string[] = [];
    const cache = await openCache({ store, l1Bytes: 0, onWarning: (m) => warnings.push(m) });
    await cache.set('f', 1, 'h', 'before');
    store.failing = true;
    await expect(cache.set('f', 1, 'h2', 'during')).resolves.toBeUndefined();
    await expect(cache.setMany('f', 1, [{ hash: 'h3', value: 1 }])).resolves.toBeUndefined();
    expect(await cache.get('f', 1, 'h')).toBeUndefined();
    expect(await cache.getMany('f', 1, ['h', 'h2'])).toEqual([undefined, undefined]);
    await expect(cache.clear()).resolves.toBeUndefined();
    expect(cache.stats()).toMatchObject({ errors: 5, misses: 3, hits: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cache store failed \(connection refused\)/);
    store.failing = false;
    expect(await cache.get('f', 1, 'h')).toBe('before');
  });

  it('an undecodable entry is a miss and a counted error', async () => {
    const store = new StringStore();
    const warnings: string[] = [];
    const cache = await openCache({ store, l1Bytes: 0, onWarning: (m) => warnings.push(m) });
    await cache.set('c', 1, 'ok', 'fine');
    store.data.set('c:1:bad', 'not msgpack at all!');
    store.data.set('c:1:json', Buffer.from('{"value":1}').toString('base64'));
    expect(await cache.getMany('c', 1, ['ok', 'bad', 'json'])).toEqual(['fine', undefined, undefined]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, errors: 2 });
    expect(warnings).toHaveLength(1);
  });

  it('holds only packed bytes while the store commits: the values are free for the GC at once', async () => {
    // A write waits for the store's commit (up to a second with lmdb's synced commits); a cold index's analyses must
    // not live through it.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const store = new GatedStore();
    const cache = await openCache({ store, l1Bytes: 0 });
    let value: { text: string; list: number[] } | undefined = { text: 'x'.repeat(1000), list: [1, 2, 3] };
    const ref = new WeakRef(value);
    const write = cache.setMany('gc', 1, [{ hash: 'h', value }]);
    value = undefined;
    while (store.waiting === 0) await new Promise((r) => setImmediate(r));
    gc();
    expect(ref.deref()).toBeUndefined();
    store.open();
    await write;
    expect(await cache.get('gc', 1, 'h')).toEqual({ text: 'x'.repeat(1000), list: [1, 2, 3] });
    expect(cache.stats().errors).toBe(0);
  });

  it('a value msgpack cannot encode is a counted error, not an exception', async () => {
    const cache = await openTest();
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    await expect(cache.set('bad', 1, 'h', cyclic)).resolves.toBeUndefined();
    expect(cache.stats().errors).toBe(1);
    expect(await cache.get('bad', 1, 'h')).toBeUndefined();
  });
});

/** A string store that writes batches itself, recording each batch's keys. */
class BatchStringStore extends StringStore {
  readonly batches: string[][] = [];
  async setMany(entries: { key: string; value: unknown }[]): Promise<void> {
    this.batches.push(entries.map((e) => e.key));
    for (const { key, value } of entries) await this.set(key, value);
  }
}

/** Lets pending promise callbacks and I/O callbacks run. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('write-behind (writeBehindBytes)', () => {
  const entry = (hash: string) => [{ hash, value: 'x'.repeat(1000) }];

  it('holds setMany entries until their bytes reach the limit, then writes them as one batch; each promise waits for its write', async () => {
    const store = new BatchStringStore();
    const cache = await openCache({ store, l1Bytes: 0, writeBehindBytes: 3000 });
    open.push(cache);
    let firstDone = false;
    const first = cache.setMany('w', 1, entry('a')).then(() => (firstDone = true));
    const second = cache.setMany('w', 1, entry('b'));
    await settle();
    expect(store.batches).toEqual([]);
    expect(store.data.size).toBe(0);
    expect(firstDone).toBe(false);
    // The third crosses 3000 packed bytes: all three go in one batch, and every promise resolves.
    await cache.setMany('w', 1, entry('c'));
    await Promise.all([first, second]);
    expect(firstDone).toBe(true);
    expect(store.batches).toEqual([['w:1:a', 'w:1:b', 'w:1:c']]);
    expect(cache.stats()).toMatchObject({ errors: 0 });
    expect(cache.stats().bytesWritten).toBeGreaterThan(3000);
  });

  it('flush and close write what is held; another cache over the store then reads every entry', async () => {
    const store = new BatchStringStore();
    const cache = await openCache({ store, l1Bytes: 0, writeBehindBytes: 1 << 20 });
    const d = cache.setMany('w', 1, entry('d'));
    await settle();
    expect(store.batches).toEqual([]);
    await cache.flush();
    await d;
    expect(store.batches).toEqual([['w:1:d']]);
    const e = cache.setMany('w', 1, entry('e'));
    await cache.close();
    await e;
    expect(store.batches).toEqual([['w:1:d'], ['w:1:e']]);
    const reader = await openCache({ store, l1Bytes: 0 });
    open.push(reader);
    expect(await reader.getMany('w', 1, ['d', 'e'])).toEqual(['x'.repeat(1000), 'x'.repeat(1000)]);
  });

  it('a held write the store refuses is a counted error; its promises resolve, nothing is thrown', async () => {
    const store = new BatchStringStore();
    const warnings: string[] = [];
    const cache = await openCache({ store, l1Bytes: 0, writeBehindBytes: 1 << 20, onWarning: (m) => warnings.push(m) });
    open.push(cache);
    const write = cache.setMany('w', 1, entry('f'));
    store.failing = true;
    await expect(cache.flush()).resolves.toBeUndefined();
    await expect(write).resolves.toBeUndefined();
    expect(cache.stats().errors).toBe(1);
    expect(warnings).toEqual([expect.stringMatching(/cache store failed \(connection refused\)/)]);
  });

  it('is off by default: each setMany is written at once', async () => {
    const store = new BatchStringStore();
    const cache = await openCache({ store, l1Bytes: 0 });
    open.push(cache);
    await cache.setMany('w', 1, entry('g'));
    expect(store.batches).toEqual([['w:1:g']]);
  });
});

describe('the local lmdb store', () => {
  it('takes keyv envelopes unserialized and keeps the bytes the text form keeps: either form reads the other', async () => {
    const dir = tempDir('forms');
    const envelopes = (await openLmdbStore(dir, 'envelope')).store!;
    const text = (await openLmdbStore(dir, 'text')).store!;
    try {
      await envelopes.set('f:1:a', { value: Buffer.from('from envelopes'), expires: 1234 });
      const read = makeDeserializer(() => {
        throw new Error('corrupt');
      })((await text.get<string>('f:1:a')) as unknown as string);
      expect(read).toEqual({ value: Buffer.from('from envelopes'), expires: 1234 });
      await text.set('f:1:b', serializeEnvelope({ value: Buffer.from('from text'), expires: undefined }));
      expect(await envelopes.get('f:1:b')).toEqual({ value: Buffer.from('from text'), expires: undefined });
      expect(await envelopes.get('f:1:none')).toBeUndefined();
    } finally {
      await envelopes.disconnect();
      await text.disconnect();
    }
  });

  it('an entry that is not an envelope is a miss, a counted error and one warning', async () => {
    const dir = tempDir('bad-envelope');
    const text = (await openLmdbStore(dir, 'text')).store!;
    await text.set('c:1:garbage', Buffer.from([0xc1, 0xc1, 0xff]).toString('base64'));
    await text.set('c:1:map', packr.pack({ no: 'envelope' }).toString('base64'));
    await text.disconnect();
    const warnings: string[] = [];
    const cache = await openTest({ dir }, warnings);
    await cache.set('c', 1, 'ok', 'fine');
    cache.l1.clear();
    expect(await cache.getMany('c', 1, ['ok', 'garbage', 'map'])).toEqual(['fine', undefined, undefined]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, errors: 2 });
    expect(warnings).toEqual([expect.stringMatching(/^cache entry could not be read \(undecodable entry: .*\); treated as a miss$/)]);
  });

  it("values read in one batch stay intact: each is copied out of lmdb's reused read buffer", async () => {
    const dir = tempDir('copies');
    const writer = await openCache({ dir, l1Bytes: 0 });
    const values = Array.from({ length: 20 }, (_, i) => ({ hash: `h${i}`, value: { i, bytes: Buffer.alloc(3000, i) } }));
    await writer.setMany('c', 1, values);
    await writer.close();
    const reader = await openTest({ l1Bytes: 0, dir });
    const got = await reader.getMany<{ i: number; bytes: Buffer }>(
      'c',
      1,
      values.map((v) => v.hash),
    );
    expect(got).toStrictEqual(values.map((v) => v.value));
  });
});
