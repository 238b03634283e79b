// The whole report of the last scan of a tree, kept as one file in the cache directory
// (`<cacheDir>/scan-reports/<key>.json`, one per root). A later scan of the whole tree returns it as it is when its
// walk lists the same files with the same sizes and mtimes (the test `index` and the last-scan record also trust),
// the root holds the same index file (or none) and the options are the same: it then opens no cache, reads no file
// and resolves no import. Anything else (a file added, removed or touched, a rule re-levelled, a skip rule or the
// tsconfig `paths` changed, another quarry) scans as usual and replaces the file. A file that does not decode, or
// decodes to something else, is a miss. JSON, not msgpack: V8's JSON.parse reads the eslint package's report
// (~0.5 MB) in a few ms, msgpackr's decoder took 15-30 ms in a process that had not warmed it up; and JSON.parse
// never lets `__proto__` reach a prototype.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SCAN_REPORTS } from '../cache/cacheFiles.js';
import type { SkipReason } from '../index/analysis.js';
import { indexPathOf } from '../index/indexPath.js';
import { contentHash } from '../index/readSource.js';
import type { SkipRules } from '../index/skipRules.js';
import type { WalkedFile } from '../index/walk.js';
import { writeFileAtomicSync } from '../util/atomicWrite.js';
import { makeDirs } from '../util/makeDirs.js';
import { quarryVersion } from '../version.js';
import type { Level } from './config.js';
import type { TsconfigPaths } from './resolve.js';
import { SCAN_VERSION } from './scanResult.js';
import type { ScanReport } from './scan.js';

/** Bump when the report is assembled differently from the same per-file results (graph, totals, fields). */
const REPORT_FORMAT = 1;

/** What a report depends on besides the files themselves. */
export interface ReportInputs {
  root: string;
  rules: SkipRules;
  levels: ReadonlyMap<string, Level>;
  tsconfig: TsconfigPaths | undefined;
}

/** The walk a report was made from: every walked file with its size and mtime, and what the walk itself skipped. */
export interface Listing {
  files: readonly WalkedFile[];
  skipped: readonly { path: string; reason: SkipReason }[];
}

/**
 * The index at the root as a stat sees it (kind, size, mtime; null when there is none). A scan reads a current index,
 * and stops on an unreadable one: once the index is another file, the report is not reused.
 */
export function indexStamp(root: string): string | null {
  try {
    const st = statSync(indexPathOf(root));
    return `${st.isFile() ? 'file' : 'other'} ${st.size} ${st.mtimeMs}`;
  } catch {
    return null;
  }
}

interface StoredReport {
  /** inputsOf() of the scan that made it. */
  inputs: string;
  paths: string[];
  size: number[];
  mtime: number[];
  /** The walk's own skips, as `reason path` lines. */
  skipped: string[];
  /** indexStamp() when the report was made. */
  index: string | null;
  report: Omit<ScanReport, 'durationMs'>;
}

function inputsOf(inputs: ReportInputs): string {
  const levels = [...inputs.levels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify({
    format: REPORT_FORMAT,
    quarry: quarryVersion(),
    scan: SCAN_VERSION,
    root: inputs.root,
    rules: inputs.rules,
    levels,
    tsconfig: inputs.tsconfig ?? null,
  });
}

/** The file of the report of `root`: one per root, whatever the options (the last scan's wins). */
export function reportPath(cacheDir: string, root: string): string {
  return join(cacheDir, SCAN_REPORTS.dir, `${contentHash(Buffer.from(root)).slice(0, 32)}${SCAN_REPORTS.ext}`);
}

function skippedLines(listing: Listing): string[] {
  return listing.skipped.map((s) => `${s.reason} ${s.path}`);
}

/**
 * The report of the last scan of `inputs.root`, when it was made with the same inputs from the same listing; else
 * null (no file, another listing, other inputs, or bytes that are not a stored report).
 */
export function loadLastReport(cacheDir: string, inputs: ReportInputs, listing: Listing): Omit<ScanReport, 'durationMs'> | null {
  let stored: unknown;
  try {
    stored = JSON.parse(readFileSync(reportPath(cacheDir, inputs.root), 'utf8'));
  } catch {
    return null;
  }
  if (!isStored(stored) || stored.inputs !== inputsOf(inputs)) return null;
  const files = listing.files;
  if (stored.paths.length !== files.length) return null;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    if (stored.paths[i] !== f.path || stored.size[i] !== f.size || stored.mtime[i] !== f.mtimeMs) return null;
  }
  const skipped = skippedLines(listing);
  if (stored.skipped.length !== skipped.length || stored.skipped.some((s, i) => s !== skipped[i])) return null;
  if (stored.index !== indexStamp(inputs.root)) return null;
  return stored.report;
}

/** Keeps `report` as the last scan of `inputs.root`, made from `listing`. Throws the fs error as it came. */
export function saveLastReport(cacheDir: string, inputs: ReportInputs, listing: Listing, report: ScanReport): void {
  const { durationMs: _, ...kept } = report;
  const stored: StoredReport = {
    inputs: inputsOf(inputs),
    paths: listing.files.map((f) => f.path),
    size: listing.files.map((f) => f.size),
    mtime: listing.files.map((f) => f.mtimeMs),
    skipped: skippedLines(listing),
    index: indexStamp(inputs.root),
    report: kept,
  };
  const path = reportPath(cacheDir, inputs.root);
  makeDirs(dirname(path));
  writeFileAtomicSync(path, JSON.stringify(stored));
}

function isStored(v: unknown): v is StoredReport {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<StoredReport>;
  const n = Array.isArray(s.paths) ? s.paths.length : -1;
  const r = s.report as Partial<ScanReport> | undefined;
  return (
    typeof s.inputs === 'string' &&
    n >= 0 &&
    Array.isArray(s.size) &&
    s.size.length === n &&
    Array.isArray(s.mtime) &&
    s.mtime.length === n &&
    Array.isArray(s.skipped) &&
    (s.index === null || typeof s.index === 'string') &&
    typeof r === 'object' &&
    r !== null &&
    Array.isArray(r.files) &&
    typeof r.totals === 'object' &&
    r.totals !== null &&
    Array.isArray(r.cycles) &&
    Array.isArray(r.rules) &&
    Array.isArray(r.skippedFiles)
  );
}
