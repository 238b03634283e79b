// `quarry scan`: walks the given paths as `index` does, scans each JS/TS file in the worker pool (or from the cache),
// applies the run's rule levels, resolves imports into a graph and finds its cycles. Returns plain data; the
// printers in src/scan/format/ render it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { SharedCacheConfig } from '../cache/sharedConfig.js';
import { countReasons, type SkipReason } from '../index/analysis.js';
import { DEFAULT_SKIP_RULES, type SkipRules } from '../index/skipRules.js';
import { isParsed, languageOf, parserFamily, type Language } from '../index/language.js';
import type { ParseError } from '../index/parse.js';
import { checkRootDir, walk, type WalkedFile } from '../index/walk.js';
import { ReadArena, readSource } from '../index/readSource.js';
import { profiler } from '../profile/profiler.js';
import { QuarryError, errnoCode, messageOf } from '../util/errors.js';
import { yieldToEvents } from '../util/yieldToEvents.js';
import type { Level } from './config.js';
import type { Cycle } from './cycles.js';
import type { FileState, KnownFiles } from './lastScan.js';
import { loadLastReport, saveLastReport, type Listing, type ReportInputs } from './lastReport.js';
import { PARSE_ERROR_RULE, SCAN_NAMESPACE, SCAN_VERSION, scanCacheHash, type FileScan } from './scanResult.js';
import type { FunctionInfo, LineCounts } from './metrics.js';
import { loadTsconfig, resolveImport, type Resolution, type TsconfigPaths } from './resolve.js';
import type { Finding, Severity } from './rule.js';
import { RULES, isCliPath } from './runRules.js';
import type { PreRead, ScanFileResult, ScanReply, ScanTask } from './scanBatch.js';
import { indexPathOf } from '../index/indexPath.js';

export interface ScanOptions {
  /** Report paths are relative to it; its tsconfig.json maps `paths` aliases. */
  root: string;
  /** Files or directories to scan (absolute, or relative to `root`). @default [root] */
  paths?: string[];
  /** The level of every rule id (see config.ts); rules at 'off' report nothing. */
  levels: ReadonlyMap<string, Level>;
  /** Cache directory; null: no cache. */
  cacheDir: string | null;
  /** A shared (Redis) tier behind the local cache (--cache-url). @default none */
  sharedCache?: SharedCacheConfig | null | undefined;
  /** @default min(cores*2, 16) */
  workers?: number;
  /** @default DEFAULT_SKIP_RULES */
  rules?: Partial<SkipRules>;
  onProgress?: (done: number, total: number) => void;
  onWarning?: (message: string) => void;
}

/** One import of a file and what it resolved to. */
export interface ImportEdge {
  specifier: string;
  kind: Resolution['kind'];
  /** The imported file (root-relative) for kind 'file', the package for 'external', the module for 'builtin'. */
  target: string | null;
}

export interface FileReport {
  /** Root-relative, '/'-separated. */
  path: string;
  lang: Language;
  lines: LineCounts;
  functions: FunctionInfo[];
  imports: ImportEdge[];
  exports: string[];
  /** Findings at the run's levels (rules at 'off' removed), sorted by position. */
  findings: Finding[];
  parseError?: ParseError;
  /** Answered from the cache. */
  cached: boolean;
}

/** Totals of one language (or of everything). */
export interface Totals {
  files: number;
  code: number;
  comment: number;
  blank: number;
  functions: number;
  classes: number;
  /** Highest cyclomatic complexity of a function. */
  maxComplexity: number;
}

export interface RuleReport {
  id: string;
  level: Level;
  description: string;
  docs: string;
}

