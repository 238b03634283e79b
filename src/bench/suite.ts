// `quarry bench --suite`: quarry's own benchmark suite — index (cold, warm, incremental), search (rare, common,
// sym:), scan (cold, warm), profile (1M span lines) — timed with the runner, each job interleaved with its peer
// (ctags, ripgrep, cloc) as the bench/*.sh scripts time them with hyperfine, and judged against TARGETS.
// Returns plain data; never prints.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IndexSummary } from '../index/indexer.js';
import { indexPathOf } from '../index/reader.js';
import { walk } from '../index/walk.js';
import { writeSyntheticSpanFile } from '../profile/syntheticSpans.js';
import type { ScanReport } from '../scan/scan.js';
import { addCleanup } from '../util/cleanup.js';
import { QuarryError } from '../util/errors.js';
import { packageRoot } from '../util/packageRoot.js';
import { summarize, type BenchmarkResult } from './result.js';
import { failureReason, runBenchmark, type BenchCommand, type BenchRun, type PrepareStep } from './runner.js';
import { findPeers, type Peers, type SuiteTrees } from './suiteCorpus.js';
import { withEditedFile, type EditedFile } from './suiteEditedFile.js';
import { TARGETS, describeTarget, judge, type JudgedBy, type SuiteJob, type Unit, type Verdict } from './suiteTargets.js';

export interface SuiteOptions extends SuiteTrees {
  /** Timed runs of every job (default: per job, see RUNS). */
  runs?: number;
  /** Warmup runs of every job (default: per job). */
  warmup?: number;
  /** Seed of the interleaved order (each group of commands gets seed + its number). */
  seed: number;
  /** @default true */
  interleave: boolean;
  cwd: string;
  /** The environment of every command; its PATH decides which peers are found. */
  env: NodeJS.ProcessEnv;
  /** Span lines of the profile job. @default 1_000_000 */
  profileLines?: number;
  /** The file of `tree` the incremental job edits, relative to it (default: lodash/debounce.js, else the first indexed source file). */
  changeFile?: string;
  onProgress?: (text: string) => void;
}

/**
 * Runs and warmups per group when --runs/--warmup are not given: a full suite on the corpus in ~3 minutes on a quiet
 * machine, ~5 under load (the cold index is most of it, and slows the most: it wants both cores).
 */
export const DEFAULT_RUNS = {
  /** ~20 s a quarry run and ~7 s a ctags run on the corpus; the warmup fills the page cache for both. */
  indexCold: { warmup: 1, runs: 2 },
  reindex: { warmup: 1, runs: 5 },
  search: { warmup: 2, runs: 10 },
  scan: { warmup: 1, runs: 5 },
  profile: { warmup: 0, runs: 3 },
} as const;

/** The file the incremental job edits by default, as bench/index-vs-ctags.sh (CHANGE_FILE). */
export const DEFAULT_CHANGE_FILE = 'lodash/debounce.js';

/** A measured figure: seconds for times, MiB for memory. */
export interface Figure {
  /** The mean of the runs; for a peak RSS, the largest peak of the runs (what the target bounds). */
  mean: number;
  /** Sample standard deviation (null below two runs, or for a peak). */
  stddev: number | null;
  min: number;
  max: number;
  runs: number;
  unit: Unit;
}

/** One line of the scorecard. */
export interface ScorecardRow {
  job: SuiteJob;
  label: string;
  /** null when it could not be measured (peak RSS without /usr/bin/time). */
  quarry: Figure | null;
  /** The peer's figure; null when the job has no peer or it is not installed. */
  peer: { name: string; figure: Figure } | null;
  /** quarry / peer (means); null without a peer. */
  ratio: number | null;
  ratioAs: 'times' | 'percent';
  /** The target the verdict was taken against, as text (`≤ 2.0× (goal 1.0×)`). */
  target: string;
  judgedBy: JudgedBy;
  verdict: Verdict;
  /** The commands timed (quarry's, then the peer's). */
  commands: string[];
  /** What a reader of the figure should know (a missing peer, a check that failed). */
  notes: string[];
}

/** The `data` of `quarry bench --suite --json`. */
export interface SuiteReport {
  tree: string;
  scanTree: string;
  sharedCorpus: boolean;
  seed: number;
  /** The runs and warmups used by each group (after --runs/--warmup). */
  runs: Record<keyof typeof DEFAULT_RUNS, { warmup: number; runs: number }>;
  /** Absolute paths of the peers found, null for a missing one. */
  peers: Peers;
  rows: ScorecardRow[];
  /** Wall time of the whole suite, s. */
  elapsed: number;
  /** Every command timed, in hyperfine's results[] shape (seconds). */
  results: BenchmarkResult[];
  warnings: string[];
}

