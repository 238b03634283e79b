// `quarry index`: walk, read and analyse in the worker pool (or take analyses from the cache), build, write.
import { dirname, resolve } from 'node:path';
import { QuarryError, messageOf } from '../util/errors.js';
import { addCleanup } from '../util/cleanup.js';
import { yieldToEvents } from '../util/yieldToEvents.js';
import { profiler } from '../profile/profiler.js';
import { quarryVersion } from '../version.js';
import { countReasons, type FileResult, type IndexedAnalysis, type SkipReason } from './analysis.js';
import { DEFAULT_SKIP_RULES, type SkipRules } from './skipRules.js';
import { FORMAT_VERSION, INDEX_MAGIC } from './format.js';
import { acquireLock } from './lockFile.js';
import { IndexReader, indexPathOf } from './reader.js';
import { checkRootDir, walk, type WalkedFile } from './walk.js';
import { removeStaleTemps } from './tempFiles.js';
import { parserFamily } from './language.js';
import type { WorkerReply, WorkerTask } from './analyzeBatch.js';
import type { BuiltIndex } from './builder.js';
import type { SharedCacheConfig } from '../cache/sharedConfig.js';
import { makeIndexDir } from './indexPath.js';

export interface IndexOptions {
  /** Directory to index. */
  root: string;
  /** Worker threads. @default min(cores*2, 16) */
  workers?: number;
  /** Cache directory; null disables the cache. */
  cacheDir: string | null;
  /** A shared (Redis) tier behind the local cache (--cache-url). @default none */
  sharedCache?: SharedCacheConfig | null | undefined;
  rules?: Partial<SkipRules>;
  /** Rebuild everything even if nothing changed. @default false */
  force?: boolean;
  onProgress?: (done: number, total: number) => void;
  onWarning?: (message: string) => void;
}

export interface IndexSummary {
  root: string;
  indexPath: string;
  /** True when nothing had changed and the index was left as it was. */
  upToDate: boolean;
  files: number;
  bytes: number;
  terms: number;
  symbols: number;
  parseErrors: number;
  skipped: Partial<Record<SkipReason, number>>;
  skippedFiles: { path: string; reason: SkipReason }[];
  changes: { added: number; modified: number; removed: number; unchanged: number };
  cache: { hits: number; misses: number };
  indexSize: number;
  walk: 'git' | 'fs';
  workers: number;
  durationMs: number;
}

/** What a summary says beyond where, how and how long (filled in by `summarize`). */
type SummaryFields = Omit<IndexSummary, 'root' | 'indexPath' | 'skipped' | 'skippedFiles' | 'walk' | 'durationMs'>;

interface OldIndex {
  byPath: Map<string, number>;
  reader: IndexReader;
  skipped: Map<string, { size: number; mtime: number; reason: SkipReason }>;
}

/**
 * Files per worker task: large enough to amortise messaging and the cache's commit of each task's entries, small
 * enough to balance (a task is at most BATCH_BYTES). On the corpus 48 made 617 tasks; 128 makes 250 and a cold index
 * ran 4% faster (2 runs each, interleaved, on a loaded machine).
 */
const BATCH_FILES = 128;
const BATCH_BYTES = 1 << 20;

/** Builds started by this process: each one's number names its job to the threads (see WorkerTask.job). */
let jobs = 0;