export interface ScanReport {
  root: string;
  /** Scanned JS/TS files, by path. */
  files: FileReport[];
  /** By language code (js, jsx, ts, tsx, dts), and `all`. */
  totals: Record<string, Totals>;
  /** Findings by level, over all files. */
  findings: Record<Severity, number>;
  parseErrors: number;
  /** Walked files that are not JS/TS and that the skip rules let through (not scanned, not skipped). */
  otherFiles: number;
  /** Files skipped by the walk's and the index's skip rules, by reason (same rules and counts as `index`). */
  skipped: Partial<Record<SkipReason, number>>;
  skippedFiles: { path: string; reason: SkipReason }[];
  /** Import cycles among the scanned files, sorted by first file. */
  cycles: Cycle[];
  /** Imports of packages (not files, not builtins): package → number of importing files. */
  externalPackages: Record<string, number>;
  /** Relative imports that match no file of the tree. */
  unresolvedImports: number;
  rules: RuleReport[];
  cache: { hits: number; misses: number };
  /** Walked files known from a current index at the root (same size and mtime): hash or skip reason, not read. */
  fromIndex: number;
  /**
   * Walked files known from the last scan of the root, as the cache recorded it (same size and mtime), when there is
   * no index: not read either.
   */
  fromLastScan: number;
  /**
   * The last scan's report, returned as it was: same root, options and quarry, and a walk that listed the same files
   * with the same sizes and mtimes (lastReport.ts). Then every file counts in `fromLastScan`, and `cache` is zero.
   */
  reused: boolean;
  workers: number;
  durationMs: number;
}

const BATCH_FILES = 32;
/** Source bytes the main thread keeps from its reads for an inline scan (more than an inline job ever has). */
const KEEP_BYTES = 32 << 20;
const BATCH_BYTES = 1 << 20;

export async function runScan(opts: ScanOptions): Promise<ScanReport> {
  const started = performance.now();
  const prof = profiler();
  const root = resolve(opts.root);
  checkRootDir(root);
  const rules: SkipRules = { ...DEFAULT_SKIP_RULES, ...opts.rules };
  const listing = prof.span('walk', () => collectFiles(root, opts.paths ?? [root]));
  const wholeTree = (opts.paths ?? [root]).some((p) => resolve(root, p) === root);
  const tsconfig = safeTsconfig(root, opts.onWarning);
  // Only a scan of the whole tree is kept: a scan of some paths also resolves imports to files outside them, which
  // its listing does not cover.
  const inputs: ReportInputs | null = opts.cacheDir !== null && wholeTree ? { root, rules, levels: opts.levels, tsconfig } : null;
  if (inputs !== null) {
    const last = prof.span('load-last-report', (span) => {
      const r = loadLastReport(opts.cacheDir!, inputs, listing);
      span.set('reused', r !== null);
      return r;
    });
    if (last !== null) return reused(last, listing.files.length, started);
  }
  const report = await scanTree(root, rules, listing, wholeTree, tsconfig, opts, started);
  if (inputs !== null) {
    try {
      prof.span('save-last-report', () => saveLastReport(opts.cacheDir!, inputs, listing, report));
    } catch (err) {
      // A cache directory that cannot be made has been reported by the cache already.
      if (existsSync(opts.cacheDir!)) opts.onWarning?.(`could not keep the scan report in ${opts.cacheDir}: ${messageOf(err)}`);
    }
  }
  return report;
}

/**
 * The last scan's report, as this scan's: every file answered from it (none read, none looked up in the cache), and
 * this run's duration.
 */
