// `quarry scan [PATH…]`: options and rule levels, then src/scan/scan.ts, then a table with findings by file, the
// --json data, or a SARIF 2.1.0 log; --fail-on turns findings into exit code 1.
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { QuarryError } from '../src/util/errors.js';
import type { ScanReport } from '../src/scan/scan.js';
import { paint, type Paint } from './color.js';
import { cacheChoice, cacheFlags, commonOptions, positiveInt, type Action, type CommandContext } from './context.js';
import { formatCount, formatMs } from './units.js';

export const name = 'scan';

const FORMATS = ['table', 'json', 'sarif'] as const;
const FAIL_LEVELS = ['error', 'warning', 'note'] as const;
/** Rank of a level for --fail-on: a finding at or over the threshold fails. */
const RANK: Record<string, number> = { note: 1, warning: 2, error: 3 };

export function register(program: Command, bind: (action: Action) => (...args: unknown[]) => Promise<void>): void {
  commonOptions(
    cacheFlags(
      program
        .command(name)
        .summary('report symbols, line counts, complexity, import cycles and slow patterns')
        .description(
          'Scan JavaScript/TypeScript files: lines (code/comment/blank), functions and classes with cyclomatic complexity, ' +
            'the import graph and its cycles, and performance anti-patterns (rules in src/scan/rules/).',
        )
        .argument('[paths...]', 'files or directories to scan (default: --root or .)')
        .option('--format <format>', `output: ${FORMATS.join(', ')} (json is the --json envelope)`, 'table')
        .option('--summary', 'totals only: no findings by file')
        .option('--fail-on <level>', `exit 1 when findings at or over this level exist: ${FAIL_LEVELS.join(', ')}`)
        .option(
          '--rule <id=level>',
          'set a rule to off, note, warning or error (repeatable; overrides .quarry.json)',
          // No default value: commander would print "(default: [])" in the help.
          (v: string, acc: string[] | undefined) => [...(acc ?? []), v],
        )
        .option(
          '--workers <n>',
          'worker threads (default: one per core and per 8 MiB to read, within min(cores*2, 16); env QUARRY_WORKERS)',
        )
        .option('--no-cache', 'do not read or write the scan cache'),
    ),
  )
    .addHelpText(
      'after',
      '\nRules are set in .quarry.json ({"rules": {"await-in-loop": "error"}}) or under "quarry" in package.json,\n' +
        'the nearest one from the root upwards.\n' +
        '\nExamples:\n  quarry scan src --fail-on warning            fail a CI step on slow patterns\n' +
        '  quarry scan --format sarif > quarry.sarif     for code-scanning upload\n' +
        "  quarry scan --json | jq '.data.totals.all'",
    )
    .hook('preAction', (_program, cmd) => {
      // --format json is --json: main.ts prints the envelope.
      if (cmd.opts().format === 'json') cmd.setOptionValue('json', true);
    })
    .action(bind(scanAction));
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const scanAction: Action = async (ctx, args, opts) => {
  const format = String(opts.format);
  if (!(FORMATS as readonly string[]).includes(format))
    throw new QuarryError('usage', `unknown --format "${format}"`, { hint: `formats: ${FORMATS.join(', ')}` });
  const failOn = opts.failOn as string | undefined;
  if (failOn !== undefined && !(FAIL_LEVELS as readonly string[]).includes(failOn))
    throw new QuarryError('usage', `--fail-on takes ${FAIL_LEVELS.join(', ')}, got "${failOn}"`);
  const workers = positiveInt(opts.workers ?? ctx.env.QUARRY_WORKERS, opts.workers !== undefined ? '--workers' : 'QUARRY_WORKERS');
  // One directory and no --root: that directory is the root, as with `quarry index DIR`. A file (of any kind) or a
  // missing path is scanned from the current directory, which then names what is wrong with it.
  const root = resolve(
    ctx.cwd,
    (opts.root as string | undefined) ?? (args.length === 1 && isDirectory(resolve(ctx.cwd, args[0]!)) ? args[0]! : '.'),
  );
  const paths = args.length === 0 ? [root] : args.map((a) => resolve(ctx.cwd, a));
  const cache = cacheChoice(ctx, opts);
  const [{ runScan }, { ruleLevels }] = await Promise.all([import('../src/scan/scan.js'), import('../src/scan/config.js')]);
  const { levels } = ruleLevels(root, (opts.rule as string[] | undefined) ?? []);
  ctx.startProfile(root);
  const progress = await ctx.progress('scanning…');
  let report: ScanReport;
  try {
    report = await runScan({
      root,
      paths,
      levels,
      workers,
      cacheDir: cache.cacheDir,
      sharedCache: cache.sharedCache,
      onProgress: (done, total) => progress.update(`scanning ${done}/${total} files`),
      onWarning: cache.onWarning,
    });
  } finally {
    progress.stop();
  }
  const failing = failOn === undefined ? 0 : countAtOrOver(report, RANK[failOn]!);
  const exitCode = failing > 0 ? 1 : 0;
  if (failing > 0) ctx.note(`${formatCount(failing)} finding${failing === 1 ? '' : 's'} at or over --fail-on ${failOn}`);
  const data = opts.summary === true ? { ...report, files: report.files.map(({ path, lang, lines }) => ({ path, lang, lines })) } : report;
  const text = () => (format === 'sarif' ? sarifText(report) : renderTable(report, opts.summary === true, paint(ctx.color), ctx));
  return { command: 'scan', data, text, exitCode };
};

function countAtOrOver(report: ScanReport, rank: number): number {
  let n = 0;
  for (const [level, count] of Object.entries(report.findings)) if (RANK[level]! >= rank) n += count;
  return n;
}

async function sarifText(report: ScanReport): Promise<string> {
  const [{ toSarif }, { quarryVersion }, { workTreeTop }] = await Promise.all([
    import('../src/scan/sarif.js'),
    import('../src/version.js'),
    import('../src/index/walk.js'),
  ]);
  const rules = report.rules.flatMap((r) =>
    r.level === 'off' ? [] : [{ id: r.id, description: r.description, docs: r.docs, severity: r.level }],
  );
  const findings = report.files.flatMap((f) => f.findings.map((x) => ({ ...x, path: f.path })));
  // Inside a repository, URIs are from its top (code scanning maps them to files that way), whatever was scanned.
  const srcRoot = workTreeTop(report.root) ?? undefined;
  return `${JSON.stringify(toSarif({ toolVersion: quarryVersion(), rules, findings, root: report.root, srcRoot }), null, 2)}\n`;
}

/** How the scan got its answers, for the first line: the last report as it was, or threads, cache and what was known. */
function answeredFrom(report: ScanReport): string {
  if (report.reused) return ' · unchanged since the last scan (same files, sizes and mtimes): its report reused';
  const parts = [`cache ${formatCount(report.cache.hits)} hits, ${formatCount(report.cache.misses)} misses`];
  if (report.fromIndex > 0) parts.push(`${formatCount(report.fromIndex)} known from the index`);
  if (report.fromLastScan > 0) parts.push(`${formatCount(report.fromLastScan)} known from the last scan`);
  const workers = report.workers > 0 ? `, ${report.workers} worker${report.workers === 1 ? '' : 's'}` : '';
  return `${workers} · ${parts.join(' · ')}`;
}

/** The summary table, then (unless --summary) findings grouped by file as ESLint prints them, then the cycles. */
async function renderTable(report: ScanReport, summary: boolean, p: Paint, ctx: CommandContext): Promise<string> {
  const out: string[] = [];
  const all = report.totals.all!;
  out.push(`scanned ${formatCount(all.files)} file${all.files === 1 ? '' : 's'} in ${formatMs(report.durationMs)}${answeredFrom(report)}`);
  out.push(await totalsTable(report, ctx));
  if (!summary) {
    for (const f of report.files) {
      if (f.findings.length === 0) continue;
      out.push('', p.path(f.path));
      const width = Math.max(...f.findings.map((x) => `${x.line}:${x.column}`.length));
      for (const x of f.findings) {
        const level = x.severity === 'error' ? p.error('error  ') : x.severity === 'warning' ? p.warning('warning') : p.note('note   ');
        out.push(`  ${`${x.line}:${x.column}`.padEnd(width)}  ${level}  ${x.message}  ${p.dim(x.ruleId)}`);
      }
    }
    if (report.cycles.length > 0) {
      out.push('', p.bold(`import cycles (${report.cycles.length}):`));
      for (const c of report.cycles)
        out.push(`  ${c.path.join(' → ')}${c.files.length > c.path.length - 1 ? p.dim(`  (knot of ${c.files.length} files)`) : ''}`);
    }
  }
  const f = report.findings;
  const total = f.error + f.warning + f.note;
  const skipped = Object.entries(report.skipped).map(([reason, n]) => `${reason} ${formatCount(n)}`);
  out.push(
    '',
    `${total === 0 ? '✔' : '✖'} ${formatCount(total)} finding${total === 1 ? '' : 's'} (${f.error} error${f.error === 1 ? '' : 's'}, ${f.warning} warning${f.warning === 1 ? '' : 's'}, ${f.note} note${f.note === 1 ? '' : 's'})` +
      ` · ${report.cycles.length} import cycle${report.cycles.length === 1 ? '' : 's'}` +
      ` · ${report.parseErrors} parse error${report.parseErrors === 1 ? '' : 's'}` +
      // Relative imports of no scanned file (outside the root, or missing): their cycles cannot be seen.
      (report.unresolvedImports > 0
        ? ` · ${formatCount(report.unresolvedImports)} relative import${report.unresolvedImports === 1 ? '' : 's'} not found in the tree`
        : '') +
      (skipped.length > 0 ? ` · skipped ${skipped.join(', ')}` : ''),
  );
  return `${out.join('\n')}\n`;
}

async function totalsTable(report: ScanReport, ctx: CommandContext): Promise<string> {
  // Loaded here, not at the top: `quarry --help` must not load it.
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: ['language', 'files', 'code', 'comment', 'blank', 'functions', 'classes', 'max complexity'],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: ctx.color ? ['bold'] : [], border: ctx.color ? ['grey'] : [], 'padding-left': 1, 'padding-right': 1 },
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  const rows = Object.entries(report.totals).filter(([lang]) => lang !== 'all');
  for (const [lang, t] of [...rows.sort(([a], [b]) => (a < b ? -1 : 1)), ['all', report.totals.all!] as const])
    table.push([
      lang === 'all' ? 'total' : lang,
      ...[t.files, t.code, t.comment, t.blank, t.functions, t.classes, t.maxComplexity].map(formatCount),
    ]);
  return table.toString();
}
