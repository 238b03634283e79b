// `quarry profile [FILE…]`: reads span files (default <root>/.quarry/profile.jsonl and its rotations) through
// src/profile/summarize.ts, diff.ts or cpuProfile.ts, then prints a table or the --json data.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QuarryError } from '../src/util/errors.js';
import type { ProfileSummary } from '../src/profile/summarize.js';
import type { ProfileDiff } from '../src/profile/diff.js';
import type { CpuProfileSummary } from '../src/profile/cpuProfile.js';
import type { SkipCounts } from '../src/profile/reader.js';
import { commonOptions, positiveInt, type Action, type CommandContext } from './context.js';
import { formatCount } from './units.js';

export const name = 'profile';

/** The `data` of `quarry profile --json`: one of three shapes, told apart by `mode` (see each type's fields). */
export type ProfileData = ProfileSummary | ProfileDiff | CpuProfileSummary;

export function register(program: Command, bind: (action: Action) => (...args: unknown[]) => Promise<void>): void {
  commonOptions(
    program
      .command(name)
      .summary('aggregate, diff and export the spans every command writes; summarize .cpuprofile files')
      .description(
        'Read span JSON lines in one streaming pass (default: .quarry/profile.jsonl with its rotated files, in --root or the ' +
          'nearest directory upwards that has one) and aggregate ' +
          'them: count, total, mean, min, max, p50/p95/p99 (exact up to 10,000 values a group, DDSketch with 1% relative error ' +
          'above), errors, self time and share of parent. Torn or foreign lines are skipped and counted. FILE.cpuprofile ' +
          '(node --cpu-prof) is summarized by function instead.',
      )
      .argument('[files...]', 'span files (or .cpuprofile files); with --diff: A B (two files, or [FILE…] RUN_A RUN_B)')
      .option('--by <fields>', 'group by name, cmd,name or run', 'name')
      .option('--sort <key>', 'sort groups by total, p95 or count (cpuprofile: self or total)')
      .option('--top <n>', 'show only the first N groups')
      .option('--since <duration>', 'only spans that started within this long ago (30s, 15m, 1h, 2d)')
      .option('--cmd <name>', 'only spans of this command')
      .option('--run <id>', 'only spans of this run id, or `last`')
      .option('--trace <file>', 'also write the spans as a Chrome Trace Event file (Perfetto, speedscope, chrome://tracing)')
      .option('--diff', 'compare A and B span name by span name, slowest-getting first')
      .option('--fail-on-regression <pct>', 'with --diff: exit 1 when a span name got slower by more than PCT percent (mean)'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  quarry profile --top 10                       where did the time go, over every recorded run\n' +
        '  quarry profile --run last --trace run.json    the last run, for https://ui.perfetto.dev\n' +
        '  quarry profile --diff before.jsonl after.jsonl --fail-on-regression 10\n' +
        '  quarry profile --json | jq -r \'.data.groups[] | "\\(.key) \\(.p95Us)"\'\n' +
        '  quarry profile CPU.cpuprofile --top 20        self and total time by function',
    )
    .action(bind(profileAction));
}

const profileAction: Action = async (ctx, args, opts) => {
  const rootFlag = opts.root as string | undefined;
  const root = resolve(ctx.cwd, rootFlag ?? '.');
  const top = positiveInt(opts.top, '--top');
  const failPct = opts.failOnRegression === undefined ? undefined : Number(opts.failOnRegression);
  if (failPct !== undefined && !(Number.isFinite(failPct) && failPct >= 0))
    throw new QuarryError('usage', `--fail-on-regression takes a percentage (0 or more), got "${String(opts.failOnRegression)}"`);
  if (failPct !== undefined && opts.diff !== true) throw new QuarryError('usage', '--fail-on-regression needs --diff A B');
  ctx.startProfile(null);
  const files = args.map((a) => resolve(ctx.cwd, a));
  const cpu = files.filter((f) => f.endsWith('.cpuprofile')).length;
  if (cpu > 0 && cpu < files.length) throw new QuarryError('usage', 'give either span files or .cpuprofile files, not both');
  // Options that only the span view reads are refused elsewhere rather than silently ignored.
  const spanOnly = (['by', 'since', 'cmd', 'run', 'trace'] as const).filter((o) =>
    o === 'by' ? opts.by !== 'name' : opts[o] !== undefined,
  );
  if ((opts.diff === true || cpu > 0) && spanOnly.length > 0)
    throw new QuarryError('usage', `--${spanOnly[0]} does not apply to ${opts.diff === true ? '--diff' : 'a .cpuprofile'}`);
  const reader = await import('../src/profile/reader.js');
  const defaultFiles = (): string[] => {
    // Without --root, the nearest profile upwards, as search finds its index.
    const found = rootFlag === undefined ? reader.findProfileFiles(root) : reader.defaultProfileFiles(root);
    if (found.length === 0)
      throw new QuarryError(
        'not-found',
        `no profile at ${join(root, '.quarry', 'profile.jsonl')}${rootFlag === undefined ? ' or above' : ''}`,
        {
          hint: 'run a quarry command in that tree first, or name span files',
        },
      );
    return found;
  };

  if (opts.diff === true) {
    const { diffProfiles } = await import('../src/profile/diff.js');
    if (args.length < 2) throw new QuarryError('usage', '--diff needs A B: two span files, or two run ids');
    let d: ProfileDiff;
    if (args.length === 2 && files.every((f) => existsSync(f))) {
      d = await diffProfiles({ files: [files[0]!] }, { files: [files[1]!] }, { thresholdPct: failPct, labels: [args[0]!, args[1]!] });
    } else {
      const [runA, runB] = args.slice(-2) as [string, string];
      const where = args.length > 2 ? files.slice(0, -2) : defaultFiles();
      d = await diffProfiles(
        { files: where, run: runA },
        { files: where, run: runB },
        { thresholdPct: failPct, labels: [`run ${runA}`, `run ${runB}`] },
      );
      for (const [run, label] of [
        [runA, 'A'],
        [runB, 'B'],
      ] as const)
        if (!d.rows.some((r) => (label === 'A' ? r.before : r.after) !== null))
          throw new QuarryError('not-found', `run ${run} (${label}) has no spans in ${where.join(', ')}`, {
            hint: 'run ids are the `run` field of span lines; two existing files compare file against file',
          });
    }
    warnSkipped(ctx, d.skipped);
    const exitCode = failPct !== undefined && d.regressions.length > 0 ? 1 : 0;
    if (exitCode === 1)
      ctx.note(`${d.regressions.length} span name${d.regressions.length === 1 ? '' : 's'} got slower by more than ${d.thresholdPct}%`);
    return { command: name, data: d satisfies ProfileData, text: () => renderDiff(d, ctx), exitCode };
  }

  if (cpu > 0) {
    const sort = opts.sort === undefined ? 'self' : String(opts.sort);
    if (sort !== 'self' && sort !== 'total') throw new QuarryError('usage', `--sort for a .cpuprofile takes self or total, got "${sort}"`);
    const { summarizeCpuProfiles } = await import('../src/profile/cpuProfile.js');
    const s = summarizeCpuProfiles(files, { top, sort });
    return { command: name, data: s satisfies ProfileData, text: () => renderCpu(s, ctx), exitCode: 0 };
  }

  const [{ summarize }, { parseGroupFields, SORT_KEYS }, { parseDuration }] = await Promise.all([
    import('../src/profile/summarize.js'),
    import('../src/profile/aggregate.js'),
    import('../src/profile/spanFilter.js'),
  ]);
  const by = parseGroupFields(String(opts.by));
  if (typeof by === 'string') throw new QuarryError('usage', by);
  const sort = opts.sort === undefined ? 'total' : String(opts.sort);
  if (!(SORT_KEYS as readonly string[]).includes(sort))
    throw new QuarryError('usage', `--sort takes ${SORT_KEYS.join(', ')}, got "${sort}"`);
  const s = await summarize({
    files: files.length > 0 ? files : defaultFiles(),
    by,
    sort: sort as (typeof SORT_KEYS)[number],
    top,
    cmd: opts.cmd as string | undefined,
    run: opts.run as string | undefined,
    sinceUs: opts.since === undefined ? undefined : parseDuration(String(opts.since)),
    tracePath: opts.trace === undefined ? undefined : resolve(ctx.cwd, String(opts.trace)),
  });
  warnSkipped(ctx, s.skipped);
  if (s.trace !== null) ctx.note(`wrote ${formatCount(s.trace.events)} trace events to ${s.trace.path}`);
  return { command: name, data: s satisfies ProfileData, text: () => renderSummary(s, ctx), exitCode: 0 };
};

/** One warning for all the lines that were not spans. */
function warnSkipped(ctx: CommandContext, k: SkipCounts): void {
  const total = k.torn + k.notJson + k.notSpan;
  if (total > 0)
    ctx.warn(
      `skipped ${formatCount(total)} line${total === 1 ? '' : 's'} that ${total === 1 ? 'is' : 'are'} not spans (torn ${k.torn}, not JSON ${k.notJson}, not a span ${k.notSpan})`,
    );
}

/** Microseconds for people: 850 µs, 12.3 ms, 1.23 s. */
export function formatUs(us: number): string {
  if (us < 1000) return `${Math.round(us)} µs`;
  if (us < 1e6) return `${(us / 1000).toFixed(us < 1e4 ? 2 : 1)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

async function table(head: string[], ctx: CommandContext) {
  const { default: Table } = await import('cli-table3');
  return new Table({
    head,
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: ctx.color ? ['bold'] : [], border: ctx.color ? ['grey'] : [], 'padding-left': 1, 'padding-right': 1 },
    colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right')),
  });
}

async function renderSummary(s: ProfileSummary, ctx: CommandContext): Promise<string> {
  const sketched = s.groups.some((g) => g.quantiles === 'ddsketch');
  const head =
    `${formatCount(s.matched)} span${s.matched === 1 ? '' : 's'} in ${formatCount(s.totalGroups)} group${s.totalGroups === 1 ? '' : 's'}` +
    ` from ${s.files.length} file${s.files.length === 1 ? '' : 's'}` +
    (s.groups.length < s.totalGroups ? ` (top ${s.groups.length} by ${s.sort})` : '');
  if (s.groups.length === 0) return `${head}\n`;
  const t = await table([s.by.join(' '), 'count', 'total', 'mean', 'p50', 'p95', 'p99', 'min', 'max', 'self', '% parent', 'errors'], ctx);
  for (const g of s.groups) {
    const q = (us: number) => (g.quantiles === 'ddsketch' ? `~${formatUs(us)}` : formatUs(us));
    t.push([
      g.key,
      formatCount(g.count),
      formatUs(g.totalUs),
      formatUs(g.meanUs),
      q(g.p50Us),
      q(g.p95Us),
      q(g.p99Us),
      formatUs(g.minUs),
      formatUs(g.maxUs),
      formatUs(g.selfUs),
      g.shareOfParent === null ? '–' : `${(100 * g.shareOfParent).toFixed(1)}%`,
      formatCount(g.errors),
    ]);
  }
  const foot = sketched
    ? `\n~ quantiles of groups over ${formatCount(s.quantiles.exactUpTo)} spans are DDSketch estimates within ±${100 * s.quantiles.sketchRelativeError}%`
    : '';
  return `${head}\n${t.toString()}${foot}\n`;
}

const ratioText = (r: number | null) => (r === null ? '–' : `×${r.toFixed(2)}`);

async function renderDiff(d: ProfileDiff, ctx: CommandContext): Promise<string> {
  const t = await table(['name', 'count A', 'count B', 'mean A', 'mean B', 'total A', 'total B', 'ratio', 'change'], ctx);
  const f = (x: number | undefined, fmt: (n: number) => string) => (x === undefined ? '–' : fmt(x));
  for (const r of d.rows)
    t.push([
      r.name,
      f(r.before?.count, formatCount),
      f(r.after?.count, formatCount),
      f(r.before?.meanUs, formatUs),
      f(r.after?.meanUs, formatUs),
      f(r.before?.totalUs, formatUs),
      f(r.after?.totalUs, formatUs),
      ratioText(r.ratio),
      r.change,
    ]);
  return `A: ${d.before}\nB: ${d.after}\n${t.toString()}\n${d.regressions.length} slower by more than ${d.thresholdPct}% (mean)\n`;
}

async function renderCpu(s: CpuProfileSummary, ctx: CommandContext): Promise<string> {
  const t = await table(['function', 'location', 'self', 'self %', 'total'], ctx);
  for (const fn of s.functions)
    t.push([
      fn.function,
      fn.url === '' ? '' : `${fn.url}:${fn.line}`,
      formatUs(fn.selfUs),
      `${(100 * fn.selfShare).toFixed(1)}%`,
      formatUs(fn.totalUs),
    ]);
  return `${formatCount(s.samples)} samples, ${formatUs(s.totalUs)} sampled, ${formatCount(s.totalFunctions)} functions\n${t.toString()}\n`;
}
