// The shared tier of the cache: Redis through keyv's adapter (@keyv/redis), configured so that an outage costs a
// run at most one short wait. Every operation is batched (MGET, one MULTI of SET PX), bounded by a timeout, and
// skipped at once while the server is known to be down; reconnecting backs off exponentially in the background.
import type KeyvRedis from '@keyv/redis';
import type { RedisClientType } from '@keyv/redis';

import { messageOf } from '../util/errors.js';
import { SHARED_KEY_PREFIX, redactUrl, type SharedCacheConfig } from './sharedConfig.js';

type KeyvRedisModule = typeof import('@keyv/redis');

/**
 * @keyv/redis as the build ships it: one file (dist/vendor/keyv-redis.js, made by `npm run build` with esbuild). The
 * package itself is some 420 CommonJS modules (node-redis keeps a module per command), whose loading one by one took
 * ~150 ms of a 1 s `quarry index --cache-url` here, against ~80 ms for the one file. Running from source (tests), or
 * from a build without it, loads the package.
 */
async function loadKeyvRedis(): Promise<KeyvRedisModule> {
  try {
    return (await import(new URL('../../vendor/keyv-redis.js', import.meta.url).href)) as KeyvRedisModule;
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return import('@keyv/redis');
  }
}

/** Reconnect delays: 100 ms doubling up to this cap, plus up to 100 ms of jitter so runners do not retry in step. */
const RECONNECT_CAP_MS = 5_000;
/** After a failed operation the tier is left alone for this long, doubling on each further failure up to the cap. */
const COOLDOWN_CAP_MS = 30_000;

/** Counters of the shared tier, merged into the cache's stats. */
export interface SharedTierStats {
  /** Entries answered by Redis. */
  hits: number;
  /** Operations that failed, timed out, or were skipped because Redis was down. */
  errors: number;
}

/**
 * Redis behind keyv's adapter, never throwing from `getMany`/`setMany`: a failure is reported to `onFailure` and
 * the call answers as a miss (or drops the write). The client is built here rather than by @keyv/redis so that
 * every default that can hang or crash a command is set explicitly:
 * - `disableOfflineQueue`: node-redis would otherwise buffer commands while disconnected, for ever;
 * - a reconnect strategy that never gives up but backs off (100 ms doubling, capped at 5 s): giving up would make
 *   @keyv/redis reconnect on every call, adding listeners each time;
 * - an 'error' listener on the client and on the adapter: an unhandled 'error' event kills the process.
 * The socket is not unref'd: an awaited MGET on an unref'd socket would let Node exit with the command half done.
 * A command ends by process.exit and a pool by terminating its threads; programs call `disconnect`.
 */
export class RedisTier {
  readonly config: SharedCacheConfig;
  readonly stats: SharedTierStats = { hits: 0, errors: 0 };
  /** Told the reason of every failure (the cache warns once). */
  readonly #onFailure: (reason: string) => void;
  #client: RedisClientType | undefined;
  #adapter: KeyvRedis<string> | undefined;
  /** Settles when the first connection attempt succeeded, failed, or ran out of time. */
  #firstAttempt: Promise<void> | undefined;
  /** Until this time (epoch ms) operations skip Redis; set after a failure. */
  #downUntil = 0;
  #cooldownMs = 0;
  #closed = false;

  constructor(config: SharedCacheConfig, onFailure: (reason: string) => void) {
    this.config = config;
    this.#onFailure = onFailure;
  }

  /** The stored text for each key (undefined: absent, or Redis unavailable): one MGET per chunk of keys. */
  async getMany(keys: string[]): Promise<(string | undefined)[]> {
    const misses = keys.map(() => undefined);
    if (keys.length === 0) return misses;
    const adapter = await this.#usable();
    if (adapter === undefined) {
      this.stats.errors++;
      return misses;
    }
    try {
      const out: (string | undefined)[] = [];
      for (const chunk of chunks(keys)) {
        const values = await this.#bounded('read', adapter.getMany(chunk.map((k) => SHARED_KEY_PREFIX + k)));
        for (const v of values) out.push(typeof v === 'string' ? v : undefined);
      }
      this.#succeeded();
      this.stats.hits += out.filter((v) => v !== undefined).length;
      return out;
    } catch (err) {
      this.#failed(err);
      return misses;
    }
  }

