// Reads a batch of files, applies the skip rules, and returns each file's analysis, from the cache when its
// content hash is known there. Runs in the index pool's worker threads (worker.ts), or inline for a few files.
import { threadId } from 'node:worker_threads';
import { setCacheAttrs, takeCacheWarnings, threadCache, trackWrite } from '../cache/threadCache.js';
import type { SharedCacheConfig } from '../cache/sharedConfig.js';
import type { Profiler, SpanLine, WorkerProfilerContext } from '../profile/profiler.js';
import {
  ANALYSIS_NAMESPACE,
  ANALYSIS_VERSION,
  analysisKey,
  indexedFieldLen,
  narrow,
  pathTerms,
  fromCached,
  toCached,
  type CachedAnalysis,
  type FileAnalysis,
  type FileResult,
  type IndexedAnalysis,
} from './analysis.js';
import { TermIds, termHash } from './tokenize.js';
import { analyzeText } from './analyze.js';
import type { SkipRules } from './skipRules.js';
import { ReadArena, readSource } from './readSource.js';
import { languageOf } from './language.js';

/** A batch of files for a pool thread, the same shape for index and scan: which files, how to skip, which cache. */
export interface FileBatchTask {
  root: string;
  /** Root-relative paths. */
  paths: string[];
  rules: SkipRules;
  /** null: no cache (e.g. --no-cache). */
  cacheDir: string | null;
  /** The shared (Redis) tier behind the local cache, the same for every thread; absent: none. */
  sharedCache?: SharedCacheConfig | null | undefined;
  profile: WorkerProfilerContext | null;
}

export interface WorkerTask extends FileBatchTask {
  /** Names the index job within this process: a thread keeps one term list per job (see ThreadTerms). */
  job: number;
}

export interface WorkerReply {
  results: FileResult[];
  /**
   * The results' `refs` point into the term list this thread (`thread`) keeps for the job; `terms` are the ones it
   * added since its previous reply, numbered from `termBase`. Each term crosses threads once per thread and job.
   */
  thread: number;
  termBase: number;
  terms: string[];
  spans: SpanLine[];
  warnings: string[];
  cacheHits: number;
  cacheMisses: number;
}

type Pending = { index: number; buf: Buffer; hash: string; size: number; mtimeMs: number; lines: number };

/**
 * This thread's arenas not in use by a batch. Callers run one batch at a time today, so it holds one; batches that
 * overlapped would each take their own.
 */
const freeArenas: ReadArena[] = [];

export async function analyzeBatch(task: WorkerTask, prof: Profiler): Promise<Omit<WorkerReply, 'spans'>> {
  // The batch's file bytes live in the arena until the batch is analysed: nothing made of them keeps a reference.
  const arena = freeArenas.pop() ?? new ReadArena();
  try {
    return await analyzeBatchIn(arena, task, prof);
  } finally {
    arena.reset();
    freeArenas.push(arena);
  }
}

async function analyzeBatchIn(arena: ReadArena, task: WorkerTask, prof: Profiler): Promise<Omit<WorkerReply, 'spans'>> {
  const batch = prof.start('analyze-batch', { files: task.paths.length });
  const results: FileResult[] = new Array<FileResult>(task.paths.length);
  const pending: Pending[] = [];
  const read = prof.start('read', undefined, batch);
  let bytes = 0;
  for (let i = 0; i < task.paths.length; i++) {
    const r = readSource(`${task.root}/${task.paths[i]!}`, task.rules, arena);
    if (!r.ok) {
      bytes += r.bytes;
      results[i] = r.detail === undefined ? { ok: false, reason: r.reason } : { ok: false, reason: r.reason, detail: r.detail };
      continue;
    }
    bytes += r.buf.length;
    pending.push({ index: i, buf: r.buf, hash: r.hash, size: r.size, mtimeMs: r.mtimeMs, lines: r.lines });
  }
  read.set('bytes', bytes);
  read.end();

  const store = await threadCache(task.cacheDir, task.sharedCache);
  let hits = 0;
  let misses = 0;
  const cached: (CachedAnalysis | undefined)[] = store
    ? await prof.span(
        'cache-get',
        () =>
          store.getMany<CachedAnalysis>(
            ANALYSIS_NAMESPACE,
            ANALYSIS_VERSION,
            pending.map((p) => analysisKey(p.hash, task.paths[p.index]!)),
          ),
        undefined,
        batch,
      )
    : [];
  const fresh: { hash: string; value: CachedAnalysis }[] = [];
  const terms = termsFor(task.job);
  const parse = prof.start('tokenize-parse', undefined, batch);
  for (let k = 0; k < pending.length; k++) {
    const p = pending[k]!;
    let analysis = fromCached(cached[k]);
    const hit = analysis !== undefined;
    if (!analysis) {
      analysis = analyzeText(p.buf.toString('utf8'), languageOf(task.paths[p.index]!), p.lines);
      fresh.push({ hash: analysisKey(p.hash, task.paths[p.index]!), value: toCached(analysis) });
      misses++;
    } else hits++;
    const indexed = terms.index(task.paths[p.index]!, analysis);
    results[p.index] = { ok: true, hash: p.hash, size: p.size, mtimeMs: p.mtimeMs, analysis: indexed, cached: hit };
  }
  parse.set('parsed', fresh.length);
  parse.end();
  if (store && fresh.length > 0) {
    // Committing waits on the disk; the thread parses the next batch meanwhile, and flushWrites() waits at the end.
    const span = prof.start('cache-set', { entries: fresh.length }, batch);
    trackWrite(store.setMany(ANALYSIS_NAMESPACE, ANALYSIS_VERSION, fresh).finally(() => span.end()));
  }
  batch.set('cache_hits', hits);
  batch.set('cache_misses', misses);
  if (store) setCacheAttrs(batch, store);
  batch.end();
  const added = terms.takeAdded();
  return {
    results,
    thread: threadId,
    termBase: added.base,
    terms: added.terms,
    warnings: takeCacheWarnings(),
    cacheHits: hits,
    cacheMisses: misses,
  };
}

