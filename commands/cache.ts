// `quarry cache stats|clear [--shared]`: entries and bytes of the analysis cache by namespace and the hit rate
// recorded in the profile, or clearing one namespace; the local store by default, the shared Redis one with --shared.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NamespaceUsage } from '../src/cache/usage.js';
import type { CommandHitRate } from '../src/cache/hitRate.js';
import { redactUrl } from '../src/cache/sharedConfig.js';
import { QuarryError } from '../src/util/errors.js';
import { cacheChoice, type Action, type CommandContext } from './context.js';
import { formatBytes, formatCount } from './units.js';

export const name = 'cache';

const ACTIONS = ['stats', 'clear'] as const;

/** The `data` of `quarry cache stats --json`. */
export interface CacheStatsData {
  action: 'stats';
  /** `local` (the lmdb store under the cache dir) or `shared` (Redis, with --shared). */
  store: 'local' | 'shared';
  /** The cache dir, or the Redis URL without its password. */
  location: string;
  namespace: string | null;
  namespaces: NamespaceUsage[];
  entries: number;
  bytes: number;
  /** Cache counters summed from the profile's spans, by command; `files` is empty when there is no profile. */
  hitRate: { files: string[]; commands: CommandHitRate[] };
}

/** The `data` of `quarry cache clear --json`. */
export interface CacheClearData {
  action: 'clear';
  store: 'local' | 'shared';
  location: string;
  namespace: string | null;
  /** Entries deleted. */
  deleted: number;
}

export function register(program: Command, bind: (action: Action) => (...args: unknown[]) => Promise<void>): void {
  program
    .command(name)
    .summary('show the analysis cache (entries, bytes, hit rate) or clear it')
    .description(
      "stats: entries and bytes by namespace, and the hit rate summed from the profile's cache counters " +
        '(--profile FILE, else .quarry/profile.jsonl in --root or the nearest directory upwards).\n' +
        "clear: delete the entries of one namespace (--namespace) or all of quarry's; clearing scan also deletes the last " +
        'scan reports (local-scan-report), which are built from its entries. With --shared, the Redis cache of ' +
        "--cache-url (or QUARRY_CACHE_URL) instead of the local one; only quarry's keys are deleted (SCAN + UNLINK), never the database.",
    )
    .argument('<action>', ACTIONS.join(' | '))
    .option('--shared', 'the shared Redis cache instead of the local one')
    .option('--cache-url <url>', 'Redis of the shared cache: redis://host:port/db (env QUARRY_CACHE_URL)')
    .option('--namespace <ns>', "only this namespace (analysis, scan); default: all of quarry's")
    // The common flags, but --profile names the profile to read (this command records none of its own).
    .option('--json', 'print one JSON document {schemaVersion, command, ok, data, warnings}')
    .option('--root <dir>', 'directory whose .quarry/profile.jsonl gives the hit rate (default: nearest upwards)')
    .option('-q, --quiet', 'print only results and errors')
    .option('--profile <file>', 'profile to read the hit rate from (default: QUARRY_PROFILE=FILE, else .quarry/profile.jsonl)')
    .addHelpText(
      'after',
      '\nExamples:\n  quarry cache stats                               local entries, bytes and hit rate\n' +
        '  quarry cache stats --shared --cache-url redis://cache.ci:6379/0\n' +
        '  quarry cache clear --namespace scan              forget scan results, keep analyses\n' +
        '  QUARRY_CACHE_URL=redis://cache.ci:6379/0 quarry cache clear --shared',
    )
    .action(bind(cacheAction));
}

