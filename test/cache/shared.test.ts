// The shared cache against a real redis-server (started here on a free port): runners with empty local caches
// share analyses through it, every shared entry carries a TTL, and an outage (refused, killed mid-run, paused)
// costs one warning and never a failed, hung or different run. Runs the BUILT CLI (bin/ → dist/).
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { openCache } from '../../src/cache/cache.js';
import { RedisTier } from '../../src/cache/redisStore.js';
import { unpackr } from '../../src/util/unpackr.js';
import { quarry, tempDir, type CliRun } from '../helpers.js';
import { freePort, startRedis } from './redisServer.js';

const started = await startRedis();
if (started.server === null)
  // Visible in the test output, and the suite below is reported as skipped, not passed.
  console.warn(`\n*** SKIPPING the shared cache (Redis) tests: redis-server cannot be started: ${started.reason}\n`);
const redis = started.server;
afterAll(async () => redis?.dispose());

/** A tree of `files` small modules, each with its own content (so its own cache entry). */
function makeTree(files: number): string {
  const root = tempDir('quarry-shared-tree-');
  for (let i = 0; i < files; i++) {
    const dir = join(root, `pkg${i % 16}`);
    mkdirSync(dir, { recursive: true });
    const lines = [`import { compute${i + 1}_0 } from '../pkg${(i + 1) % 16}/mod${i + 1}.js';`];
    for (let f = 0; f < 10; f++)
      lines.push(
        `/** Adds up input ${f} of module ${i}. */`,
        `export function compute${i}_${f}(input, options = {}) {`,
        `  const scaled${f} = input.map((x) => x * ${f + 1} + ${i});`,
        `  if (options.verbose) console.log('module ${i} step ${f}', scaled${f});`,
        `  return scaled${f}.reduce((a, b) => a + b, compute${i + 1}_0 ? 0 : 1);`,
        '}',
      );
    lines.push(
      `export class Widget${i} {\n  constructor(name) { this.name = name; }\n  render() { return '<b>' + this.name + '</b>'; }\n}`,
    );
    writeFileSync(join(dir, `mod${i}.js`), `${lines.join('\n')}\n`);
  }
  return root;
}

/** Another runner's checkout of the same files. */
function copyTree(root: string): string {
  const copy = tempDir('quarry-shared-copy-');
  // Timestamps kept: the index records each file's mtime, and runners' indexes are compared byte for byte.
  cpSync(root, copy, { recursive: true, preserveTimestamps: true, filter: (src) => !src.includes('.quarry') });
  return copy;
}

/** The index of `root` without what differs between equal runs (write time, root path): header and section bytes. */
function indexContent(root: string): { header: Record<string, unknown>; body: Buffer } {
  const bytes = readFileSync(join(root, '.quarry', 'index.msgpack'));
  const headerLen = bytes.readUInt32LE(8);
  const header = unpackr.unpack(bytes.subarray(12, 12 + headerLen)) as Record<string, unknown>;
  delete header['createdAt'];
  delete header['root'];
  return { header, body: bytes.subarray(12 + headerLen) };
}

interface IndexRun extends CliRun {
  doc: { ok: boolean; data: { files: number; cache: { hits: number; misses: number } }; warnings: string[] };
  ms: number;
}

/** `quarry index ROOT --json` with its own local cache dir (a runner), two worker threads. */
async function index(root: string, cacheDir: string, args: string[] = [], env: Record<string, string> = {}): Promise<IndexRun> {
  const t0 = Date.now();
  const r = await quarry(['index', root, '--json', '--workers', '2', ...args], {
    env: { QUARRY_CACHE_DIR: cacheDir, QUARRY_CACHE_URL: undefined, ...env },
  });
  const ms = Date.now() - t0;
  let doc: IndexRun['doc'];
  try {
    doc = JSON.parse(r.stdout) as IndexRun['doc'];
  } catch {
    throw new Error(`index printed no JSON (exit ${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(0, 2000)}`);
  }
  return { ...r, doc, ms };
}

