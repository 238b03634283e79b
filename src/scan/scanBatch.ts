// Scans a batch of JS/TS files in a worker thread (or inline for a few): the index's reading and skip rules, then
// each file's scan from the cache when its content hash is known there, else scanText.
import { takeCacheWarnings, threadCache, trackWrite } from '../cache/threadCache.js';
import type { SkipReason } from '../index/analysis.js';
import type { SkipRules } from '../index/analyze.js';
import { isParsed, languageOf } from '../index/language.js';
import { readSource } from '../index/readSource.js';
import type { Profiler, SpanLine, WorkerProfilerContext } from '../profile/profiler.js';
import { SCAN_NAMESPACE, SCAN_VERSION, scanCacheHash, scanText, type FileScan } from './fileScan.js';

export interface ScanTask {
  root: string;
  /** Root-relative paths of the walked files (JS/TS files are scanned, the others only checked against the skip rules). */
  paths: string[];
  rules: SkipRules;
  /** null: no cache (--no-cache). */
  cacheDir: string | null;
  profile: WorkerProfilerContext | null;
}

export type ScanFileResult =
  | { ok: true; hash: string; size: number; mtimeMs: number; scan: FileScan; cached: boolean }
  /** Not JS/TS: read only so that the skip rules count it as `index` does; passed them, not scanned. */
  | { ok: true; scan: null }
  | { ok: false; reason: SkipReason; detail?: string };

export interface ScanReply {
  results: ScanFileResult[];
  spans: SpanLine[];
  warnings: string[];
  cacheHits: number;
  cacheMisses: number;
}

type Pending = { index: number; buf: Buffer; key: string; hash: string; size: number; mtimeMs: number };

export async function scanBatch(task: ScanTask, prof: Profiler): Promise<Omit<ScanReply, 'spans'>> {
  const batch = prof.start('scan-batch', { files: task.paths.length });
  const results = new Array<ScanFileResult>(task.paths.length);
  const pending: Pending[] = [];
  const read = prof.start('read', undefined, batch);
  let bytes = 0;
  for (let i = 0; i < task.paths.length; i++) {
    const path = task.paths[i]!;
    const r = readSource(`${task.root}/${path}`, task.rules);
    if (!r.ok) {
      bytes += r.bytes;
      results[i] = r.detail === undefined ? { ok: false, reason: r.reason } : { ok: false, reason: r.reason, detail: r.detail };
      continue;
    }
    bytes += r.buf.length;
    if (!isParsed(languageOf(path))) {
      results[i] = { ok: true, scan: null };
      continue;
    }
    // Only the first two bytes (a `#!`) and the path decide whether the file is a CLI entry point.
    const key = scanCacheHash(r.hash, path, r.buf.subarray(0, 2).toString('latin1'));
    pending.push({ index: i, buf: r.buf, key, hash: r.hash, size: r.size, mtimeMs: r.mtimeMs });
  }
  read.set('bytes', bytes);
  read.end();

  const store = await threadCache(task.cacheDir);
  const cached: (FileScan | undefined)[] = store
    ? await prof.span(
        'cache-get',
        () =>
          store.getMany<FileScan>(
            SCAN_NAMESPACE,
            SCAN_VERSION,
            pending.map((p) => p.key),
          ),
        undefined,
        batch,
      )
    : [];
  const fresh: { hash: string; value: FileScan }[] = [];
  let hits = 0;
  const scanSpan = prof.start('parse-scan', undefined, batch);
  for (let k = 0; k < pending.length; k++) {
    const p = pending[k]!;
    const path = task.paths[p.index]!;
    let scan = cached[k];
    const hit = scan !== undefined;
    if (scan === undefined) {
      scan = scanText(p.buf.toString('utf8'), languageOf(path), path);
      fresh.push({ hash: p.key, value: scan });
    } else hits++;
    results[p.index] = { ok: true, hash: p.hash, size: p.size, mtimeMs: p.mtimeMs, scan, cached: hit };
  }
  scanSpan.set('scanned', fresh.length);
  scanSpan.end();
  if (store && fresh.length > 0) {
    const span = prof.start('cache-set', { entries: fresh.length }, batch);
    trackWrite(store.setMany(SCAN_NAMESPACE, SCAN_VERSION, fresh).finally(() => span.end()));
  }
  batch.set('cache_hits', hits);
  batch.set('cache_misses', pending.length - hits);
  batch.end();
  return { results, warnings: takeCacheWarnings(), cacheHits: hits, cacheMisses: pending.length - hits };
}
