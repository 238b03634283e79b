// Scans a batch of JS/TS files that the cache could not answer, in a worker thread (or inline for a few): read with
// the index's skip rules, scanText, and the results stored in the cache for the next run.
import { takeCacheWarnings, threadCache, trackWrite } from '../cache/threadCache.js';
import type { SharedCacheConfig } from '../cache/sharedConfig.js';
import type { SkipReason } from '../index/analysis.js';
import type { SkipRules } from '../index/skipRules.js';
import { languageOf } from '../index/language.js';
import { readSource } from '../index/readSource.js';
import type { Profiler, SpanLine, WorkerProfilerContext } from '../profile/profiler.js';
import { scanText } from './fileScan.js';
import { SCAN_NAMESPACE, SCAN_VERSION, scanCacheHash, type FileScan } from './scanResult.js';

export interface ScanTask {
  root: string;
  /** Root-relative paths of JS/TS files to scan. */
  paths: string[];
  rules: SkipRules;
  /** Where to store the results; null: no cache (--no-cache). */
  cacheDir: string | null;
  /** The shared (Redis) tier behind the local cache, the same for every thread; absent: none. */
  sharedCache?: SharedCacheConfig | null | undefined;
  profile: WorkerProfilerContext | null;
}

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

export async function scanBatch(task: ScanTask, prof: Profiler): Promise<Omit<ScanReply, 'spans'>> {
  const batch = prof.start('scan-batch', { files: task.paths.length });
  const results = new Array<ScanFileResult>(task.paths.length);
  const fresh: { hash: string; value: FileScan }[] = [];
  for (let i = 0; i < task.paths.length; i++) {
    const path = task.paths[i]!;
    // Read again rather than shipped from the main thread: the page cache has it, and copying is not cheaper.
    const r = readSource(`${task.root}/${path}`, task.rules);
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
  if (store) setCacheAttrs(batch, store.stats());
  batch.end();
  return { results, warnings: takeCacheWarnings() };
}

/** The cache's byte and error counts on a span, as the index's batch spans carry them. */
export function setCacheAttrs(
  span: { set(key: string, value: number): void },
  st: { bytesRead: number; bytesWritten: number; errors: number },
): void {
  span.set('cache_bytes_read', st.bytesRead);
  span.set('cache_bytes_written', st.bytesWritten);
  span.set('cache_errors', st.errors);
}
