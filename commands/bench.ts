// `quarry bench [options] -- CMD…`: options → src/bench/runner.ts → results summarized like hyperfine's (a block per
// command, relative speed), exports, and a baseline to save or compare with (--fail-on-regression: exit 1).
// `quarry bench --suite [--corpus DIR]`: src/bench/suite.ts → a scorecard against the targets of each command.
import type { Command } from 'commander';
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { addCleanup } from '../src/util/cleanup.js';
import { QuarryError, messageOf } from '../src/util/errors.js';
import type { Comparison, SignificanceTest } from '../src/bench/baseline.js';
import type { BenchmarkResult } from '../src/bench/result.js';
import type { CommandRuns, OutputMode, Shell } from '../src/bench/runner.js';
import type { Figure, ScorecardRow, SuiteReport } from '../src/bench/suite.js';
import { paint, type Paint } from './color.js';
import { commonOptions, positiveInt, type Action } from './context.js';

export const name = 'bench';

const SHELLS = ['none', 'sh', 'bash'] as const;
const OUTPUTS = ['null', 'pipe', 'inherit'] as const;
const TESTS = ['welch', 'mann-whitney'] as const;
const EXPORT_FORMATS = ['json', 'markdown', 'csv', 'bmf'] as const;

/** The `data` of `quarry bench --json`. */
export interface BenchData {
  /** hyperfine's results[] (seconds). */
  results: BenchmarkResult[];
  /** Speed relative to the fastest command, with its uncertainty. */
  relative: { command: string; ratio: number; stddev: number }[];
  /** Seed of the per-round order (interleaved runs). */
  seed: number;
  /** Mean start-up of the shell subtracted from every run, s (0 with --shell none). */
  shellOverhead: number;
  /** Against --compare NAME, else absent. */
  comparison?: { baseline: string; test: SignificanceTest; minEffect: number; commands: Comparison[] };
  /** Where --save wrote the baseline. */
  saved?: string;
}

const collect = (v: string, acc: string[]) => [...acc, v];

export function register(program: Command, bind: (action: Action) => (...args: unknown[]) => Promise<void>): void {
  commonOptions(
    program
      .command(name)
      .summary('time commands like hyperfine, with baselines and regression tests')
      .description(
        'Run each command many times (interleaved, in a seeded random order per round) and report mean ± σ, median, ' +
          'min/max, user/system CPU time and relative speed. Put the commands after --. ' +
          "With --suite, run quarry's own benchmarks (index, search, scan, profile; against ctags, ripgrep and cloc when " +
          'installed) and print a scorecard against their targets.',
      )
      .argument('[commands...]', 'commands to benchmark (quote each one)')
      .option('--suite', "quarry's own suite (index, search, scan, profile) as a scorecard against its targets")
      .option('--corpus <dir>', 'the tree of --suite (default: the shared corpus, ../shared/bench/corpus.sh)')
      .option('-w, --warmup <n>', 'runs before the timed ones, not recorded (default: 0; --suite: per job)')
      .option('-r, --runs <n>', 'exactly this many timed runs per command (--suite: per job by default)')
      .option('-m, --min-runs <n>', 'at least this many runs', '10')
      .option('-M, --max-runs <n>', 'at most this many runs')
      .option('--min-time <seconds>', 'keep running a command until its runs take this long (within min/max runs)', '3')
      .option('-p, --prepare <cmd>', 'before every run (once for all commands, or once per command)', collect, [] as string[])
      .option('-s, --setup <cmd>', 'once before all runs')
      .option('-c, --cleanup <cmd>', 'once after all runs')
      .option('-S, --shell <shell>', `run commands with: ${SHELLS.join(', ')} (its start-up is measured and subtracted)`, 'sh')
      .option('-N', 'same as --shell none')
      .option('-P, --parameter-scan <name_min_max...>', '-P NAME MIN MAX: one benchmark per value, {NAME} substituted')
      .option('-D, --step <delta>', 'step of -P', '1')
      .option('-L, --parameter-list <name_values...>', '-L NAME a,b,c: one benchmark per value (repeatable)')
      .option(
        '-n, --command-name <name>',
        'name the commands in order in the output, baselines and exports (repeatable; {NAME} substituted)',
        collect,
        [] as string[],
      )
      .option('-i, --ignore-failure', 'benchmark commands that exit non-zero (or are not found by the shell)')
      .option('--input <file>', 'feed FILE to every run on stdin (default: none)')
      .option('--output <where>', `the commands' stdout/stderr: ${OUTPUTS.join(', ')}`, 'null')
      .option('--seed <n>', 'seed of the per-round order (default: random, reported in --json)')
      .option('--no-interleave', "hyperfine's order: all runs of one command, then the next")
      .option('--export-json <file>', "hyperfine's JSON shape")
      .option('--export-markdown <file>', 'a Markdown table')
      .option('--export-csv <file>', 'CSV, one row per command')
      .option('--export-bmf <file>', 'Bencher Metric Format JSON')
      .option('--save <name>', 'store the results as .quarry/bench/NAME.json')
      .option('--compare <name>', 'compare with a saved baseline: faster, slower or no significant change')
      .option('--test <test>', `significance test for --compare: ${TESTS.join(', ')}`, 'welch')
      .option('--min-effect <percent>', 'smallest change --compare calls faster or slower', '5')
      .option('--fail-on-regression', 'exit 1 when --compare finds a command significantly slower'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        "  quarry bench -- 'sleep 0.05' 'node -e 0'\n" +
        "  quarry bench -P n 1 4 -- 'quarry index --workers {n}'\n" +
        "  quarry bench --save main -- 'quarry search sym:runIndex'\n" +
        "  quarry bench --compare main --fail-on-regression -- 'quarry search sym:runIndex'\n" +
        '  quarry bench --suite --json > scorecard.json',
    )
    .action(bind(benchAction));
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly unknown[]).includes(value))
    throw new QuarryError('usage', `${flag} takes ${allowed.join(', ')}, got "${String(value)}"`);
  return value as T;
}