/**
 * The first `n` counts in an array of their own, 16 bits each when they fit (they nearly always do): a reply is
 * cloned to the main thread, and a view into a larger buffer, or 32-bit counts, made it clone more. 4,000 corpus
 * files' replies: 45 against 90 ms to serialize, 13.6 against 17.5 MB. Not 8 bits: the builder reads one of two
 * array types, not three.
 */
function ownCounts(tf: Uint32Array, n: number): Uint16Array | Uint32Array {
  const counts = tf.subarray(0, n);
  const narrowed = narrow(counts, 16) as Uint16Array | Uint32Array;
  return narrowed === counts ? counts.slice() : narrowed;
}

let threadTerms: ThreadTerms | undefined;

/** This thread's term list for `job`, a new one when the job changes. */
function termsFor(job: number): ThreadTerms {
  if (threadTerms?.job !== job) threadTerms = new ThreadTerms(job);
  return threadTerms;
}

/**
 * Drops this thread's term list for `job`, once its last batch is taken. A pool's threads end with the job; the
 * thread that ran a job's batches itself would otherwise hold every term of it until the next job.
 */
export function forgetJob(job: number): void {
  if (threadTerms?.job === job) threadTerms = undefined;
}

/**
 * The term list a thread keeps for one job, and each file's analysis re-expressed against it (see
 * IndexedAnalysis). Batch after batch, fewer of a file's terms are new: only those are sent with a reply, and the
 * main thread maps this list's ids to the index's by array, not by looking each term up again.
 */
class ThreadTerms {
  readonly #ids = new TermIds(1 << 16);
  /** Terms with an id below this were sent with an earlier reply. */
  #sent = 0;

  constructor(readonly job: number) {}

  /** The terms added since the last call, and the id of the first. */
  takeAdded(): { base: number; terms: string[] } {
    const base = this.#sent;
    this.#sent = this.#ids.terms.length;
    return { base, terms: this.#ids.terms.slice(base) };
  }

  /** Scratch for a file's refs and counts, reused file after file: a reply carries copies of the exact length. */
  #refs = new Uint32Array(1 << 12);
  #tf = new Uint32Array(1 << 14);

  index(path: string, a: FileAnalysis): IndexedAnalysis {
    const { counts: pathCounts, tokens: pathLen } = pathTerms(path);
    const n = a.terms.length;
    // Path terms are mostly body terms too: they share a slot; the others are appended.
    const most = n + pathCounts.size;
    if (most > this.#refs.length) {
      this.#refs = new Uint32Array(most * 2);
      this.#tf = new Uint32Array(most * 8);
    }
    const refs = this.#refs;
    const tf = this.#tf.fill(0, 0, most * 4);
    // A fresh analysis brings its terms' hashes (the file's TermTable made them); a cached one does not.
    const hashes = a.termHashes;
    for (let i = 0; i < n; i++) {
      const term = a.terms[i]!;
      refs[i] = this.#ids.idOf(term, hashes === undefined ? termHash(term) : hashes[i]!);
      tf[i * 4 + 1] = a.tf[i * 3]!;
      tf[i * 4 + 2] = a.tf[i * 3 + 1]!;
      tf[i * 4 + 3] = a.tf[i * 3 + 2]!;
    }
    let used = n;
    for (const [term, count] of pathCounts) {
      const ref = this.#ids.idOf(term, termHash(term));
      let k = refs.subarray(0, n).indexOf(ref);
      if (k === -1) refs[(k = used++)] = ref;
      tf[k * 4] = count;
    }
    const fieldLen = indexedFieldLen(pathLen, a);
    // Every field, parseError too when there is none: one shape for the main thread's code that reads them.
    return {
      lang: a.lang,
      lines: a.lines,
      symbols: a.symbols,
      imports: a.imports,
      exports: a.exports,
      refs: refs.slice(0, used),
      tf: ownCounts(tf, used * 4),
      fieldLen,
      parseError: a.parseError,
    };
  }
}