export async function runIndex(opts: IndexOptions): Promise<IndexSummary> {
  const started = performance.now();
  const prof = profiler();
  const root = resolve(opts.root);
  checkRootDir(root);
  const rules: SkipRules = { ...DEFAULT_SKIP_RULES, ...opts.rules };
  const indexPath = indexPathOf(root);
  try {
    makeIndexDir(root);
  } catch (err) {
    throw new QuarryError('bad-input', `cannot create ${dirname(indexPath)}: ${messageOf(err)}`);
  }
  const release = acquireLock(`${indexPath}.lock`);
  const unregister = addCleanup(release);
  try {
    removeStaleTemps(indexPath);
    const walked = prof.span('walk', (s) => {
      const w = walk(root);
      s.set('files', w.files.length);
      return w;
    });
    const old = prof.span('load-old', () => loadOld(indexPath, opts.onWarning));

    const walkSkipped = walked.skipped.map((s) => ({ ...s, size: 0, mtime: 0 }));
    const reuse: { pos: number; id: number }[] = [];
    const keptSkips: { pos: number; reason: SkipReason }[] = [];
    const toRead: number[] = [];
    const files = walked.files;
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      const id = old?.byPath.get(f.path);
      if (old && !opts.force && id !== undefined && sameStat(old.reader, id, f)) {
        reuse.push({ pos: i, id });
        continue;
      }
      const sk = old?.skipped.get(f.path);
      if (sk && !opts.force && sk.size === f.size && sk.mtime === f.mtimeMs) {
        keptSkips.push({ pos: i, reason: sk.reason });
        continue;
      }
      toRead.push(i);
    }
    const skipsNow = [
      ...walkSkipped,
      ...keptSkips.map((k) => ({ path: files[k.pos]!.path, reason: k.reason, size: files[k.pos]!.size, mtime: files[k.pos]!.mtimeMs })),
    ];
    const summarize = (fields: SummaryFields, skipped: { path: string; reason: SkipReason }[]): IndexSummary => ({
      root,
      indexPath,
      ...fields,
      skipped: countReasons(skipped),
      skippedFiles: skipped.map(({ path, reason }) => ({ path, reason })),
      walk: walked.source,
      durationMs: Math.round(performance.now() - started),
    });
    // Every old file is still there unchanged (none removed: each walked one matched) and so are the skips.
    if (old && !opts.force && toRead.length === 0 && reuse.length === old.byPath.size && sameSkips(old, skipsNow)) {
      const h = old.reader.header;
      const summary = summarize(
        {
          upToDate: true,
          files: old.reader.fileCount,
          bytes: h.indexedBytes,
          terms: h.termCount,
          symbols: h.symbolCount,
          parseErrors: countParseErrors(old.reader),
          changes: { added: 0, modified: 0, removed: 0, unchanged: reuse.length },
          cache: { hits: 0, misses: 0 },
          indexSize: old.reader.file.fileSize,
          workers: 0,
        },
        skipsNow,
      );
      old.reader.close();
      return summary;
    }

    const attempt = (useOld: boolean) =>
      analyzeAndBuild({
        opts,
        root,
        rules,
        files,
        walkSkipped,
        old: useOld ? old!.reader : null,
        reuse: useOld ? reuse : [],
        keptSkips: useOld ? keptSkips : [],
        toRead: useOld ? toRead : files.map((_, i) => i),
      });
    let result: Awaited<ReturnType<typeof analyzeAndBuild>>;
    try {
      result = await attempt(old !== null && reuse.length > 0);
    } catch (err) {
      // Damage deep in the old index shows only while merging from it: rebuild everything instead.
      if (!(
        old !== null &&
        reuse.length > 0 &&
        (err instanceof RangeError || (err instanceof QuarryError && err.code === 'unreadable-index'))
      ))
        throw err;
      opts.onWarning?.(`${withoutRunHint(err)}; rebuilding it from the files`);
      result = await attempt(false);
    } finally {
      old?.reader.close();
    }
    const { built, cacheStats, workers } = result;
    // Loaded only when there is something to write: msgpackr's packer (with its native addon) costs start-up.
    const [{ writeIndexFile }, { packr }] = await Promise.all([import('./writeIndex.js'), import('../util/packr.js')]);
    // What changed, counted on what was indexed: a new file that turned out minified was not added.
    const changes = { added: 0, modified: 0, removed: 0, unchanged: 0 };
    for (const path of result.freshPaths) {
      if (old?.byPath.has(path)) changes.modified++;
      else changes.added++;
    }
    changes.unchanged = built.fileCount - changes.added - changes.modified;
    changes.removed = (old?.byPath.size ?? 0) - changes.unchanged - changes.modified;
    const skippedFiles = result.skippedFiles;
    skippedFiles.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const skippedSection = packr.pack({
      paths: skippedFiles.map((s) => s.path),
      reasons: skippedFiles.map((s) => s.reason),
      size: Float64Array.from(skippedFiles, (s) => s.size),
      mtime: Float64Array.from(skippedFiles, (s) => s.mtime),
    });
    const counts = countReasons(skippedFiles);
    const indexSize = prof.span('write', (s) => {
      const size = writeIndexFile(
        indexPath,
        {
          magic: INDEX_MAGIC,
          format: FORMAT_VERSION,
          quarryVersion: quarryVersion(),
          root,
          createdAt: new Date().toISOString(),
          fileCount: built.fileCount,
          termCount: built.termCount,
          symbolCount: built.symbolCount,
          indexedBytes: built.indexedBytes,
          avgFieldLen: built.avgFieldLen,
          walk: walked.source,
          skipped: counts,
        },
        [...built.sections, ['skipped', skippedSection]],
      );
      s.set('bytes', size);
      return size;
    });
    return summarize(
      {
        upToDate: false,
        files: built.fileCount,
        bytes: built.indexedBytes,
        terms: built.termCount,
        symbols: built.symbolCount,
        parseErrors: built.parseErrors,
        changes,
        cache: cacheStats,
        indexSize,
        workers,
      },
      skippedFiles,
    );
  } finally {
    unregister();
    release();
  }
}

