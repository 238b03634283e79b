// The default durable store: an lmdb environment under the cache dir behind keyv's store-adapter interface,
// opened so that a damaged environment is reset instead of failing (or crashing) the command.
import { EventEmitter } from 'node:events';
import { renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { open, type RootDatabase } from 'lmdb';

import { messageOf } from '../util/errors.js';
import { decodeEnvelope, encodeEnvelope, entryBytes, entryText, type Envelope } from './entryCodec.js';
import { lmdbDataFileDamage } from './lmdbFileCheck.js';
import { makeDirs } from '../util/makeDirs.js';

/** Folder of the lmdb environment inside the cache dir; other cache data can live next to it. */
export const LMDB_SUBDIR = 'kv';

/** Path of the lmdb environment (a folder holding data.mdb and lock.mdb) for a cache dir. */
export function lmdbPath(cacheDir: string): string {
  return join(cacheDir, LMDB_SUBDIR);
}

/**
 * A store that can drop every key starting with a prefix; the cache uses it for `clear(ns)`. keyv has no
 * such operation, so an adapter that wants cheap namespace clears (lmdb range, Redis SCAN) implements it.
 */
export interface PrefixClearable {
  clearPrefix(prefix: string): Promise<void>;
}

/**
 * What crosses between keyv and the store: keyv's serialized text (a Keyv with the entry codec's serializer, as the
 * tiered store and any other keyv store get it), or keyv's `{value, expires}` envelope itself (a Keyv with
 * serialization turned off: no base64 round trip per entry). The bytes kept are the same either way (entryCodec.ts).
 */
export type EntryForm = 'text' | 'envelope';

/**
 * keyv store adapter over lmdb. It keeps the msgpack bytes of keyv's envelope (`encoding: 'binary'`, no second
 * encoding), taking and returning entries in its EntryForm: as text, which keyv deserializes; or as envelopes, an
 * undecodable entry being a miss reported through `onCorrupt`. Expiry is keyv's job (it reads `expires` from the
 * envelope and deletes stale entries on read).
 *
 * Reads are synchronous, a batch too. lmdb's `prefetch` (pages faulted in on a thread of libuv's) made every batch
 * of a cold index wait for a round trip through a thread pool busy with commits: 0.55 s a worker thread over the
 * corpus with an empty cache, and with a warm one (the pages in the OS's cache) 1.5-1.9 s of reading against
 * 2.0-2.1 s with it.
 */
export class LmdbStore extends EventEmitter implements KeyvStoreAdapter, PrefixClearable {
  /** keyv inspects `dialect`/`url` to decide whether an adapter is iterable; lmdb is not on its list (clears use `clearPrefix`). */
  readonly opts: { dialect: string; url: string };
  /** Set by keyv; when set, `clear()` only drops keys of this namespace, as keyv 5 expects of adapters. */
  namespace?: string | undefined;
  readonly path: string;
  readonly form: EntryForm;
  readonly #db: RootDatabase<Buffer, string>;
  readonly #onCorrupt: (reason: string) => void;
  #closed = false;

  constructor(db: RootDatabase<Buffer, string>, path: string, form: EntryForm = 'text', onCorrupt: (reason: string) => void = () => {}) {
    super();
    this.#db = db;
    this.path = path;
    this.form = form;
    this.#onCorrupt = onCorrupt;
    this.opts = { dialect: 'lmdb', url: `lmdb://${path}` };
  }

  // keyv's adapter type says get returns the value; this store returns the serialized text (keyv deserializes it)
  // or the envelope: the casts below are that documented gap, not a type escape.
  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.#read(key) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return keys.map((key) => this.#read(key) as StoredData<Value | undefined>);
  }

  async set(key: string, value: unknown): Promise<boolean> {
    return this.#db.put(key, this.#bytesOf(value));
  }

  async setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    // Puts issued in one event turn are committed as one lmdb transaction: one commit for the whole batch.
    await Promise.all(entries.map(({ key, value }) => this.#db.put(key, this.#bytesOf(value))));
  }

  async delete(key: string): Promise<boolean> {
    return this.#db.remove(key);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    const removed = await Promise.all(keys.map((key) => this.#db.remove(key)));
    return removed.every(Boolean);
  }

  async clear(): Promise<void> {
    if (this.namespace !== undefined && this.namespace !== '') await this.clearPrefix(`${this.namespace}:`);
    else await this.#db.clearAsync();
  }

  async clearPrefix(prefix: string): Promise<void> {
    if (prefix === '') return this.#db.clearAsync();
    const keys = [...this.#db.getKeys({ start: prefix, end: prefixEnd(prefix) })];
    await Promise.all(keys.map((key) => this.#db.remove(key)));
  }

  /** Each key starting with `prefix` (all keys when empty) and the size of its stored entry, for `quarry cache stats`. */
  *sizes(prefix: string): IterableIterator<[string, number]> {
    const range = prefix === '' ? {} : { start: prefix, end: prefixEnd(prefix) };
    for (const key of this.#db.getKeys(range)) {
      const bytes = this.#db.getBinaryFast(key);
      if (bytes !== undefined) yield [key, bytes.length];
    }
  }

  async disconnect(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }

  /** The entry under `key`, in this store's form; the fast buffer is only valid until the next read, so it is decoded at once. */
  #read(key: string): string | Envelope | undefined {
    const bytes = this.#db.getBinaryFast(key);
    if (bytes === undefined) return undefined;
    return this.form === 'text' ? entryText(bytes) : decodeEnvelope(bytes, this.#onCorrupt, true);
  }

  /** The bytes to keep for an entry in this store's form. */
  #bytesOf(value: unknown): Buffer {
    if (this.form === 'text') return entryBytes(textOf(value));
    if (typeof value !== 'object' || value === null || !('value' in value))
      throw new TypeError('LmdbStore (envelope form) stores keyv envelopes; configure keyv without serialization');
    return encodeEnvelope(value as Envelope);
  }
}

/**
 * The end of the key range of `prefix`: keys are ordered-binary strings, so `prefix` .. `prefix` with its last
 * character bumped is exactly the keys that start with it.
 */
function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function textOf(value: unknown): string {
  if (typeof value !== 'string') throw new TypeError('LmdbStore stores serialized entries; configure keyv with a string serializer');
  return value;
}

/** The outcome of opening the default store: a store, or none (memory only), and at most one warning. */
export interface LmdbOpenResult {
  store: LmdbStore | undefined;
  warning: string | undefined;
}

/**
 * Opens the lmdb store of `cacheDir`. If it cannot be opened (damaged data file, a file where a folder should
 * be, no permission...) the damaged files are moved aside and the store is recreated once; if that fails too
 * the result has no store. Either way at most one warning comes back, never an exception. `form` and `onCorrupt`: see
 * LmdbStore.
 */
export async function openLmdbStore(
  cacheDir: string,
  form: EntryForm = 'text',
  onCorrupt?: (reason: string) => void,
): Promise<LmdbOpenResult> {
  const openOnce = (): Promise<LmdbStore> => openEnv(cacheDir).then(({ db, path }) => new LmdbStore(db, path, form, onCorrupt));
  let reason: string;
  try {
    return { store: await openOnce(), warning: undefined };
  } catch (err) {
    reason = messageOf(err);
  }
  try {
    resetStore(cacheDir);
    return { store: await openOnce(), warning: `cache at ${cacheDir} was damaged (${reason}); reset` };
  } catch (err) {
    return {
      store: undefined,
      warning: `cache at ${cacheDir} is unusable (${reason}; reset failed: ${messageOf(err)}); caching in memory only`,
    };
  }
}

async function openEnv(cacheDir: string): Promise<{ db: RootDatabase<Buffer, string>; path: string }> {
  const dirStat = statIfAny(cacheDir);
  if (dirStat !== undefined && !dirStat.isDirectory()) throw new Error(`${cacheDir} is not a directory`);
  makeDirs(cacheDir);
  const path = lmdbPath(cacheDir);
  const envStat = statIfAny(path);
  if (envStat !== undefined && !envStat.isDirectory()) throw new Error(`${path} is not a directory`);
  const dataFile = join(path, 'data.mdb');
  const dataStat = statIfAny(dataFile);
  if (dataStat !== undefined) {
    if (!dataStat.isFile()) throw new Error(`${dataFile} is not a file`);
    // A process creating or committing to the file right now can be caught mid-write; only damage that is
    // still there a moment later is real.
    if (lmdbDataFileDamage(dataFile) !== undefined) {
      await sleep(25);
      const damage = lmdbDataFileDamage(dataFile);
      if (damage !== undefined) throw new Error(damage);
    }
  }
  const db = open<Buffer, string>({
    path,
    // Raw bytes: the entry is already msgpack; lmdb's own msgpack (without moreTypes) must not touch it.
    encoding: 'binary',
    // lmdb guesses "file, not folder" from a '.' in the last path segment; never guess.
    noSubdir: false,
    // The L1 in front is the object cache; lmdb's would hold a second copy of the same entries.
    cache: false,
    // Durability: lmdb's defaults (synced commits, with overlappingSync on Linux/macOS) are kept. noSync or
    // useWritemap would make writes cheaper, but after an OS crash or power loss they can leave a corrupt
    // file, and lmdb-js crashes the process on a corrupt file rather than reporting it. overlappingSync
    // already moves the fsync out of the write lock and off the caller's path (a put resolves when its
    // transaction is committed and visible to other processes), and its meta-page protocol keeps the file
    // consistent after a crash: at worst the last transactions are lost, which for a cache is a miss.
  });
  return { db, path };
}

/**
 * Moves the damaged store out of the way. The lmdb folder is ours, so it is deleted; a file sitting where the
 * cache dir should be might be the user's, so it is only renamed. Renaming first makes the reset atomic for
 * other processes: they see the old environment or none, never half of one.
 */
function resetStore(cacheDir: string): void {
  const aside = (path: string): string => `${path}.damaged-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const dirStat = statIfAny(cacheDir);
  if (dirStat !== undefined && !dirStat.isDirectory()) {
    renameSync(cacheDir, aside(cacheDir));
    return;
  }
  const path = lmdbPath(cacheDir);
  if (statIfAny(path) === undefined) return;
  const moved = aside(path);
  renameSync(path, moved);
  try {
    rmSync(moved, { recursive: true, force: true });
  } catch {
    // Leftovers of a damaged store take space but harm nothing; the fresh store is already in place.
  }
}

function statIfAny(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
