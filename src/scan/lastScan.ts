// What the last scan of a root learnt about its files, kept in the cache: for each file its size, mtime and content
// hash (or the content rule that skipped it). The next scan of the root takes a file whose size and mtime are the
// same by that hash without reading it, as it does from a current index: a warm scan then reads no file at all.
import type { Cache } from '../cache/cache.js';
import { LOCAL_NAMESPACE_PREFIX } from '../cache/cacheKey.js';
import { contentHash } from '../index/readSource.js';
import type { SkipReason } from '../index/analysis.js';
import type { SkipRules } from '../index/skipRules.js';

/** A `local-` namespace: the record names this machine's paths and mtimes, so a shared (Redis) tier never gets it. */
export const LAST_SCAN_NAMESPACE = `${LOCAL_NAMESPACE_PREFIX}scan-files`;
/** Bump when the shape of LastScanEntry changes. */
export const LAST_SCAN_VERSION = 1;

/**
 * Skips that follow from a file's bytes, hence hold while its size and mtime do; the others (vanished,
 * unreadable, not-a-file) are about the moment and are looked at again.
 */
const CONTENT_SKIPS: ReadonlySet<SkipReason> = new Set(['binary', 'invalid-utf8', 'too-large', 'minified']);

/** One walked file as the last scan left it: `hash` is its content hash, '' for a file read but not scanned. */
export type FileState = { path: string; size: number; mtimeMs: number } & ({ hash: string } | { reason: SkipReason });

/** The stored record: columns, one row per file. */
interface LastScanEntry {
  paths: string[];
  size: number[];
  mtime: number[];
  /** Content hash, '' for a file that is not JS/TS, or '!reason' for a file skipped by a content rule. */
  state: string[];
}

/** What a lookup answers for a file whose size and mtime are unchanged. */
export interface KnownFiles {
  indexed: Map<string, { id: number; size: number; mtime: number }>;
  skipped: Map<string, { size: number; mtime: number; reason: SkipReason }>;
  hashOf(id: number): string;
}

/** The cache key (hash part) of a root's record: another root, or other skip rules, is another record. */
export function lastScanKey(root: string, rules: SkipRules): string {
  return contentHash(Buffer.from(JSON.stringify([root, rules])));
}

/** The last scan's record of `root`, or null when there is none (or it does not decode as one). */
export async function loadLastScan(cache: Cache, root: string, rules: SkipRules): Promise<KnownFiles | null> {
  const entry = await cache.get<unknown>(LAST_SCAN_NAMESPACE, LAST_SCAN_VERSION, lastScanKey(root, rules));
  if (!isEntry(entry)) return null;
  const indexed = new Map<string, { id: number; size: number; mtime: number }>();
  const skipped = new Map<string, { size: number; mtime: number; reason: SkipReason }>();
  for (let i = 0; i < entry.paths.length; i++) {
    const state = entry.state[i]!;
    const row = { size: entry.size[i]!, mtime: entry.mtime[i]! };
    if (state.startsWith('!')) {
      const reason = state.slice(1) as SkipReason;
      if (CONTENT_SKIPS.has(reason)) skipped.set(entry.paths[i]!, { ...row, reason });
    } else indexed.set(entry.paths[i]!, { id: i, ...row });
  }
  return { indexed, skipped, hashOf: (id) => entry.state[id]! };
}

/** Records `files` as the last scan of `root`; files skipped for a passing reason are left out. */
export async function saveLastScan(cache: Cache, root: string, rules: SkipRules, files: readonly FileState[]): Promise<void> {
  const entry: LastScanEntry = { paths: [], size: [], mtime: [], state: [] };
  for (const f of files) {
    if ('reason' in f && !CONTENT_SKIPS.has(f.reason)) continue;
    entry.paths.push(f.path);
    entry.size.push(f.size);
    entry.mtime.push(f.mtimeMs);
    entry.state.push('reason' in f ? `!${f.reason}` : f.hash);
  }
  await cache.set(LAST_SCAN_NAMESPACE, LAST_SCAN_VERSION, lastScanKey(root, rules), entry);
}

function isEntry(v: unknown): v is LastScanEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Partial<LastScanEntry>;
  if (!Array.isArray(e.paths) || !Array.isArray(e.size) || !Array.isArray(e.mtime) || !Array.isArray(e.state)) return false;
  const n = e.paths.length;
  return (
    e.size.length === n &&
    e.mtime.length === n &&
    e.state.length === n &&
    e.paths.every((p) => typeof p === 'string') &&
    e.state.every((s) => typeof s === 'string') &&
    e.size.every((x) => typeof x === 'number') &&
    e.mtime.every((x) => typeof x === 'number')
  );
}