interface BuildPlan {
  opts: IndexOptions;
  root: string;
  rules: SkipRules;
  files: WalkedFile[];
  walkSkipped: { path: string; reason: SkipReason; size: number; mtime: number }[];
  /** The index to merge kept files from, or null to analyse every file. */
  old: IndexReader | null;
  reuse: { pos: number; id: number }[];
  keptSkips: { pos: number; reason: SkipReason }[];
  toRead: number[];
}

/**
 * Files kept from the old index are never read again; the rest go to the pool (or, when few, are analysed
 * here), which takes their analysis from the cache when the content hash is known there; results are
 * assembled in path order as they arrive.
 */
async function analyzeAndBuild(plan: BuildPlan) {
  const { opts, root, rules, files, toRead } = plan;
  const prof = profiler();
  const [{ IndexAssembler }, { batchesOf, groupedBatches, threadsFor }] = await Promise.all([
    import('./builder.js'),
    import('../util/poolSize.js'),
  ]);
  const skippedFiles = [...plan.walkSkipped];
  const freshPaths: string[] = [];
  let readBytes = 0;
  for (const i of toRead) readBytes += files[i]!.size;
  const workers = threadsFor({ files: toRead.length, bytes: readBytes, batchFiles: BATCH_FILES, requested: opts.workers });
  const assembler = new IndexAssembler(files.length, plan.old);
  if (plan.old !== null && opts.cacheDir !== null) await describeDroppedFiles(plan, assembler);
  const sources: ({ old: number } | FileResult | undefined)[] = new Array<{ old: number } | FileResult | undefined>(files.length);
  for (const r of plan.reuse) sources[r.pos] = { old: r.id };
  for (const k of plan.keptSkips) sources[k.pos] = { ok: false, reason: k.reason };
  const cacheStats = { hits: 0, misses: 0 };
  // Threads keep a term list per job: a new one for each build, also on the calling thread (inline batches).
  const job = ++jobs;
  const build = prof.start('analyze-and-build', { files: files.length, to_read: toRead.length, workers });
  // Started while the pool's threads flush their cache writes, when there is a pool.
  let encoded: Promise<BuiltIndex> | undefined;
  let next = 0;
  let done = 0;
  const feed = (): void => {
    while (next < files.length) {
      const r = sources[next];
      if (r === undefined) return;
      const f = files[next]!;
      if ('old' in r) assembler.add(f.path, r);
      else if (r.ok) {
        assembler.add(f.path, { fresh: { path: f.path, size: r.size, mtimeMs: r.mtimeMs, hash: r.hash, analysis: r.analysis } });
        freshPaths.push(f.path);
      } else skippedFiles.push({ path: f.path, reason: r.reason, size: f.size, mtime: f.mtimeMs });
      sources[next] = undefined;
      next++;
    }
  };
  const take = (positions: number[], reply: Omit<WorkerReply, 'spans'>): void => {
    for (const w of reply.warnings) opts.onWarning?.(w);
    cacheStats.hits += reply.cacheHits;
    cacheStats.misses += reply.cacheMisses;
    const fresh: IndexedAnalysis[] = [];
    for (const r of reply.results) if (r.ok) fresh.push(r.analysis);
    assembler.adoptTerms(reply.thread, reply.termBase, reply.terms, fresh);
    positions.forEach((pos, k) => (sources[pos] = reply.results[k]));
    done += positions.length;
    opts.onProgress?.(done, toRead.length);
    feed();
  };
  /** The task of a batch, the same on this thread and on the pool's. */
  const task = (batch: number[]): WorkerTask => ({
    root,
    paths: batch.map((i) => files[i]!.path),
    rules,
    cacheDir: opts.cacheDir,
    sharedCache: opts.sharedCache,
    profile: prof.workerContext(build),
    job,
  });
  try {
    feed();
    if (toRead.length > 0 && workers === 0) {
      // A handful of changed files, or too little work for more than one thread: analysed here.
      const [{ analyzeBatch, forgetJob }, { flushWrites }] = await Promise.all([
        import('./analyzeBatch.js'),
        import('../cache/threadCache.js'),
      ]);
      // In batches all the same: between them Ctrl-C is handled and progress shown.
      for (const batch of batchesOf(toRead, (i) => files[i]!.size, BATCH_FILES, BATCH_BYTES)) {
        take(batch, await analyzeBatch({ ...task(batch), profile: null }, prof));
        await yieldToEvents();
      }
      forgetJob(job);
      for (const w of await flushWrites()) opts.onWarning?.(w);
    } else if (toRead.length > 0) {
      const { runInPool, workerModuleUrl } = await import('../util/workerPool.js');
      await runInPool<WorkerTask, WorkerReply>({
        worker: workerModuleUrl('./worker.js', import.meta.url),
        threads: workers,
        batches: groupedBatches(
          toRead,
          (i) => parserFamily(files[i]!.path),
          (i) => files[i]!.size,
          BATCH_FILES,
          BATCH_BYTES,
        ),
        task,
        take,
        onWarning: opts.onWarning,
        whileFlushing: async () => {
          feed();
          encoded = prof.span('encode', () => assembler.finish());
          await encoded;
        },
      });
    }
    feed();
  } catch (err) {
    assembler.dispose();
    throw err;
  } finally {
    build.end();
  }
  const built = await (encoded ?? prof.span('encode', () => assembler.finish()));
  return { built, skippedFiles, cacheStats, workers, freshPaths };
}