function reused(last: Omit<ScanReport, 'durationMs'>, walked: number, started: number): ScanReport {
  for (const f of last.files) f.cached = true;
  return {
    ...last,
    cache: { hits: 0, misses: 0 },
    fromIndex: 0,
    fromLastScan: walked,
    reused: true,
    workers: 0,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Scans the walked files (from the cache where it can) and assembles the report. */
async function scanTree(
  root: string,
  rules: SkipRules,
  listing: Listing,
  wholeTree: boolean,
  tsconfig: TsconfigPaths | undefined,
  opts: ScanOptions,
  started: number,
): Promise<ScanReport> {
  const prof = profiler();
  const { files, skipped } = listing;
  // The other files are read too, only to skip (and count) them by the same rules as `index`.
  const [results, { findCycles }] = await Promise.all([scanFiles(root, files, rules, opts), import('./cycles.js')]);
  const skippedFiles = [...skipped];
  const scanned: { file: WalkedFile; result: Extract<ScanFileResult, { scan: FileScan }> }[] = [];
  const cache = { hits: 0, misses: 0 };
  let otherFiles = 0;
  files.forEach((file, i) => {
    const r = results.results[i]!;
    if (!r.ok) skippedFiles.push({ path: file.path, reason: r.reason });
    else if (r.scan === null) otherFiles++;
    else {
      scanned.push({ file, result: r });
      if (r.cached) cache.hits++;
      else cache.misses++;
    }
  });

  const walkedPaths = files.map((f) => f.path);
  const known = wholeTree ? new Set(walkedPaths) : new TreeFiles(walkedPaths, root);
  // Directory imports ask for the same package.json again and again (and for many that do not exist): read each
  // known one once.
  const manifests = new Map<string, unknown>();
  const readJson = (path: string): unknown => {
    if (!manifests.has(path)) manifests.set(path, known.has(path) ? parseJsonFile(resolve(root, path)) : undefined);
    return manifests.get(path);
  };
  const scannedPaths = new Set(scanned.map((s) => s.file.path));
  const graph = new Map<string, string[]>();
  const externalPackages: Record<string, number> = {};
  let unresolvedImports = 0;
  const findings: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  const reports: FileReport[] = prof.span('graph', () =>
    scanned.map(({ file, result }) => {
      const s = result.scan;
      const imports: ImportEdge[] = [];
      const edges: string[] = [];
      const packages = new Set<string>();
      for (const specifier of s.imports) {
        const r = resolveImport(file.path, specifier, known, { tsconfig, readJson });
        const target = r.kind === 'file' ? r.path : r.kind === 'external' ? r.package : r.kind === 'builtin' ? r.name : null;
        imports.push({ specifier, kind: r.kind, target });
        if (r.kind === 'file' && scannedPaths.has(r.path)) edges.push(r.path);
        else if (r.kind === 'external') packages.add(r.package);
        else if (r.kind === 'unresolved' && specifier.startsWith('.')) unresolvedImports++;
      }
      for (const p of packages) externalPackages[p] = (externalPackages[p] ?? 0) + 1;
      graph.set(file.path, edges);
      const kept = applyLevels(s.findings, opts.levels, isCliPath(file.path));
      for (const f of kept) findings[f.severity]++;
      const report: FileReport = {
        path: file.path,
        lang: s.lang,
        lines: s.lines,
        functions: s.functions,
        imports,
        exports: s.exports,
        findings: kept,
        cached: result.cached,
      };
      if (s.parseError) report.parseError = s.parseError;
      return report;
    }),
  );
  const cycles = prof.span('cycles', (span) => {
    const c = findCycles(graph);
    span.set('cycles', c.length);
    return c;
  });
  skippedFiles.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    root,
    files: reports,
    totals: totalsOf(reports),
    findings,
    parseErrors: reports.filter((r) => r.parseError !== undefined).length,
    otherFiles,
    skipped: countReasons(skippedFiles),
    skippedFiles,
    cycles,
    externalPackages: Object.fromEntries(Object.entries(externalPackages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    unresolvedImports,
    rules: [
      ...RULES.map((r) => ({
        id: r.meta.id,
        level: opts.levels.get(r.meta.id) ?? r.meta.severity,
        description: r.meta.description,
        docs: r.meta.docs,
      })),
      {
        id: PARSE_ERROR_RULE,
        level: opts.levels.get(PARSE_ERROR_RULE) ?? 'error',
        description: 'File that the parser could not read cleanly.',
        docs: 'A syntax error: the file is counted and scanned as far as the parser recovered; fix the syntax or exclude the file.',
      },
    ],
    cache,
    fromIndex: results.fromIndex,
    fromLastScan: results.fromLastScan,
    reused: false,
    workers: results.workers,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Rules that stay quiet in command-line entry points (see RuleMeta.exemptInCliEntry). */
const CLI_EXEMPT = new Set(RULES.filter((r) => r.meta.exemptInCliEntry === true).map((r) => r.meta.id));

/**
 * Findings of rules that are on, at their configured level; in a file whose path makes it a CLI entry point
 * (cached results never depend on the path), those of the rules exempt there are dropped.
 */
function applyLevels(findings: readonly Finding[], levels: ReadonlyMap<string, Level>, cliPath: boolean): Finding[] {
  const out: Finding[] = [];
  for (const f of findings) {
    if (cliPath && CLI_EXEMPT.has(f.ruleId)) continue;
    const level = levels.get(f.ruleId) ?? f.severity;
    if (level === 'off') continue;
    out.push(level === f.severity ? f : { ...f, severity: level });
  }
  // By position: the cached list has a parse error first, ahead of the rules' findings.
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

function totalsOf(reports: readonly FileReport[]): Record<string, Totals> {
  const out: Record<string, Totals> = {};
  const add = (key: string, r: FileReport): void => {
    const t = (out[key] ??= { files: 0, code: 0, comment: 0, blank: 0, functions: 0, classes: 0, maxComplexity: 0 });
    t.files++;
    t.code += r.lines.code;
    t.comment += r.lines.comment;
    t.blank += r.lines.blank;
    for (const f of r.functions) {
      if (f.kind === 'class') t.classes++;
      else t.functions++;
      if (f.complexity > t.maxComplexity) t.maxComplexity = f.complexity;
    }
  };
  for (const r of reports) add(r.lang, r);
  // `all` last, after the languages, and present even for an empty tree.
  out.all = { files: 0, code: 0, comment: 0, blank: 0, functions: 0, classes: 0, maxComplexity: 0 };
  for (const r of reports) add('all', r);
  return out;
}

/**
 * The files imports may resolve to when only some paths of the tree were scanned: the walked ones, and any other
 * file under the root (looked up on disk, once each), so that imports of files outside the paths still resolve.
 */
class TreeFiles extends Set<string> {
  private readonly onDisk = new Map<string, boolean>();

  constructor(
    walked: Iterable<string>,
    private readonly root: string,
  ) {
    super(walked);
  }

  override has(path: string): boolean {
    if (super.has(path)) return true;
    let found = this.onDisk.get(path);
    if (found === undefined) {
      found = isFileUnder(this.root, path);
      this.onDisk.set(path, found);
    }
    return found;
  }
}

/** Whether the root-relative `path` is a file inside `root`. */
function isFileUnder(root: string, path: string): boolean {
  if (path === '' || path.startsWith('/') || path.split('/').includes('..')) return false;
  try {
    return statSync(resolve(root, path)).isFile();
  } catch {
    return false;
  }
}

/** The files under each path (root-relative, sorted, unique) and what the walk skipped (each path once). */
function collectFiles(root: string, paths: readonly string[]): { files: WalkedFile[]; skipped: { path: string; reason: SkipReason }[] } {
  const files = new Map<string, WalkedFile>();
  // Keyed by path: overlapping paths (`. src`) walk the same directory twice.
  const skipped = new Map<string, SkipReason>();
  for (const p of paths) {
    const abs = resolve(root, p);
    // A path that does not exist is reported as such first: "outside the root" would send the user the wrong way.
    let st;
    try {
      st = statSync(abs);
    } catch (err) {
      throw new QuarryError(
        'bad-input',
        errnoCode(err) === 'ENOENT' ? `no such file or directory: ${p}` : `cannot read ${p}: ${messageOf(err)}`,
      );
    }
    const rel = relative(root, abs).split('\\').join('/');
    if (rel.startsWith('../') || rel === '..' || isAbsolute(rel))
      throw new QuarryError('bad-input', `${p} is outside the root ${root}`, { hint: 'give --root a directory that contains every path' });
    if (st.isFile()) {
      files.set(rel, { path: rel, size: st.size, mtimeMs: st.mtimeMs });
      continue;
    }
    const prefix = rel === '' ? '' : `${rel}/`;
    const w = walk(abs);
    for (const f of w.files) files.set(prefix + f.path, { ...f, path: prefix + f.path });
    for (const s of w.skipped) skipped.set(prefix + s.path, s.reason);
  }
  const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { files: sorted, skipped: [...skipped].map(([path, reason]) => ({ path, reason })) };
}

/**
 * What a current index at the root says about files (hashes and skip reasons, so that they need not be read), or
 * null when there is none. An index that is there but unreadable stops the scan with the same message as search
 * (DESIGN: a reader that meets a bad index exits 2): left alone, it would silently cost every later scan its speed.
 */
async function indexedFiles(root: string): Promise<KnownFiles | null> {
  const path = indexPathOf(root);
  // Looked for before the reader is loaded: most scanned roots have no index, and loading it is ~10 ms.
  if (!existsSync(path)) return null;
  const [{ IndexReader }, { unreadable }] = await Promise.all([import('../index/reader.js'), import('../index/format.js')]);
  try {
    const reader = new IndexReader(path);
    try {
      const cols = reader.files();
      const indexed = new Map<string, { id: number; size: number; mtime: number }>();
      reader.allPaths().forEach((p, id) => indexed.set(p, { id, size: cols.size[id]!, mtime: cols.mtime[id]! }));
      const hashes = cols.hash.slice();
      return {
        indexed,
        skipped: reader.skippedFiles(),
        hashOf: (id) => Buffer.from(hashes.buffer, hashes.byteOffset + id * 20, 20).toString('hex'),
      };
    } finally {
      reader.close();
    }
  } catch (err) {
    if (err instanceof QuarryError) throw err;
    throw unreadable(path, messageOf(err));
  }
}

/**
 * Every walked file's result, in the order of `files`. The main thread settles what it can without parsing: a
 * file that a current index, or else the last scan of the root (lastScan.ts), has with the same size and mtime is
 * known by its hash (or skip reason) without being read; the others are read here and checked against the skip
 * rules; one cache lookup then answers every JS/TS file scanned before. Only the rest are parsed: in the pool, or
 * inline when few. A warm scan reads no file and starts no thread.
 */
async function scanFiles(
  root: string,
  files: readonly WalkedFile[],
  rules: SkipRules,
  opts: ScanOptions,
): Promise<{ results: ScanFileResult[]; workers: number; fromIndex: number; fromLastScan: number }> {
  const prof = profiler();
  // Loaded here, not with the module: a scan that reuses the last report (lastReport.ts) needs none of them.
  const [{ flushWrites, setCacheAttrs, takeCacheWarnings, threadCache }, { loadLastScan, saveLastScan }] = await Promise.all([
    import('../cache/threadCache.js'),
    import('./lastScan.js'),
  ]);
  const results = new Array<ScanFileResult>(files.length);
  const span = prof.start('scan-files', { files: files.length });
  const index = await prof.span('load-index', () => indexedFiles(root), undefined, span);
  const store = await prof.span('open-cache', () => threadCache(opts.cacheDir, opts.sharedCache), undefined, span);
  const last = index === null && store ? await prof.span('load-last-scan', () => loadLastScan(store, root, rules), undefined, span) : null;
  const known = index ?? last;
  const lookups: { pos: number; key: string; hash: string }[] = [];
  // The bytes read here, by position, up to a budget: a job small enough to run inline scans them without reading
  // and hashing each file a second time.
  const kept = new Map<number, PreRead>();
  let keptBytes = 0;
  const read = prof.start('read', undefined, span);
  // A file read and not kept gives its memory back for the next one (see ReadArena).
  const arena = new ReadArena();
  let fromKnown = 0;
  let readHere = 0;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    const lang = languageOf(f.path);
    const source = isParsed(lang);
    const inIndex = known?.indexed.get(f.path);
    // The hash of a JS/TS file; '' (recorded by the last scan for a file that is not JS/TS) is no hash.
    const hash = inIndex && inIndex.size === f.size && inIndex.mtime === f.mtimeMs ? known!.hashOf(inIndex.id) : undefined;
    if (hash !== undefined && (!source || hash !== '')) {
      fromKnown++;
      if (source) lookups.push({ pos: i, key: scanCacheHash(hash, lang), hash });
      else results[i] = { ok: true, scan: null };
      continue;
    }
    const skip = known?.skipped.get(f.path);
    if (skip && skip.size === f.size && skip.mtime === f.mtimeMs) {
      fromKnown++;
      results[i] = { ok: false, reason: skip.reason };
      continue;
    }
    readHere++;
    const r = readSource(`${root}/${f.path}`, rules, arena);
    if (!r.ok) results[i] = r.detail === undefined ? { ok: false, reason: r.reason } : { ok: false, reason: r.reason, detail: r.detail };
    else if (!source) {
      results[i] = { ok: true, scan: null };
      arena.giveBack(r.buf);
    } else {
      lookups.push({ pos: i, key: scanCacheHash(r.hash, lang), hash: r.hash });
      if (keptBytes + r.buf.length <= KEEP_BYTES) {
        kept.set(i, { ok: true, buf: r.buf, hash: r.hash });
        keptBytes += r.buf.length;
      } else arena.giveBack(r.buf);
    }
  }
  const fromIndex = index === null ? 0 : fromKnown;
  const fromLastScan = index === null ? fromKnown : 0;
  read.set('from_index', fromIndex);
  read.set('from_last_scan', fromLastScan);
  read.set('read', readHere);
  read.end();
  // Recorded for the next scan when this one learnt something: without an index, and when a file was read or one
  // recorded is gone.
  const remember = async (): Promise<void> => {
    if (store === null || index !== null) return;
    if (readHere === 0 && last !== null && last.indexed.size + last.skipped.size === fromLastScan) return;
    const states: FileState[] = [];
    files.forEach((f, i) => {
      const r = results[i]!;
      const at = { path: f.path, size: f.size, mtimeMs: f.mtimeMs };
      states.push(!r.ok ? { ...at, reason: r.reason } : { ...at, hash: r.scan === null ? '' : r.hash });
    });
    await prof.span('save-last-scan', () => saveLastScan(store, root, rules, states), undefined, span);
  };

  const cached: (FileScan | undefined)[] = store
    ? await prof.span(
        'cache-get',
        () =>
          store.getMany<FileScan>(
            SCAN_NAMESPACE,
            SCAN_VERSION,
            lookups.map((l) => l.key),
          ),
        undefined,
        span,
      )
    : [];
  const misses: number[] = [];
  lookups.forEach((l, k) => {
    const hit = cached[k];
    if (hit) {
      results[l.pos] = { ok: true, hash: l.hash, scan: hit, cached: true };
      kept.delete(l.pos);
    } else misses.push(l.pos);
  });
  span.set('cache_hits', lookups.length - misses.length);
  span.set('cache_misses', misses.length);

  if (misses.length === 0) {
    await remember();
    for (const w of takeCacheWarnings()) opts.onWarning?.(w);
    span.set('workers', 0);
    if (store) setCacheAttrs(span, store);
    span.end();
    return { results, workers: 0, fromIndex, fromLastScan };
  }
  // Only now: the parser (through scanBatch) and the pool cost start-up time that a warm scan does not pay.
  const [{ scanBatch }, { batchesOf, groupedBatches, threadsFor }] = await Promise.all([
    import('./scanBatch.js'),
    import('../util/poolSize.js'),
  ]);
  let missBytes = 0;
  for (const i of misses) missBytes += files[i]!.size;
  const workers = threadsFor({ files: misses.length, bytes: missBytes, batchFiles: BATCH_FILES, requested: opts.workers });
  span.set('workers', workers);
  // The threads read for themselves.
  if (workers > 0) kept.clear();
  let done = files.length - misses.length;
  opts.onProgress?.(done, files.length);
  const take = (positions: readonly number[], reply: Omit<ScanReply, 'spans'>): void => {
    for (const w of reply.warnings) opts.onWarning?.(w);
    positions.forEach((pos, k) => (results[pos] = reply.results[k]!));
    done += positions.length;
    opts.onProgress?.(done, files.length);
  };
  const task = (positions: readonly number[]): ScanTask => ({
    root,
    paths: positions.map((i) => files[i]!.path),
    rules,
    cacheDir: opts.cacheDir,
    sharedCache: opts.sharedCache,
    profile: prof.workerContext(span),
  });
  try {
    if (workers === 0) {
      // Here, in batches all the same: between them Ctrl-C is handled and progress shown.
      for (const batch of batchesOf(misses, (i) => files[i]!.size, BATCH_FILES, BATCH_BYTES)) {
        take(
          batch,
          await scanBatch(
            { ...task(batch), profile: null },
            prof,
            batch.map((i) => kept.get(i)),
          ),
        );
        await yieldToEvents();
      }
    } else {
      const { runInPool, workerModuleUrl } = await import('../util/workerPool.js');
      await runInPool<ScanTask, ScanReply>({
        worker: workerModuleUrl('./worker.js', import.meta.url),
        threads: workers,
        batches: groupedBatches(
          misses,
          (i) => parserFamily(files[i]!.path),
          (i) => files[i]!.size,
          BATCH_FILES,
          BATCH_BYTES,
        ),
        task,
        take,
        onWarning: opts.onWarning,
      });
    }
    await remember();
    for (const w of await flushWrites()) opts.onWarning?.(w);
    // This thread's own lookups; each worker's batch spans carry its own counts.
    if (store) setCacheAttrs(span, store);
  } finally {
    span.end();
  }
  return { results, workers, fromIndex, fromLastScan };
}

/** A JSON file's value, or undefined when it cannot be read or parsed. */
function parseJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The root's tsconfig paths; a broken tsconfig is a warning (imports then resolve without aliases). */
function safeTsconfig(root: string, onWarning?: (m: string) => void) {
  if (!existsSync(resolve(root, 'tsconfig.json'))) return undefined;
  try {
    return loadTsconfig(root);
  } catch (err) {
    onWarning?.(`tsconfig.json: ${messageOf(err)}; imports resolve without its paths`);
    return undefined;
  }
}