export interface SuiteRun {
  /** Filled job by job, so that an interrupted suite still has what it measured. */
  rows: ScorecardRow[];
  warnings: string[];
  /** Stops the child that is running now and any further work. */
  kill(): void;
  done: Promise<SuiteReport>;
}

/** A word as splitWords reads it back (single quotes when it needs any). */
export function quoteWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

const commandLine = (argv: string[]) => argv.map(quoteWord).join(' ');

function figureOf(r: BenchmarkResult): Figure {
  return { mean: r.mean, stddev: r.stddev, min: r.min, max: r.max, runs: r.times.length, unit: 's' };
}

/** The scorecard row of a job from its figures. */
export function scoreRow(
  job: SuiteJob,
  quarry: Figure | null,
  peer: { name: string; figure: Figure } | null,
  commands: string[],
  notes: string[] = [],
): ScorecardRow {
  const target = TARGETS[job];
  const ratio = quarry !== null && peer !== null ? quarry.mean / peer.figure.mean : null;
  const { verdict, by } = judge(target, quarry?.mean ?? null, ratio);
  const missing = target.peer !== null && peer === null;
  return {
    job,
    label: target.label,
    quarry,
    peer,
    ratio,
    ratioAs: target.ratioAs ?? 'times',
    target: describeTarget(target, by),
    judgedBy: by,
    verdict,
    commands,
    notes: missing ? [`${target.peer} not installed: absolute figure only`, ...notes] : notes,
  };
}

/** The envelope of a `quarry … --json` run. */
interface Envelope<T> {
  ok: boolean;
  data: T;
}

/** The parts of `quarry scan --summary --json` the suite reads (--summary keeps path, lang and lines of a file). */
type ScanData = Pick<ScanReport, 'root' | 'totals' | 'cache' | 'reused'> & { files: { path: string }[] };