/** --input's file, checked before the first run: one that is missing or unreadable is bad input, not an internal error. */
function inputFile(path: string): string {
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isDirectory()) throw new Error('a directory');
  } catch (err) {
    throw new QuarryError('bad-input', `cannot read --input ${path}: ${messageOf(err)}`);
  }
  return path;
}

function nonNegative(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new QuarryError('usage', `${flag} takes a number ≥ 0, got "${String(value)}"`);
  return n;
}

const benchAction: Action = async (ctx, args, opts) => {
  // Spans go where --profile or QUARRY_PROFILE says: a benchmark belongs to no indexed root.
  ctx.startProfile(null);
  if (opts.suite === true) return suiteAction(ctx, args, opts);
  if (opts.corpus !== undefined)
    throw new QuarryError('usage', '--corpus goes with --suite', { hint: 'quarry bench --suite --corpus DIR' });
  const [{ runBenchmark }, { summarize, relativeToFastest, resultWarnings }, params] = await Promise.all([
    import('../src/bench/runner.js'),
    import('../src/bench/result.js'),
    import('../src/bench/parameters.js'),
  ]);
  const shell: Shell = opts.N === true ? 'none' : oneOf(opts.shell, SHELLS, '--shell');
  const output: OutputMode = oneOf(opts.output, OUTPUTS, '--output');
  const test: SignificanceTest = oneOf(opts.test, TESTS, '--test');
  const minEffect = nonNegative(opts.minEffect, '--min-effect') / 100;
  // -P and -L are variadic in commander: values past their own belong to the commands (when no -- was used).
  const commands: string[] = [];
  const parameters: { name: string; values: string[] }[] = [];
  const scan = opts.parameterScan as string[] | undefined;
  if (scan !== undefined) {
    if (scan.length < 3) throw new QuarryError('usage', '-P takes NAME MIN MAX');
    parameters.push(params.rangeParameter(scan[0]!, scan[1]!, scan[2]!, String(opts.step)));
    commands.push(...scan.slice(3));
  }
  const list = opts.parameterList as string[] | undefined;
  if (list !== undefined) {
    let k = 0;
    for (; k + 1 < list.length && !list[k]!.includes(' '); k += 2) parameters.push(params.listParameter(list[k]!, list[k + 1]!));
    if (k === 0) throw new QuarryError('usage', '-L takes NAME a,b,c');
    commands.push(...list.slice(k));
  }
  commands.push(...args);
  if (commands.length === 0) throw new QuarryError('usage', 'no command to benchmark', { hint: "quarry bench -- 'CMD' ['CMD'…]" });
  const benchCommands = params.expandCommands(commands, parameters, opts.commandName as string[]);
  const seed = opts.seed !== undefined ? nonNegative(opts.seed, '--seed') : Math.floor(Math.random() * 2 ** 32);
  const root = resolve(ctx.cwd, (opts.root as string | undefined) ?? '.');
  const baselines = await import('../src/bench/baseline.js');
  // Load the baseline first: a missing one is an error before minutes of benchmarking, not after.
  const baseline = opts.compare !== undefined ? baselines.loadBaseline(root, String(opts.compare)) : undefined;
  const prepare = opts.prepare as string[];
  if (prepare.length > 1 && prepare.length !== benchCommands.length)
    throw new QuarryError('usage', `--prepare given ${prepare.length} times for ${benchCommands.length} commands`, {
      hint: 'give it once (for all commands) or once per command',
    });
  const input = opts.input === undefined ? undefined : inputFile(resolve(ctx.cwd, String(opts.input)));

  const progress = await ctx.progress('benchmarking…');
  const run = runBenchmark({
    commands: benchCommands,
    shell,
    warmup: nonNegative(opts.warmup ?? 0, '--warmup'),
    runs: positiveInt(opts.runs, '--runs'),
    minRuns: positiveInt(opts.minRuns, '--min-runs') ?? 10,
    maxRuns: positiveInt(opts.maxRuns, '--max-runs'),
    minTime: nonNegative(opts.minTime, '--min-time'),
    prepare,
    setup: opts.setup as string | undefined,
    cleanup: opts.cleanup as string | undefined,
    ignoreFailure: opts.ignoreFailure === true,
    output,
    input,
    interleave: opts.interleave !== false,
    seed,
    cwd: ctx.cwd,
    env: ctx.env,
    onProgress: (t) => progress.update(t),
  });
  // SIGINT/SIGTERM: stop the child (a cleanup); main.ts then prints what was measured so far and exits 130.
  const unregisterKill = addCleanup(() => {
    run.kill();
    progress.stop();
  });
  const unregister = ctx.onInterrupt(() => {
    const done = run.results.filter((r) => r.times.length > 0).map(summarize);
    // Commands stopped before their first timed run are named too, so the output says what was being measured.
    const unfinished = run.results.filter((r) => r.times.length === 0).map((r) => r.command);
    const none = unfinished.map((c) => `${c}: interrupted before its first timed run\n`).join('');
    return {
      data: { results: done, unfinished, partial: true },
      text: `${renderResults(done, relativeToFastest(done), paint(ctx.color))}${none}(interrupted: partial results)\n`,
    };
  });
  let raw: CommandRuns[];
  try {
    raw = await run.done;
  } finally {
    unregister();
    unregisterKill();
    progress.stop();
  }

  const results = raw.map(summarize);
  const rel = relativeToFastest(results);
  const warnings = results.map(resultWarnings);
  for (const w of warnings.flat()) ctx.warn(w);
  const data: BenchData = {
    results,
    relative: results.map((r, i) => ({ command: r.command, ...rel[i]! })),
    seed,
    shellOverhead: run.shellOverhead.wall,
  };
  let exitCode = 0;
  if (baseline !== undefined) {
    const commandsCompared = baselines.compare(results, baseline, { test, minEffect });
    data.comparison = { baseline: baseline.name, test, minEffect, commands: commandsCompared };
    if (opts.failOnRegression === true && commandsCompared.some((c) => c.verdict === 'slower')) {
      exitCode = 1;
      ctx.note('a command is significantly slower than the baseline (--fail-on-regression)');
    }
  }
  const { EXPORTERS } = await import('../src/bench/export/index.js');
  for (const f of EXPORT_FORMATS) {
    const file = opts[`export${f[0]!.toUpperCase()}${f.slice(1)}`] as string | undefined;
    if (file === undefined) continue;
    const path = resolve(ctx.cwd, file);
    try {
      writeFileSync(path, EXPORTERS[f].serialize(results));
    } catch (err) {
      // A full disk or an unwritable place is the user's to fix: a message naming the file, not an internal error.
      throw new QuarryError('bad-input', `cannot write --export-${f} ${path}: ${messageOf(err)}`);
    }
  }
  if (opts.save !== undefined) {
    data.saved = baselines.saveBaseline(root, String(opts.save), results);
    ctx.note(`saved baseline "${String(opts.save)}" to ${data.saved}`);
  }
  const p = paint(ctx.color);
  let text = renderResults(results, rel, p);
  if (data.comparison) text += renderComparison(data.comparison, p);
  return { command: 'bench', data, text, exitCode };
};

