// Scans a batch of JS/TS files that the cache could not answer, in a worker thread (or inline for a few): read with
// the index's skip rules, scanText, and the results stored in the cache for the next run.
import { setCacheAttrs, takeCacheWarnings, threadCache, trackWrite } from '../cache/threadCache.js';
import type { FileBatchTask } from '../index/analyzeBatch.js';
import type { SkipReason } from '../index/analysis.js';
import { languageOf } from '../index/language.js';
import { ReadArena, readSource } from '../index/readSource.js';
import type { Profiler, SpanLine } from '../profile/profiler.js';
import { scanText } from './fileScan.js';
import { SCAN_NAMESPACE, SCAN_VERSION, scanCacheHash, type FileScan } from './scanResult.js';

/** Root-relative paths of JS/TS files to scan; results go to the scan cache (see FileBatchTask). */
export type ScanTask = FileBatchTask;

export type ScanFileResult =
  | { ok: true; hash: string; scan: FileScan; cached: boolean }
  /** Not JS/TS: read only so that the skip rules count it as `index` does; passed them, not scanned. */
  | { ok: true; scan: null }
  | { ok: false; reason: SkipReason; detail?: string };

export interface ScanReply {
  results: ScanFileResult[];
  spans: SpanLine[];
  warnings: string[];
}

/** A file the calling thread has read already (bytes and content hash), so that the batch need not read it again. */
export interface PreRead {
  ok: true;
  buf: Buffer;
  hash: string;
}

/** Where this thread reads a file; each file's bytes are done with (turned into text) before the next is read. */
const arena = new ReadArena();

/**
 * Scans the batch's files. `preRead[i]`, when there, is `task.paths[i]` as the caller read it and checked against the
 * skip rules: on the main thread (a batch run inline) it saves a second read and hash of every file.
 */
export async function scanBatch(
  task: ScanTask,
  prof: Profiler,
  preRead?: readonly (PreRead | undefined)[],
): Promise<Omit<ScanReply, 'spans'>> {
  const batch = prof.start('scan-batch', { files: task.paths.length });
  const results = new Array<ScanFileResult>(task.paths.length);
  const fresh: { hash: string; value: FileScan }[] = [];
  for (let i = 0; i < task.paths.length; i++) {
    const path = task.paths[i]!;
    // In a worker, read again rather than shipped from the main thread: the page cache has it, and copying is not cheaper.
    arena.reset();
    const r = preRead?.[i] ?? readSource(`${task.root}/${path}`, task.rules, arena);
    if (!r.ok) {
      results[i] = r.detail === undefined ? { ok: false, reason: r.reason } : { ok: false, reason: r.reason, detail: r.detail };
      continue;
    }
    const lang = languageOf(path);
    const scan = scanText(r.buf.toString('utf8'), lang);
    fresh.push({ hash: scanCacheHash(r.hash, lang), value: scan });
    results[i] = { ok: true, hash: r.hash, scan, cached: false };
  }
  const store = await threadCache(task.cacheDir, task.sharedCache);
  if (store && fresh.length > 0) {
    const span = prof.start('cache-set', { entries: fresh.length }, batch);
    trackWrite(store.setMany(SCAN_NAMESPACE, SCAN_VERSION, fresh).finally(() => span.end()));
  }
  batch.set('scanned', fresh.length);
  if (store) setCacheAttrs(batch, store);
  batch.end();
  return { results, warnings: takeCacheWarnings() };
}
