// `quarry index [PATH]`: options, then src/index/indexer.ts, then a summary table or the --json data.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { byteSize, cacheChoice, cacheFlags, commonOptions, positiveInt, type Action, type CommandContext } from './context.js';
import { formatBytes, formatCount, formatMs } from './units.js';

export const name = 'index';

export function register(program: Command, bind: (action: Action) => (...args: unknown[]) => Promise<void>): void {
  commonOptions(
    cacheFlags(
      program
        .command(name)
        .summary('build or update the index of a source tree')
        .description('Build or update the index of a source tree (incremental: only changed files are read again).')
        .argument('[path]', 'directory to index (default: --root or .)')
        .option(
          '--workers <n>',
          'worker threads (default: one per core and per 8 MiB to read, within min(cores*2, 16); env QUARRY_WORKERS)',
        )
        .option('--no-cache', 'do not read or write the analysis cache')
        .option('--force', 'rebuild even if nothing changed')
        .option('--max-filesize <size>', 'skip files larger than this: bytes, or with K, M or G as in 512K, 2M (default 2M)'),
    ),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  quarry index                 index the current directory\n  quarry index ~/src/app --json | jq .data.files\n' +
        '  quarry index --cache-url redis://cache.ci:6379/0   share analyses between CI runners',
    )
    .action(bind(indexAction));
}

const indexAction: Action = async (ctx, args, opts) => {
  const root = resolve(ctx.cwd, args[0] ?? (opts.root as string | undefined) ?? '.');
  const workers = positiveInt(opts.workers ?? ctx.env.QUARRY_WORKERS, opts.workers !== undefined ? '--workers' : 'QUARRY_WORKERS');
  const maxFileBytes = byteSize(opts.maxFilesize, '--max-filesize');
  const cache = cacheChoice(ctx, opts);
  const { runIndex } = await import('../src/index/indexer.js');
  ctx.startProfile(root);
  const progress = await ctx.progress('indexing…');
  try {
    const summary = await runIndex({
      root,
      workers,
      cacheDir: cache.cacheDir,
      sharedCache: cache.sharedCache,
      force: opts.force === true,
      rules: maxFileBytes !== undefined ? { maxFileBytes } : {},
      onProgress: (done, total) => progress.update(`indexing ${done}/${total} files`),
      onWarning: cache.onWarning,
    });
    progress.stop();
    return { command: 'index', data: summary, text: () => render(summary, ctx), exitCode: 0 };
  } finally {
    progress.stop();
  }
};

async function render(s: Awaited<ReturnType<typeof import('../src/index/indexer.js').runIndex>>, ctx: CommandContext): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const head = s.upToDate
    ? `index is up to date: ${formatCount(s.files)} files, checked in ${formatMs(s.durationMs)}`
    : `indexed ${formatCount(s.files)} files (${formatBytes(s.bytes)}) in ${formatMs(s.durationMs)} → ${s.indexPath} (${formatBytes(s.indexSize)})`;
  const table = new Table({
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: [], border: ctx.color ? ['grey'] : [], 'padding-left': 1, 'padding-right': 1 },
  });
  const skipped = Object.entries(s.skipped)
    .map(([reason, n]) => `${reason} ${formatCount(n)}`)
    .join(', ');
  const skippedTotal = Object.values(s.skipped).reduce((a, b) => a + (b ?? 0), 0);
  table.push(
    { files: formatCount(s.files) },
    { bytes: formatBytes(s.bytes) },
    { skipped: skippedTotal === 0 ? '0' : `${formatCount(skippedTotal)} (${skipped})` },
    { terms: formatCount(s.terms) },
    { symbols: formatCount(s.symbols) },
    { 'parse errors': formatCount(s.parseErrors) },
    { changes: `+${s.changes.added} ~${s.changes.modified} -${s.changes.removed} (=${s.changes.unchanged})` },
    { cache: `${formatCount(s.cache.hits)} hits, ${formatCount(s.cache.misses)} misses` },
    {
      'index size': `${formatBytes(s.indexSize)}${s.bytes > 0 ? ` (${((100 * s.indexSize) / s.bytes).toFixed(1)}% of indexed bytes)` : ''}`,
    },
    { walk: s.walk === 'git' ? 'git ls-files' : 'directory walk (.gitignore honoured)' },
    { time: `${formatMs(s.durationMs)}${s.workers > 0 ? `, ${s.workers} worker${s.workers === 1 ? '' : 's'}` : ''}` },
  );
  return `${head}\n${table.toString()}\n`;
}