/** hyperfine's unit choice: seconds from 1 s up, milliseconds below. */
function fmt(seconds: number, width = 0): string {
  const s = seconds >= 1 ? `${seconds.toFixed(3)} s` : `${(seconds * 1000).toFixed(1)} ms`;
  return s.padStart(width);
}

function renderResults(results: BenchmarkResult[], rel: { ratio: number; stddev: number }[], p: Paint): string {
  let out = '';
  results.forEach((r, i) => {
    out += `${p.bold(`Benchmark ${i + 1}`)}: ${r.command}\n`;
    const cpu = `[User: ${fmt(r.user)}, System: ${fmt(r.system)}]`;
    if (r.stddev === null) {
      // one run: hyperfine's "abs ≡" line and no range
      out += `  Time (${p.bold('abs')} ≡):        ${fmt(r.mean, 10)}               ${cpu}\n\n`;
      return;
    }
    out += `  Time (${p.bold('mean')} ± σ):   ${fmt(r.mean, 10)} ± ${fmt(r.stddev, 8)}    ${cpu}\n`;
    out += `  Range (min … max):  ${fmt(r.min, 10)} … ${fmt(r.max, 8)}    ${r.times.length} runs\n\n`;
  });
  if (results.length > 1) {
    const fastest = rel.findIndex((x) => x.ratio === 1 && x.stddev === 0);
    out += `${p.bold('Summary')}\n  ${results[fastest]!.command} ran\n`;
    results.forEach((r, i) => {
      if (i !== fastest) out += `    ${rel[i]!.ratio.toFixed(2)} ± ${rel[i]!.stddev.toFixed(2)} times faster than ${r.command}\n`;
    });
    out += '\n';
  }
  return out;
}