/**
 * Tells the assembler what the old files the update drops had (from their cached analyses), when they are few: the
 * merge then leaves the blocks they are not in as they are.
 */
async function describeDroppedFiles(plan: BuildPlan, assembler: import('./builder.js').IndexAssembler): Promise<void> {
  const old = plan.old!;
  const kept = new Uint8Array(old.fileCount);
  for (const r of plan.reuse) kept[r.id] = 1;
  const ids: number[] = [];
  for (let o = 0; o < old.fileCount; o++) if (kept[o] === 0) ids.push(o);
  const [{ describeDropped }, { threadCache }] = await Promise.all([import('./droppedFiles.js'), import('../cache/threadCache.js')]);
  const dropped = await profiler().span('describe-dropped', (s) => {
    s.set('files', ids.length);
    return describeDropped(() => threadCache(plan.opts.cacheDir, plan.opts.sharedCache), old, ids);
  });
  if (dropped !== null) assembler.knowDropped(dropped);
}

function sameStat(reader: IndexReader, id: number, f: WalkedFile): boolean {
  const cols = reader.files();
  return cols.size[id] === f.size && cols.mtime[id] === f.mtimeMs;
}

function sameSkips(old: OldIndex, now: { path: string; reason: SkipReason }[]): boolean {
  if (old.skipped.size !== now.length) return false;
  for (const s of now) if (old.skipped.get(s.path)?.reason !== s.reason) return false;
  return true;
}

function loadOld(indexPath: string, onWarning?: (m: string) => void): OldIndex | null {
  let reader: IndexReader;
  try {
    reader = new IndexReader(indexPath);
  } catch (err) {
    if (err instanceof QuarryError && err.code === 'no-index') return null;
    onWarning?.(`${withoutRunHint(err)}; rebuilding it`);
    return null;
  }
  try {
    if (reader.header.quarryVersion !== quarryVersion()) {
      reader.close();
      return null;
    }
    const byPath = new Map<string, number>();
    const paths = reader.allPaths();
    for (let i = 0; i < paths.length; i++) byPath.set(paths[i]!, i);
    reader.files();
    const skipped = reader.skippedFiles();
    return { byPath, reader, skipped };
  } catch (err) {
    reader.close();
    onWarning?.(`${withoutRunHint(err)}; rebuilding it`);
    return null;
  }
}

function countParseErrors(reader: IndexReader): number {
  let n = 0;
  for (const e of reader.files().parseError) n += e;
  return n;
}

/** An unreadable-index message without its "run `quarry index`" advice: index is what is running. */
function withoutRunHint(err: unknown): string {
  return messageOf(err).replace(/; run `quarry index`$/, '');
}