const sharedWarnings = (r: IndexRun) => r.doc.warnings.filter((w) => w.startsWith('shared cache '));
const stderrWarnings = (r: CliRun) => r.stderr.split('\n').filter((l) => l.startsWith('quarry: warning: shared cache '));

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** quarry's keys in Redis. */
function sharedKeys(): string[] {
  return redis!
    .cli(['--scan', '--pattern', 'quarry:*'])
    .split('\n')
    .filter((k) => k !== '');
}

/** TTL in seconds of each key, in one redis-cli session. */
function ttls(keys: string[]): number[] {
  return redis!
    .cli([], `${keys.map((k) => `TTL ${k}`).join('\n')}\n`)
    .split('\n')
    .map(Number);
}

const FILES = 240;
/** Files of the tree indexed while Redis fails. */
const BIG = 800;

describe.skipIf(redis === null)('shared cache (Redis)', () => {
  const tree = makeTree(FILES);
  let baseline: { header: Record<string, unknown>; body: Buffer } | undefined;
  let baselineMs = 0;

  let big: { tree: string; plain: { header: Record<string, unknown>; body: Buffer } } | undefined;
  /** A tree large enough for Redis to fail in the middle of its index, and its index built without Redis. */
  async function bigTree() {
    if (big === undefined) {
      const tree = makeTree(BIG);
      const copy = copyTree(tree);
      expect((await index(copy, tempDir('quarry-shared-c-'))).code).toBe(0);
      big = { tree, plain: indexContent(copy) };
    }
    return big;
  }

  /** The index of `tree` built with no shared cache at all, to compare every other run with. */
  async function expected(): Promise<{ header: Record<string, unknown>; body: Buffer }> {
    if (baseline === undefined) {
      const copy = copyTree(tree);
      const r = await index(copy, tempDir('quarry-shared-c-'));
      expect(r.code).toBe(0);
      baselineMs = r.ms;
      baseline = indexContent(copy);
    }
    return baseline;
  }

  it('a second runner with an empty local cache is served from Redis what the first one analysed', async () => {
    redis!.cli(['FLUSHALL']);
    const a = copyTree(tree);
    const first = await index(a, tempDir('quarry-shared-c-'), ['--cache-url', redis!.url]);
    expect(first.code).toBe(0);
    expect(first.doc.data.cache).toEqual({ hits: 0, misses: FILES });
    expect(first.doc.warnings).toEqual([]);
    expect(sharedKeys().filter((k) => k.startsWith('quarry:analysis:'))).toHaveLength(FILES);

    const b = copyTree(tree);
    const localB = tempDir('quarry-shared-c-');
    const second = await index(b, localB, ['--cache-url', redis!.url]);
    expect(second.code).toBe(0);
    expect(second.doc.data.cache).toEqual({ hits: FILES, misses: 0 });
    expect(second.doc.warnings).toEqual([]);
    expect(indexContent(b)).toEqual(await expected());

    // Redis hits were written back to the second runner's local store: a third run is served without Redis.
    const local = await quarry(['cache', 'stats', '--json'], { env: { QUARRY_CACHE_DIR: localB } });
    expect(JSON.parse(local.stdout).data).toMatchObject({ store: 'local', entries: FILES });
    const c = copyTree(tree);
    const third = await index(c, localB, ['--cache-url', `redis://127.0.0.1:${await freePort()}/0`]);
    expect(third.doc.data.cache).toEqual({ hits: FILES, misses: 0 });
    // Redis is connected to from the start, so its being down may be told (once), though nothing was needed from it.
    expect(sharedWarnings(third).length).toBeLessThanOrEqual(1);
    expect(third.doc.warnings.length).toBe(sharedWarnings(third).length);
  });

  it('puts a TTL on every shared entry: 7 days by default, --cache-ttl when given', async () => {
    redis!.cli(['FLUSHALL']);
    await index(copyTree(tree), tempDir('quarry-shared-c-'), ['--cache-url', redis!.url]);
    const keys = sharedKeys();
    expect(keys.length).toBe(FILES);
    const week = ttls(keys);
    expect(week.every((t) => t > 7 * 86_400 - 120 && t <= 7 * 86_400)).toBe(true);

    redis!.cli(['FLUSHALL']);
    await index(copyTree(tree), tempDir('quarry-shared-c-'), ['--cache-url', redis!.url, '--cache-ttl', '1h']);
    const hour = ttls(sharedKeys());
    expect(hour).toHaveLength(FILES);
    expect(hour.every((t) => t > 3600 - 120 && t <= 3600)).toBe(true);
  });

  it('with --cache-local off, uses Redis only: nothing local is written, and another runner still hits', async () => {
    redis!.cli(['FLUSHALL']);
    const localA = tempDir('quarry-shared-c-');
    const first = await index(copyTree(tree), localA, ['--cache-url', redis!.url, '--cache-local', 'off']);
    expect(first.doc.data.cache.misses).toBe(FILES);
    expect(existsSync(join(localA, 'kv'))).toBe(false);
    const second = await index(copyTree(tree), tempDir('quarry-shared-c-'), ['--cache-url', redis!.url, '--cache-local', 'off']);
    expect(second.doc.data.cache).toEqual({ hits: FILES, misses: 0 });
  });

  it('shares scan results too', async () => {
    redis!.cli(['FLUSHALL']);
    const scan = async (cacheDir: string) => {
      const r = await quarry(['scan', copyTree(tree), '--json', '--cache-url', redis!.url], { env: { QUARRY_CACHE_DIR: cacheDir } });
      return JSON.parse(r.stdout) as { ok: boolean; data: { cache: { hits: number; misses: number } }; warnings: string[] };
    };
    const first = await scan(tempDir('quarry-shared-c-'));
    expect(first.data.cache).toEqual({ hits: 0, misses: FILES });
    expect(first.warnings).toEqual([]);
    const second = await scan(tempDir('quarry-shared-c-'));
    expect(second.data.cache).toEqual({ hits: FILES, misses: 0 });
    expect(second.warnings).toEqual([]);
    expect(sharedKeys().filter((k) => k.startsWith('quarry:scan:'))).toHaveLength(FILES);
  });

  it('refused connection (nothing listening): one warning, exit 0, the same index, no slower than a bounded wait', async () => {
    const want = await expected();
    const copy = copyTree(tree);
    const profile = join(tempDir('quarry-shared-p-'), 'profile.jsonl');
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const r = await index(copy, tempDir('quarry-shared-c-'), ['--cache-url', url, '--profile', profile]);
    expect(r.code).toBe(0);
    expect(sharedWarnings(r)).toHaveLength(1);
    expect(sharedWarnings(r)[0]).toMatch(/ECONNREFUSED/);
    expect(stderrWarnings(r)).toHaveLength(1);
    expect(r.doc.data.cache).toEqual({ hits: 0, misses: FILES });
    expect(indexContent(copy)).toEqual(want);
    expect(r.ms).toBeLessThan(2 * baselineMs + 5000);
    // The profile records the failed cache operations, and `cache stats` reads them back.
    const spans = readFileSync(profile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { name: string; attrs: Record<string, number> });
    expect(spans.some((s) => s.name === 'analyze-batch' && s.attrs['cache_errors']! > 0)).toBe(true);
    const stats = await quarry(['cache', 'stats', '--json', '--profile', profile], {
      env: { QUARRY_CACHE_DIR: tempDir('quarry-shared-c-') },
    });
    const rates = JSON.parse(stats.stdout).data.hitRate.commands as { cmd: string; misses: number; errors: number }[];
    expect(rates).toEqual([expect.objectContaining({ cmd: 'index', misses: FILES })]);
    expect(rates[0]!.errors).toBeGreaterThan(0);
  });

  it('scan with a refused connection: one warning, exit 0, and its profile records the cache errors', async () => {
    const profile = join(tempDir('quarry-shared-p-'), 'profile.jsonl');
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const r = await quarry(['scan', copyTree(tree), '--json', '--cache-url', url, '--profile', profile], {
      env: { QUARRY_CACHE_DIR: tempDir('quarry-shared-c-'), QUARRY_CACHE_URL: undefined },
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { warnings: string[] }).warnings.filter((w) => /ECONNREFUSED/.test(w))).toHaveLength(1);
    const spans = readFileSync(profile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { attrs: Record<string, number> });
    expect(spans.some((s) => s.attrs['cache_errors']! > 0)).toBe(true);
  });

  it('Redis killed mid-index: the run completes with one warning and the same index; restarted, Redis is used again', async () => {
    const { tree: big, plain } = await bigTree();
    const copy = copyTree(big);
    redis!.cli(['FLUSHALL']);
    let finished = false;
    const run = index(copy, tempDir('quarry-shared-c-'), ['--cache-url', redis!.url]).finally(() => (finished = true));
    await until('first shared writes', () => finished || Number(redis!.cli(['DBSIZE'])) > 0);
    const keysAtKill = Number(redis!.cli(['DBSIZE']));
    expect(finished).toBe(false);
    let r: IndexRun;
    try {
      await redis!.stop('SIGKILL');
      r = await run;
    } finally {
      await redis!.restart();
    }
    expect(keysAtKill).toBeLessThan(BIG);
    expect(r.code).toBe(0);
    expect(sharedWarnings(r)).toHaveLength(1);
    expect(stderrWarnings(r)).toHaveLength(1);
    expect(r.doc.data.files).toBe(BIG);
    expect(indexContent(copy)).toEqual(plain);

    // Restarted (empty): the next runners fill it and are served from it.
    const again = await index(copyTree(tree), tempDir('quarry-shared-c-'), ['--cache-url', redis!.url]);
    expect(again.doc.warnings).toEqual([]);
    expect(sharedKeys()).toHaveLength(FILES);
    const served = await index(copyTree(tree), tempDir('quarry-shared-c-'), ['--cache-url', redis!.url]);
    expect(served.doc.data.cache).toEqual({ hits: FILES, misses: 0 });
  });

  it('Redis that stops answering mid-index (paused): operations time out, one warning, the same index', async () => {
    const { tree: big, plain } = await bigTree();
    redis!.cli(['FLUSHALL']);
    const copy = copyTree(big);
    let finished = false;
    const run = index(copy, tempDir('quarry-shared-c-'), ['--cache-url', redis!.url], { QUARRY_CACHE_TIMEOUT_MS: '200' }).finally(
      () => (finished = true),
    );
    await until('first shared writes', () => finished || Number(redis!.cli(['DBSIZE'])) > 0);
    expect(finished).toBe(false);
    redis!.pause();
    let r: IndexRun;
    try {
      r = await run;
    } finally {
      redis!.resume();
    }
    expect(r.code).toBe(0);
    expect(sharedWarnings(r)).toHaveLength(1);
    expect(sharedWarnings(r)[0]).toMatch(/timed out after 200 ms/);
    expect(stderrWarnings(r)).toHaveLength(1);
    expect(indexContent(copy)).toEqual(plain);
  });

  it('one process: a lookup while Redis is down is a quick miss, and after a restart the same cache uses Redis again', async () => {
    const warnings: string[] = [];
    let stopped = false;
    const cache = await openCache({
      dir: tempDir('quarry-shared-c-'),
      l1Bytes: 0,
      shared: { url: redis!.url, ttlMs: 60_000, local: false, timeoutMs: 300 },
      onWarning: (m) => warnings.push(m),
    });
    try {
      await cache.setMany('t', 1, [{ hash: 'a', value: { n: 1 } }]);
      expect(await cache.getMany('t', 1, ['a'])).toEqual([{ n: 1 }]);
      expect(cache.stats()).toMatchObject({ sharedHits: 1, sharedErrors: 0 });
      await redis!.stop('SIGKILL');
      stopped = true;
      const t0 = Date.now();
      expect(await cache.getMany('t', 1, ['a'])).toEqual([undefined]);
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(warnings).toHaveLength(1);
      expect(cache.stats().sharedErrors).toBeGreaterThan(0);
      await redis!.restart();
      stopped = false;
      // The client reconnects in the background (backoff capped at 5 s); writes land again without reopening.
      await until(
        'writes reach the restarted Redis',
        async () => {
          await cache.setMany('t', 1, [{ hash: 'b', value: [2] }]);
          return redis!.cli(['EXISTS', 'quarry:t:1:b']) === '1';
        },
        20_000,
      );
      expect(await cache.getMany('t', 1, ['b'])).toEqual([[2]]);
      expect(warnings).toHaveLength(1);
    } finally {
      await cache.close();
      if (stopped) await redis!.restart();
    }
  });

  it('a reply that came while the thread was busy (parsing) is not taken for a timeout', async () => {
    const reasons: string[] = [];
    const tier = new RedisTier({ url: redis!.url, ttlMs: 60_000, local: false, timeoutMs: 200 }, (r) => reasons.push(r));
    try {
      await tier.setMany([{ key: 'busy:warm', value: 'x' }]);
      const pending = tier.setMany([{ key: 'busy:write', value: 'y' }]);
      await new Promise((r) => setImmediate(r)); // the MULTI is on the wire
      const end = Date.now() + 1000;
      while (Date.now() < end); // the thread is busy for 5 budgets; Redis answers meanwhile
      await pending;
      expect(await tier.getMany(['busy:write'])).toEqual(['y']);
      expect(reasons).toEqual([]);
      expect(tier.stats.errors).toBe(0);
    } finally {
      await tier.disconnect();
    }
  });

  it('cache clear --shared deletes only quarry keys of the namespace asked; stats counts entries, bytes and TTLs', async () => {
    redis!.cli(['FLUSHALL']);
    redis!.cli(['SET', 'someone:else', 'keep']);
    redis!.cli(['SET', 'analysis:3:not-ours', 'keep']);
    const env = { QUARRY_CACHE_DIR: tempDir('quarry-shared-c-') };
    await index(copyTree(tree), env.QUARRY_CACHE_DIR, ['--cache-url', redis!.url]);
    await quarry(['scan', copyTree(tree), '--json', '--cache-url', redis!.url], { env });
    const stats = JSON.parse((await quarry(['cache', 'stats', '--shared', '--json', '--cache-url', redis!.url], { env })).stdout);
    expect(stats.data.namespaces).toEqual([
      expect.objectContaining({ namespace: 'analysis', entries: FILES, withoutTtl: 0 }),
      expect.objectContaining({ namespace: 'scan', entries: FILES, withoutTtl: 0 }),
    ]);
    expect(stats.data.bytes).toBeGreaterThan(FILES * 100);

    const cleared = await quarry(['cache', 'clear', '--shared', '--namespace', 'analysis', '--json'], {
      env: { ...env, QUARRY_CACHE_URL: redis!.url },
    });
    expect(JSON.parse(cleared.stdout).data).toMatchObject({ store: 'shared', namespace: 'analysis', deleted: FILES });
    expect(sharedKeys().every((k) => k.startsWith('quarry:scan:'))).toBe(true);
    expect(sharedKeys()).toHaveLength(FILES);

    const all = await quarry(['cache', 'clear', '--shared', '--json', '--cache-url', redis!.url], { env });
    expect(JSON.parse(all.stdout).data.deleted).toBe(FILES);
    expect(redis!.cli(['DBSIZE'])).toBe('2');
    expect(redis!.cli(['GET', 'someone:else'])).toBe('keep');
    expect(redis!.cli(['GET', 'analysis:3:not-ours'])).toBe('keep');

    // The local store: one namespace at a time too. Clearing scan also deletes the scan's report of the tree (a file
    // beside the store, built from the scan entries).
    const before = JSON.parse((await quarry(['cache', 'stats', '--json'], { env })).stdout);
    expect(before.data.namespaces).toContainEqual(expect.objectContaining({ namespace: 'local-scan-report', entries: 1 }));
    const local = JSON.parse((await quarry(['cache', 'clear', '--namespace', 'scan', '--json'], { env })).stdout);
    expect(local.data).toMatchObject({ store: 'local', deleted: FILES + 1 });
    const left = JSON.parse((await quarry(['cache', 'stats', '--json'], { env })).stdout);
    expect(left.data.namespaces).toEqual([
      expect.objectContaining({ namespace: 'analysis', entries: FILES }),
      // The scan's record of the tree's files: this machine's, so in the local store only (see the stats above).
      expect.objectContaining({ namespace: 'local-scan-files', entries: 1 }),
    ]);
  });
});