function renderComparison(c: NonNullable<BenchData['comparison']>, p: Paint): string {
  const testName = c.test === 'welch' ? "Welch's t-test" : 'Mann–Whitney U';
  let out = `${p.bold('Compared with baseline')} "${c.baseline}" (${testName}, p < 0.05 and at least ${Math.round(c.minEffect * 100)}% change):\n`;
  for (const x of c.commands) {
    const verdict = x.verdict === 'slower' ? p.error(x.verdict) : x.verdict === 'faster' ? p.line(x.verdict) : x.verdict;
    const detail =
      x.ratio !== null && x.p !== null
        ? ` ×${x.ratio.toFixed(3)} (p = ${x.p < 0.0001 ? x.p.toExponential(1) : x.p.toFixed(4)})`
        : x.verdict === 'too few runs'
          ? ` (${x.runs.current} now, ${x.runs.baseline} in the baseline; need at least 5 on each side)`
          : '';
    out += `  ${x.command}: ${verdict}${detail}\n`;
  }
  return out;
}

/** Options of a command benchmark that mean nothing to --suite (given ones are refused, not ignored). */
const NOT_WITH_SUITE: [string, string][] = [
  ['maxRuns', '--max-runs'],
  ['setup', '--setup'],
  ['cleanup', '--cleanup'],
  ['N', '-N'],
  ['parameterScan', '-P'],
  ['parameterList', '-L'],
  ['ignoreFailure', '--ignore-failure'],
  ['input', '--input'],
  ['exportJson', '--export-json'],
  ['exportMarkdown', '--export-markdown'],
  ['exportCsv', '--export-csv'],
  ['exportBmf', '--export-bmf'],
  ['save', '--save'],
  ['compare', '--compare'],
  ['failOnRegression', '--fail-on-regression'],
];

/** Options that have a default, refused with --suite only when set to something else. */
const DEFAULTS_NOT_WITH_SUITE: [string, string, unknown][] = [
  ['minRuns', '--min-runs', '10'],
  ['minTime', '--min-time', '3'],
  ['shell', '--shell', 'sh'],
  ['output', '--output', 'null'],
  ['test', '--test', 'welch'],
  ['minEffect', '--min-effect', '5'],
  ['step', '--step', '1'],
];