export function runSuite(o: SuiteOptions): SuiteRun {
  const pkg = packageRoot();
  if (pkg === null) throw new QuarryError('internal', "cannot find quarry's package directory (bin/quarry.js)");
  const quarryArgv = [process.execPath, join(pkg, 'bin', 'quarry.js')];
  const env: NodeJS.ProcessEnv = { ...o.env, QUARRY_PROFILE: 'off' };
  const peers = findPeers(o.env);
  const rows: ScorecardRow[] = [];
  const warnings: string[] = [];
  const results: BenchmarkResult[] = [];
  const plan = {} as SuiteReport['runs'];
  for (const [k, d] of Object.entries(DEFAULT_RUNS) as [keyof typeof DEFAULT_RUNS, { warmup: number; runs: number }][])
    plan[k] = { warmup: o.warmup ?? d.warmup, runs: o.runs ?? d.runs };

  let killed = false;
  let bench: BenchRun | null = null;
  let child: ReturnType<typeof spawn> | null = null;
  let group = 0;
  const progress = (t: string) => o.onProgress?.(t);
  const checkKilled = () => {
    if (killed) throw new QuarryError('interrupted', 'interrupted');
  };

  /** Times commands interleaved with the runner; their results in order. */
  const time = async (
    what: string,
    runs: { warmup: number; runs: number },
    commands: BenchCommand[],
    prepare: PrepareStep[] = [],
    ignoreFailure = false,
  ): Promise<BenchmarkResult[]> => {
    checkKilled();
    bench = runBenchmark({
      commands,
      shell: 'none',
      warmup: runs.warmup,
      runs: runs.runs,
      minRuns: 1,
      minTime: 0,
      prepare,
      ignoreFailure,
      output: 'pipe',
      interleave: o.interleave,
      seed: (o.seed + group++) >>> 0,
      cwd: o.cwd,
      env,
      onProgress: (t) => progress(`${what}: ${t}`),
    });
    try {
      const raw = await bench.done;
      const summed = raw.map(summarize);
      results.push(...summed);
      return summed;
    } finally {
      bench = null;
    }
  };

  /** Runs a command once (not timed), killable like the timed ones; its exit code, stdout and the end of stderr. */
  const capture = (argv: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> =>
    new Promise((resolvePromise, reject) => {
      if (killed) return reject(new QuarryError('interrupted', 'interrupted'));
      const c = spawn(argv[0]!, argv.slice(1), { cwd: o.cwd, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let out = '';
      let err = '';
      c.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      c.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
      c.on('error', reject);
      c.on('close', (code) => {
        child = null;
        if (killed) reject(new QuarryError('interrupted', 'interrupted'));
        else resolvePromise({ code, out, err });
      });
    });

  /** Runs `quarry ARGS --json` once (not timed) and returns its data; a failure is an error naming the command. */
  const quarryJson = async <T>(args: string[], extraEnv: Record<string, string> = {}): Promise<T> => {
    const r = await capture([...quarryArgv, ...args, '--json'], extraEnv);
    let doc: Envelope<T> | undefined;
    try {
      doc = JSON.parse(r.out) as Envelope<T>;
    } catch {
      // below
    }
    if (r.code === 0 && doc?.ok === true) return doc.data;
    const why = doc !== undefined && !doc.ok ? JSON.stringify((doc as { error?: unknown }).error) : failureReason(r.err);
    throw new QuarryError('bad-input', `\`quarry ${args.join(' ')}\` failed (exit ${r.code}): ${why ?? ''}`);
  };

  const warn = (row: string[], m: string) => {
    row.push(m);
    warnings.push(m);
  };

  const tmp = mkdtempSync(join(tmpdir(), 'quarry-suite-'));
  const removeTmp = () => rmSync(tmp, { recursive: true, force: true });
  const unregisterTmp = addCleanup(removeTmp);

  const q = (...args: string[]) => commandLine([...quarryArgv, ...args]);
  const withCache = (command: string, cache: string): BenchCommand => ({ command, env: { QUARRY_CACHE_DIR: cache } });

  /** index: cold against ctags, then re-index with nothing / one file changed (bench/index-vs-ctags.sh (a), (c), (d)). */
  const indexJobs = async () => {
    const { tree } = o;
    const coldCache = join(tmp, 'cache-cold');
    const warmCache = join(tmp, 'cache-warm');
    const tags = join(tmp, 'ctags.tags');
    const qIndex = q('index', tree);
    const ctags = peers.ctags !== null ? commandLine([peers.ctags, '-R', '-f', tags, tree]) : null;
    // No index and an empty cache before every run. Only the index file goes, not the rest of .quarry (saved
    // baselines, profiles): nothing else there is read by `quarry index`.
    const cold: PrepareStep = () => {
      rmSync(indexPathOf(tree), { force: true });
      rmSync(coldCache, { recursive: true, force: true });
      mkdirSync(coldCache);
    };
    const cmds = [withCache(qIndex, coldCache), ...(ctags !== null ? [{ command: ctags }] : [])];
    const prep = [cold, ...(ctags !== null ? [() => rmSync(tags, { force: true })] : [])];
    const [qc, pc] = await time('index, cold', plan.indexCold, cmds, prep);
    rows.push(
      scoreRow('index-cold', figureOf(qc!), pc ? { name: 'ctags -R', figure: figureOf(pc) } : null, [
        qc!.command,
        ...(pc ? [pc.command] : []),
      ]),
    );

    // The last cold run left a whole index and a full cache: the state of a re-index.
    renameSync(coldCache, warmCache);
    const reindex = () => quarryJson<IndexSummary>(['index', tree], { QUARRY_CACHE_DIR: warmCache });
    const file = chooseChangeFile(tree, o.changeFile);
    await withEditedFile(join(tree, file), tmp, async (f: EditedFile) => {
      // Check that the two jobs measure what they claim: no change seen, then exactly one modified file.
      const notesNone: string[] = [];
      const notesOne: string[] = [`edits ${file} before each run`];
      const none = await reindex();
      f.edit();
      const one = await reindex();
      f.restore();
      const c0 = none.changes;
      const c1 = one.changes;
      if (c0.added + c0.modified + c0.removed !== 0)
        warn(notesNone, `re-index of an unchanged tree reported changes ${JSON.stringify(c0)}`);
      if (c1.added !== 0 || c1.modified !== 1 || c1.removed !== 0)
        warn(notesOne, `re-index after editing ${file} reported changes ${JSON.stringify(c1)} (expected one modified file)`);
      await reindex(); // back in sync with the original file
      // As the script's one hyperfine call: after a one-changed run the index holds the edited file, which the
      // next nothing-changed run finds unchanged.
      const [r0, r1] = await time(
        're-index',
        plan.reindex,
        [withCache(qIndex, warmCache), withCache(qIndex, warmCache)],
        [() => {}, () => f.edit()],
      );
      rows.push(scoreRow('index-warm', figureOf(r0!), null, [r0!.command], notesNone));
      rows.push(scoreRow('index-incremental', figureOf(r1!), null, [r1!.command], notesOne));
      f.restore();
      // Leave the tree with a whole, current index (search needs it; so do the other scripts on a shared corpus).
      const final = await reindex();
      if (final.files !== none.files) {
        warnings.push(`re-index after restoring ${file} left ${final.files} files (before: ${none.files}); rebuilt it from scratch`);
        rmSync(indexPathOf(tree), { force: true });
        await reindex();
      }
    });
  };

  /** search: rare, common and sym: against ripgrep (bench/search-vs-rg.sh rare, common, sym). */
  const searchJobs = async () => {
    const { tree } = o;
    const rg = peers.rg;
    const jobs: { job: SuiteJob; args: string[]; peer: string[] }[] = [
      { job: 'search-rare', args: ['--files', 'useLayoutEffect'], peer: ['-l', '-w', 'useLayoutEffect'] },
      { job: 'search-common', args: ['--limit', '20', 'createElement'], peer: ['-n', '-w', '-i', 'createElement'] },
      {
        job: 'search-sym',
        args: ['sym:createElement'],
        peer: [
          '-n',
          '-w',
          '-e',
          'function\\s+createElement',
          '-e',
          'createElement\\s*[=:]\\s*function',
          '-e',
          '^\\s*createElement\\s*[<(]',
        ],
      },
    ];
    for (const j of jobs) {
      const cmds: BenchCommand[] = [{ command: q('search', '--root', tree, ...j.args) }];
      if (rg !== null) cmds.push({ command: commandLine([rg, ...j.peer, tree]) });
      // Exit 1 is "nothing found", a valid answer to time; anything else is a failure.
      const [qr, pr] = await time(j.job, plan.search, cmds, [], true);
      const notes: string[] = [];
      for (const r of [qr!, ...(pr ? [pr] : [])]) {
        const bad = r.exit_codes.find((c) => c !== 0 && c !== 1);
        if (bad !== undefined) throw new QuarryError('bad-input', `command "${r.command}" failed with exit code ${bad}`);
        if (r.exit_codes.includes(1)) warn(notes, `${j.job}: nothing found (exit 1) by ${r.command}`);
      }
      const peerName = TARGETS[j.job].peer!;
      rows.push(
        scoreRow(
          j.job,
          figureOf(qr!),
          pr ? { name: peerName, figure: figureOf(pr) } : null,
          [qr!.command, ...(pr ? [pr.command] : [])],
          notes,
        ),
      );
    }
  };

  /** scan: cold against cloc on the same files, and warm (bench/scan-vs-cloc.sh). */
  const scanJobs = async () => {
    const dir = o.scanTree;
    const coldCache = join(tmp, 'scan-cold');
    const warmCache = join(tmp, 'scan-warm');
    const notes: string[] = [];
    // One scan fills the warm cache and names the files for cloc; its cache counts check the cold case, a second
    // scan checks the warm one.
    const first = await quarryJson<ScanData>(['scan', dir, '--summary'], { QUARRY_CACHE_DIR: warmCache });
    const n = first.totals.all?.files ?? first.files.length;
    if (first.cache.hits !== 0 || first.cache.misses !== n)
      warn(notes, `cold scan cache counts ${JSON.stringify(first.cache)} (expected 0 hits, ${n} misses)`);
    // Warm: no file parsed, either because the last report is reused (nothing changed) or every file hits the cache.
    const second = await quarryJson<ScanData>(['scan', dir, '--summary'], { QUARRY_CACHE_DIR: warmCache });
    const warmOk = second.reused
      ? second.cache.hits === 0 && second.cache.misses === 0
      : second.cache.hits === n && second.cache.misses === 0;
    if (!warmOk)
      warn(
        notes,
        `warm scan reused ${second.reused}, cache counts ${JSON.stringify(second.cache)} (expected the last report reused, or ${n} hits and 0 misses)`,
      );
    if (JSON.stringify(second.totals) !== JSON.stringify(first.totals)) warn(notes, "the warm scan's totals differ from the cold scan's");
    const list = join(tmp, 'files.txt');
    writeFileSync(list, first.files.map((f) => `${first.root}/${f.path}\n`).join(''));
    const qScan = q('scan', dir, '--summary', '--json');
    const cmds: BenchCommand[] = [withCache(qScan, coldCache), withCache(qScan, warmCache)];
    const prep: PrepareStep[] = [
      () => {
        rmSync(coldCache, { recursive: true, force: true });
        mkdirSync(coldCache);
      },
      () => {},
    ];
    // --skip-uniqueness: cloc would drop files with the same content, which quarry counts.
    if (peers.cloc !== null) {
      const cloc = [peers.cloc, `--list-file=${list}`, '--skip-uniqueness', '--json', '--quiet'];
      // Does cloc count the same files? --by-file names each one it counted.
      const byFile = await capture([...cloc, '--by-file']);
      let counted = -1;
      try {
        counted = Object.keys(JSON.parse(byFile.out) as object).filter((k) => k !== 'header' && k !== 'SUM').length;
      } catch {
        // not JSON: counted stays -1
      }
      if (byFile.code !== 0 || counted !== n) warn(notes, `cloc counted ${counted < 0 ? 'no' : counted} of the ${n} files quarry scanned`);
      cmds.push({ command: commandLine(cloc) });
      prep.push(() => {});
    }
    const [cold, warm, cloc] = await time('scan', plan.scan, cmds, prep);
    rows.push(
      scoreRow(
        'scan-cold',
        figureOf(cold!),
        cloc ? { name: 'cloc', figure: figureOf(cloc) } : null,
        [cold!.command, ...(cloc ? [cloc.command] : [])],
        [`${n} files`, ...notes],
      ),
    );
    rows.push(scoreRow('scan-warm', figureOf(warm!), { name: 'cold scan', figure: figureOf(cold!) }, [warm!.command]));
  };

  /** profile: 1M generated span lines, wall and peak RSS (bench/profile-1m.sh). */
  const profileJob = async () => {
    const lines = o.profileLines ?? 1_000_000;
    const spans = join(tmp, 'spans.jsonl');
    progress(`profile: generating ${lines} span lines`);
    writeSyntheticSpanFile(spans, lines);
    checkKilled();
    const rss = join(tmp, 'rss.txt');
    // GNU time appends the child's peak RSS (KiB) after every run: the largest is the figure.
    const argv = [...quarryArgv, 'profile', spans, '--json'];
    const command = commandLine(peers.time !== null ? [peers.time, '-a', '-o', rss, '-f', '%M', ...argv] : argv);
    const [r] = await time('profile', plan.profile, [{ command }]);
    rows.push(scoreRow('profile-1m', figureOf(r!), null, [r!.command], [`${lines} span lines`]));
    const kib = existsSync(rss)
      ? readFileSync(rss, 'utf8')
          .split('\n')
          .map(Number)
          .filter((x) => x > 0)
      : [];
    const mib = kib.map((k) => k / 1024);
    const peak: Figure | null =
      mib.length > 0
        ? { mean: Math.max(...mib), stddev: null, min: Math.min(...mib), max: Math.max(...mib), runs: mib.length, unit: 'MiB' }
        : null;
    rows.push(scoreRow('profile-1m-rss', peak, null, [r!.command], peak === null ? ['/usr/bin/time not found: no peak RSS'] : []));
  };

  const done = (async (): Promise<SuiteReport> => {
    const t0 = process.hrtime.bigint();
    try {
      await indexJobs();
      await searchJobs();
      await scanJobs();
      await profileJob();
    } finally {
      removeTmp();
      unregisterTmp();
    }
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    return {
      tree: o.tree,
      scanTree: o.scanTree,
      sharedCorpus: o.shared,
      seed: o.seed,
      runs: plan,
      peers,
      rows,
      elapsed,
      results,
      warnings,
    };
  })();

  return {
    rows,
    warnings,
    kill: () => {
      killed = true;
      bench?.kill();
      child?.kill('SIGKILL');
    },
    done,
  };
}

/** The file the incremental job edits: the given one, else lodash/debounce.js, else the first source file quarry walks. */
export function chooseChangeFile(tree: string, given: string | undefined): string {
  if (given !== undefined) {
    if (!existsSync(join(tree, given))) throw new QuarryError('bad-input', `the file to edit, ${given}, is not in ${tree}`);
    return given;
  }
  if (existsSync(join(tree, DEFAULT_CHANGE_FILE))) return DEFAULT_CHANGE_FILE;
  const source = walk(tree)
    .files.filter((f) => /\.(?:[cm]?[jt]s|[jt]sx)$/.test(f.path) && !/\.min\./.test(f.path) && f.size > 0 && f.size < 256 * 1024)
    .map((f) => f.path)
    .sort()[0];
  if (source === undefined)
    throw new QuarryError('bad-input', `no JavaScript or TypeScript file in ${tree} for the incremental index job`, {
      hint: 'give a tree with JS/TS sources',
    });
  return source;
}