  /** Writes the entries in one MULTI per chunk, each with a TTL (its own if shorter than the shared one). */
  async setMany(entries: { key: string; value: string; ttl?: number | undefined }[]): Promise<void> {
    if (entries.length === 0) return;
    const adapter = await this.#usable();
    if (adapter === undefined) {
      this.stats.errors++;
      return;
    }
    const ttlOf = (ttl: number | undefined): number =>
      ttl !== undefined && ttl > 0 ? Math.min(ttl, this.config.ttlMs) : this.config.ttlMs;
    try {
      for (const chunk of chunks(entries))
        await this.#bounded(
          'write',
          adapter.setMany(chunk.map(({ key, value, ttl }) => ({ key: SHARED_KEY_PREFIX + key, value, ttl: ttlOf(ttl) }))),
        );
      this.#succeeded();
    } catch (err) {
      this.#failed(err);
    }
  }

  /** Starts connecting now rather than at the first operation (which still waits for the first attempt). */
  connect(): void {
    if (!this.#closed && this.#firstAttempt === undefined) this.#open();
  }

  /**
   * The connected client for maintenance (`quarry cache stats|clear --shared`), which must not pretend: it throws
   * when Redis cannot be reached within the timeout.
   */
  async connectedClient(): Promise<RedisClientType> {
    const adapter = await this.#usable(true);
    if (adapter === undefined || this.#client === undefined)
      throw new Error(`cannot reach ${redactUrl(this.config.url)} within ${this.config.timeoutMs} ms`);
    return this.#client;
  }

  async disconnect(): Promise<void> {
    this.#closed = true;
    const client = this.#client;
    if (client?.isOpen !== true) return;
    try {
      // destroy, not close/QUIT: QUIT would wait for a reply that a dead or paused server never sends.
      client.destroy();
    } catch {
      // Already closed.
    }
  }

  /** The adapter if Redis can be used now: connected and not cooling down after a failure. */
  async #usable(ignoreCooldown = false): Promise<KeyvRedis<string> | undefined> {
    if (this.#closed) return undefined;
    if (this.#firstAttempt === undefined) this.#open();
    await this.#firstAttempt;
    if (!ignoreCooldown && Date.now() < this.#downUntil) return undefined;
    return this.#client?.isReady === true ? this.#adapter : undefined;
  }

  #open(): void {
    // A client that cannot be loaded or built is a failed first attempt, like a refused connection.
    this.#firstAttempt = loadKeyvRedis()
      .then((redis) => (this.#closed ? undefined : this.#connect(redis)))
      .catch((err: unknown) => this.#failed(err));
  }

  /** Builds the client and adapter and waits for the first connection attempt (bounded by the timeout). */
  async #connect(redis: KeyvRedisModule): Promise<void> {
    const { url, timeoutMs } = this.config;
    const client = redis.createClient({
      url,
      disableOfflineQueue: true,
      socket: {
        // The socket's own timer: only for a host that never answers the SYN; the first wait is bounded above.
        connectTimeout: Math.max(2000, 4 * timeoutMs),
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, RECONNECT_CAP_MS) + Math.floor(Math.random() * 100),
      },
    }) as RedisClientType;
    client.on('error', (err: unknown) => this.#onFailure(describe(err)));
    this.#client = client;
    const adapter = new redis.default<string>(client, { throwOnErrors: true, throwOnConnectError: true, useUnlink: true });
    // The adapter re-emits the client's errors; the listener above has already reported them.
    adapter.on('error', () => {});
    this.#adapter = adapter;
    await new Promise<void>((resolve) => {
      const settle = (): void => {
        cancel();
        client.off('error', settle);
        resolve();
      };
      const cancel = afterListening(timeoutMs, settle);
      client.once('error', settle);
      client.connect().then(settle, settle);
    });
    if (!client.isReady) this.#failed(new Error(client.isOpen ? `not connected within ${timeoutMs} ms` : 'connection failed'));
  }

  /** `op`, or a rejection after the timeout. */
  #bounded<T>(what: string, op: Promise<T>): Promise<T> {
    let cancel = (): void => {};
    const timeout = new Promise<never>((_, reject) => {
      cancel = afterListening(this.config.timeoutMs, () => reject(new Error(`${what} timed out after ${this.config.timeoutMs} ms`)));
    });
    op.catch(() => {}); // a late rejection after the timeout won is not unhandled
    return Promise.race([op, timeout]).finally(cancel);
  }

  #succeeded(): void {
    this.#cooldownMs = 0;
    this.#downUntil = 0;
  }

  #failed(err: unknown): void {
    this.stats.errors++;
    this.#cooldownMs = Math.min(Math.max(2 * this.#cooldownMs, 4 * this.config.timeoutMs, 250), COOLDOWN_CAP_MS);
    this.#downUntil = Date.now() + this.#cooldownMs;
    this.#onFailure(describe(err));
  }
}

/**
 * Keys per MGET or MULTI. A worker's batch (48 files) is one round trip; a warm scan's single lookup of every file
 * is split so that no one reply is so large that it exceeds the time budget on its own.
 */
const CHUNK = 512;

function* chunks<T>(items: T[]): IterableIterator<T[]> {
  for (let i = 0; i < items.length; i += CHUNK) yield items.slice(i, i + CHUNK);
}

/** Granularity of `afterListening`'s clock. */
const TICK_MS = 25;

/**
 * Calls `expire` once the thread has been free to read replies for `budgetMs`, and returns a cancel function.
 * A wall-clock timer would blame Redis for the thread's own busy time: a write left in flight while the thread
 * parses the next batch for a second has its reply waiting, unread, in the socket when the thread comes back, and
 * expired timers run before I/O is read. So the budget is counted in ticks, a late tick counting as one tick only,
 * and `expire` runs after one more I/O phase (setImmediate), when a reply that is already there has been read.
 */
function afterListening(budgetMs: number, expire: () => void): () => void {
  let left = budgetMs;
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  const tick = (): void => {
    left -= TICK_MS;
    if (left > 0) timer = setTimeout(tick, TICK_MS);
    else immediate = setImmediate(expire);
  };
  timer = setTimeout(tick, TICK_MS);
  return () => {
    clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
  };
}

/** A short reason: node-redis wraps socket errors, whose code (ECONNREFUSED...) says most. */
function describe(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = messageOf(err);
  if (typeof code !== 'string' || message.includes(code)) return message;
  // An AggregateError (every address of a host refused) has an empty message.
  return message === '' ? code : `${code}: ${message}`;
}