const cacheAction: Action = async (ctx, args, opts) => {
  const action = args[0] ?? '';
  if (!(ACTIONS as readonly string[]).includes(action))
    throw new QuarryError('usage', `quarry cache takes ${ACTIONS.join(' or ')}, got "${action}"`);
  const ns = opts.namespace as string | undefined;
  if (ns !== undefined && (ns === '' || ns.includes(':')))
    throw new QuarryError('usage', `--namespace takes a namespace such as analysis or scan, got "${ns}"`);
  const shared = opts.shared === true;
  const choice = cacheChoice(ctx, opts);
  if (shared && choice.sharedCache === null)
    throw new QuarryError('usage', '--shared needs the Redis URL', {
      hint: 'give --cache-url redis://host:port/db or set QUARRY_CACHE_URL',
    });
  const { defaultCacheDir } = await import('../src/cache/cacheDir.js');
  const dir = defaultCacheDir(ctx.env);
  const location = shared ? redactUrl(choice.sharedCache!.url) : dir;
  const usage = await import('../src/cache/usage.js');
  const store = shared ? 'shared' : 'local';
  if (action === 'clear') {
    const deleted = shared ? await usage.clearShared(choice.sharedCache!, ns) : await usage.clearLocal(dir, ns);
    const data: CacheClearData = { action: 'clear', store, location, namespace: ns ?? null, deleted };
    const what = ns === undefined ? "all of quarry's entries" : `namespace ${ns}`;
    return {
      command: name,
      data,
      text: `cleared ${what} from the ${store} cache ${location}: ${formatCount(deleted)} deleted\n`,
      exitCode: 0,
    };
  }
  const namespaces = shared ? await usage.sharedUsage(choice.sharedCache!, ns) : await usage.localUsage(dir, ns);
  const files = await profileFiles(ctx, opts);
  const { profileHitRates } = await import('../src/cache/hitRate.js');
  const data: CacheStatsData = {
    action: 'stats',
    store,
    location,
    namespace: ns ?? null,
    namespaces,
    entries: namespaces.reduce((n, u) => n + u.entries, 0),
    bytes: namespaces.reduce((n, u) => n + u.bytes, 0),
    hitRate: { files, commands: files.length === 0 ? [] : await profileHitRates(files) },
  };
  return { command: name, data, text: () => render(data, ctx), exitCode: 0 };
};

/** --profile FILE, else QUARRY_PROFILE=FILE, else the default profile of --root or the nearest directory upwards. */
async function profileFiles(ctx: CommandContext, opts: Record<string, unknown>): Promise<string[]> {
  const explicit = (opts.profile as string | undefined) ?? (ctx.env.QUARRY_PROFILE || undefined);
  if (explicit === 'off') return [];
  if (explicit !== undefined) {
    const file = resolve(ctx.cwd, explicit);
    return existsSync(file) ? [file] : [];
  }
  const { defaultProfileFiles, findProfileFiles } = await import('../src/profile/reader.js');
  const root = opts.root as string | undefined;
  return root === undefined ? findProfileFiles(ctx.cwd) : defaultProfileFiles(resolve(ctx.cwd, root)).filter((f) => existsSync(f));
}

async function render(d: CacheStatsData, ctx: CommandContext): Promise<string> {
  const { default: Table } = await import('cli-table3');
  const table = new Table({
    head: ['namespace', 'entries', 'bytes', ...(d.store === 'shared' ? ['without TTL'] : [])],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    style: { head: ctx.color ? ['bold'] : [], border: ctx.color ? ['grey'] : [], 'padding-left': 1, 'padding-right': 1 },
    colAligns: ['left', 'right', 'right', 'right'],
  });
  for (const u of d.namespaces)
    table.push([
      u.namespace,
      formatCount(u.entries),
      formatBytes(u.bytes),
      ...(d.store === 'shared' ? [formatCount(u.withoutTtl ?? 0)] : []),
    ]);
  const out = [`${d.store} cache ${d.location}: ${formatCount(d.entries)} entries, ${formatBytes(d.bytes)}`];
  if (d.namespaces.length > 0) out.push(table.toString());
  if (d.hitRate.files.length === 0) out.push('hit rate: no profile found (index or scan with profiling on writes one)');
  else {
    out.push(`hit rate (from ${d.hitRate.files.join(', ')}):`);
    for (const c of d.hitRate.commands)
      out.push(
        `  ${c.cmd.padEnd(6)} ${formatCount(c.runs)} run${c.runs === 1 ? '' : 's'}, ${formatCount(c.hits)} hits, ${formatCount(c.misses)} misses` +
          `${c.rate === null ? '' : ` (${(100 * c.rate).toFixed(1)}%)`}, ${formatCount(c.errors)} errors`,
      );
  }
  return `${out.join('\n')}\n`;
}