const suiteAction: Action = async (ctx, args, opts) => {
  if (args.length > 0)
    throw new QuarryError('usage', `--suite runs its own commands; got ${args.map((a) => `"${a}"`).join(' ')} as well`, {
      hint: "quarry bench --suite [--corpus DIR], or quarry bench -- 'CMD'…",
    });
  for (const [key, flag] of NOT_WITH_SUITE)
    if (opts[key] !== undefined) throw new QuarryError('usage', `${flag} does not apply to --suite`);
  for (const [key, flag, def] of DEFAULTS_NOT_WITH_SUITE)
    if (opts[key] !== def) throw new QuarryError('usage', `${flag} does not apply to --suite`);
  if ((opts.prepare as string[]).length > 0) throw new QuarryError('usage', '--prepare does not apply to --suite');
  if ((opts.commandName as string[]).length > 0) throw new QuarryError('usage', '-n does not apply to --suite');
  const runs = positiveInt(opts.runs, '--runs');
  const warmup = opts.warmup === undefined ? undefined : nonNegative(opts.warmup, '--warmup');
  const seed = opts.seed !== undefined ? nonNegative(opts.seed, '--seed') : Math.floor(Math.random() * 2 ** 32);
  const [{ runSuite }, { resolveTrees }, { default: Table }] = await Promise.all([
    import('../src/bench/suite.js'),
    import('../src/bench/suiteCorpus.js'),
    import('cli-table3'),
  ]);
  const p = paint(ctx.color);
  const render = (rows: ScorecardRow[]) => renderScorecard(rows, Table, p);
  const progress = await ctx.progress('finding the corpus…');
  const trees = await resolveTrees(opts.corpus as string | undefined, ctx.cwd, { env: ctx.env });
  const run = runSuite({
    ...trees,
    runs,
    warmup,
    seed,
    interleave: opts.interleave !== false,
    cwd: ctx.cwd,
    env: ctx.env,
    onProgress: (t) => progress.update(t),
  });
  // SIGINT/SIGTERM: stop the child (a cleanup; the suite's own cleanups restore the edited file and remove its
  // temp dir); main.ts then prints the jobs measured so far and exits 130.
  const unregisterKill = addCleanup(() => {
    run.kill();
    progress.stop();
  });
  const unregister = ctx.onInterrupt(() => ({
    data: { tree: trees.tree, scanTree: trees.scanTree, rows: run.rows, warnings: run.warnings, partial: true },
    text: `${render(run.rows)}(interrupted: the jobs measured so far)\n`,
  }));
  let report: SuiteReport;
  try {
    report = await run.done;
  } finally {
    unregister();
    unregisterKill();
    progress.stop();
  }
  for (const w of report.warnings) ctx.warn(w);
  const head =
    `${p.bold('quarry bench --suite')}: ${report.tree}${report.scanTree !== report.tree ? ` (scan: ${report.scanTree})` : ''}\n` +
    `runs (warmup + timed): index cold ${plan(report.runs.indexCold)}, re-index ${plan(report.runs.reindex)}, search ${plan(report.runs.search)}, ` +
    `scan ${plan(report.runs.scan)}, profile ${plan(report.runs.profile)}; seed ${report.seed}; ${duration(report.elapsed)} in all\n`;
  return { command: 'bench', data: report, text: head + render(report.rows), exitCode: 0 };
};

const plan = (r: { warmup: number; runs: number }) => `${r.warmup}+${r.runs}`;

const duration = (s: number) => (s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`);

function figure(f: Figure): string {
  if (f.unit === 'MiB') return `${f.mean.toFixed(0)} MiB`;
  return f.stddev === null ? fmt(f.mean) : `${fmt(f.mean)} ± ${fmt(f.stddev)}`;
}

function ratioText(r: ScorecardRow): string {
  if (r.ratio === null) return '–';
  return r.ratioAs === 'percent' ? `${(r.ratio * 100).toFixed(1)}%` : `${r.ratio.toFixed(2)}×`;
}

/** The scorecard: one row per job (figure, peer, ratio, target, verdict), then the notes by job. */
function renderScorecard(rows: ScorecardRow[], Table: typeof import('cli-table3'), p: Paint): string {
  const t = new Table({
    head: ['job', 'quarry', 'peer', 'ratio', 'target', 'verdict'],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
  });
  for (const r of rows) {
    const verdict = r.verdict === 'miss' ? p.error('miss') : r.verdict === 'goal' ? p.line('goal') : r.verdict;
    t.push([
      r.label,
      r.quarry === null ? '–' : figure(r.quarry),
      r.peer === null ? '–' : `${r.peer.name} ${figure(r.peer.figure)}`,
      ratioText(r),
      r.target,
      verdict,
    ]);
  }
  let out = `${t.toString()}\n`;
  const notes = rows.filter((r) => r.notes.length > 0);
  for (const r of notes) out += `  ${r.job}: ${r.notes.join('; ')}\n`;
  return out;
}