describe('reconnecting', () => {
  it('backs off exponentially while nothing listens (no reconnect storm), and stops for good on disconnect', async () => {
    const reasons: string[] = [];
    const url = `redis://127.0.0.1:${await freePort()}/0`;
    const tier = new RedisTier({ url, ttlMs: 60_000, local: false, timeoutMs: 300 }, (r) => reasons.push(r));
    const t0 = Date.now();
    expect(await tier.getMany(['x'])).toEqual([undefined]);
    expect(Date.now() - t0).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 3200));
    // Attempts at 0, 0.1, 0.3, 0.7, 1.5 and 3.1 s (+ up to 0.1 s jitter each): about six refusals, not hundreds.
    const refusals = reasons.filter((r) => r.includes('ECONNREFUSED')).length;
    expect(refusals).toBeGreaterThanOrEqual(3);
    expect(refusals).toBeLessThanOrEqual(8);
    await tier.disconnect();
    const after = reasons.length;
    await new Promise((r) => setTimeout(r, 6000));
    expect(reasons.length).toBe(after);
    expect(tier.stats.errors).toBeGreaterThan(0);
  });
});

describe('a client that cannot be built', () => {
  it('is a failed first attempt: reads are misses, writes are dropped, one reason, nothing thrown', async () => {
    const reasons: string[] = [];
    // node-redis refuses this URL when the client is created (the command line rejects it before that).
    const tier = new RedisTier({ url: 'http://127.0.0.1:1/0', ttlMs: 60_000, local: false, timeoutMs: 300 }, (r) => reasons.push(r));
    expect(await tier.getMany(['x'])).toEqual([undefined]);
    await tier.setMany([{ key: 'x', value: 'v' }]);
    expect(reasons.length).toBeGreaterThanOrEqual(1);
    expect(tier.stats.errors).toBeGreaterThanOrEqual(2);
    await tier.disconnect();
  });
});

describe('shared cache flags', () => {
  it('refuses a URL that is not redis://, --cache-local off without a URL, and a bad --cache-ttl (exit 2)', async () => {
    const root = makeTree(2);
    const env = { QUARRY_CACHE_DIR: tempDir('quarry-shared-c-'), QUARRY_CACHE_URL: undefined };
    for (const args of [
      ['--cache-url', 'http://x'],
      ['--cache-local', 'off'],
      ['--cache-url', 'redis://h:1/0', '--cache-ttl', 'soon'],
    ]) {
      const r = await quarry(['index', root, '--json', ...args], { env });
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout).error.code).toBe('usage');
    }
    const shared = await quarry(['cache', 'stats', '--shared', '--json'], { env });
    expect(shared.code).toBe(2);
  });
});
