// What a subcommand gets from main.ts (flags common to all, ways to report) and what it hands back.
import type { Command } from 'commander';
import { defaultCacheDir } from '../src/cache/cacheDir.js';
import {
  DEFAULT_SHARED_TIMEOUT_MS,
  DEFAULT_SHARED_TTL_MS,
  SHARED_WARNING_PREFIX,
  type SharedCacheConfig,
} from '../src/cache/sharedConfig.js';
import { QuarryError } from '../src/util/errors.js';
import { parseByteSize } from './units.js';

export interface CommonFlags {
  json?: boolean;
  root?: string;
  quiet?: boolean;
  profile?: string;
}

export interface CommandContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  json: boolean;
  quiet: boolean;
  /** Colour on stdout (TTY, NO_COLOR, FORCE_COLOR). */
  color: boolean;
  stdoutIsTTY: boolean;
  /** A spinner is allowed: stderr is a TTY, not CI, not --json, not --quiet. */
  interactive: boolean;
  /** A warning for stderr (and the --json envelope). */
  warn(message: string): void;
  /** A remark for a person on stderr (not under --json or --quiet), e.g. that results were cut. */
  note(message: string): void;
  /** Streams a chunk to stdout now (for --jsonl). */
  write(chunk: string): void;
  /** Starts the profiler for a run rooted at `root` (sink: --profile, QUARRY_PROFILE, else root/.quarry/profile.jsonl). */
  startProfile(root: string | null): void;
  /**
   * What to print when SIGINT/SIGTERM stops the command (after the cleanups ran): the `data` of a failed --json
   * envelope, or `text` for stdout. main.ts prints it and exits 130. Returns the unregister function.
   */
  onInterrupt(partial: () => { data: unknown; text: string }): () => void;
  /** A progress spinner on stderr when interactive; a no-op otherwise. */
  progress(text: string): Promise<Progress>;
}

export interface Progress {
  update(text: string): void;
  stop(): void;
}

export interface CommandResult {
  command: string;
  /** The `data` of the --json envelope. */
  data: unknown;
  /** Human output for stdout ('' for none), or how to render it: rendered only when printed, never under --json. */
  text: string | (() => Promise<string>);
  exitCode: number;
}

export type Action = (ctx: CommandContext, args: string[], opts: Record<string, unknown>) => Promise<CommandResult>;

/** Adds the flags every command takes. */
export function commonOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print one JSON document {schemaVersion, command, ok, data, warnings}')
    .option('--root <dir>', 'root of the indexed tree (default: nearest directory upwards with an index, or .)')
    .option('-q, --quiet', 'print only results and errors')
    .option('--profile <file>', 'write profile spans to FILE (QUARRY_PROFILE=FILE|off; default <root>/.quarry/profile.jsonl)');
}

/** A flag's value as a positive whole number (undefined when not given); a usage error naming the flag otherwise. */
export function positiveInt(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new QuarryError('usage', `${flag} takes a positive whole number, got "${String(value)}"`);
  return n;
}

/** A flag's value as a positive size in bytes (`2097152`, `2M`, `512K`, `1GiB`); a usage error naming the flag otherwise. */
export function byteSize(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = parseByteSize(String(value));
  if (n === null || n < 1)
    throw new QuarryError('usage', `${flag} takes a size in bytes, with K, M or G for KiB, MiB, GiB, got "${String(value)}"`, {
      hint: `e.g. ${flag} 2M`,
    });
  return n;
}

/** Adds the flags of the commands that use the analysis cache (index, scan): where it is shared and how. */
export function cacheFlags(cmd: Command): Command {
  return cmd
    .option('--cache-url <url>', 'share the cache through Redis: redis://host:port/db (env QUARRY_CACHE_URL)')
    .option('--cache-local <on|off>', 'with --cache-url: keep the local cache in front of Redis (on) or use Redis only (off)', 'on')
    .option('--cache-ttl <duration>', 'time to live of shared entries: 90s, 30m, 12h, 7d (default 7d)');
}

/** What a command hands to src/ for its cache: the local directory (null: --no-cache), the shared tier, warnings. */
export interface CacheChoice {
  cacheDir: string | null;
  sharedCache: SharedCacheConfig | null;
  /** ctx.warn, printing the shared tier's warning once for the run (every worker thread reports its own). */
  onWarning(message: string): void;
}

/** Resolves --no-cache, --cache-url (or QUARRY_CACHE_URL), --cache-local and --cache-ttl; usage errors name the flag. */
export function cacheChoice(ctx: CommandContext, opts: Record<string, unknown>): CacheChoice {
  let sharedWarned = false;
  const onWarning = (m: string): void => {
    if (m.startsWith(SHARED_WARNING_PREFIX)) {
      if (sharedWarned) return;
      sharedWarned = true;
    }
    ctx.warn(m);
  };
  const local = String(opts.cacheLocal ?? 'on');
  if (local !== 'on' && local !== 'off') throw new QuarryError('usage', `--cache-local takes on or off, got "${local}"`);
  const flagUrl = opts.cacheUrl as string | undefined;
  const url = flagUrl ?? (ctx.env.QUARRY_CACHE_URL || undefined);
  const ttlMs = opts.cacheTtl === undefined ? DEFAULT_SHARED_TTL_MS : durationMs(String(opts.cacheTtl), '--cache-ttl');
  if (opts.cache === false) return { cacheDir: null, sharedCache: null, onWarning };
  const cacheDir = defaultCacheDir(ctx.env);
  if (url === undefined) {
    if (local === 'off')
      throw new QuarryError('usage', '--cache-local off needs a shared cache', { hint: 'give --cache-url redis://host:port/db' });
    return { cacheDir, sharedCache: null, onWarning };
  }
  if (!/^rediss?:\/\/[^/]/.test(url))
    throw new QuarryError(
      'usage',
      `${flagUrl !== undefined ? '--cache-url' : 'QUARRY_CACHE_URL'} takes redis://host:port/db, got "${url}"`,
    );
  const timeoutMs = positiveInt(ctx.env.QUARRY_CACHE_TIMEOUT_MS || undefined, 'QUARRY_CACHE_TIMEOUT_MS') ?? DEFAULT_SHARED_TIMEOUT_MS;
  return { cacheDir, sharedCache: { url, ttlMs, local: local === 'on', timeoutMs }, onWarning };
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `30m`, `12h`, `7d`, `1w`, `500ms` (a bare number is seconds) in milliseconds; a usage error naming `flag` otherwise. */
export function durationMs(value: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/.exec(value.trim());
  const ms = m === null ? NaN : Number(m[1]) * DURATION_UNITS[m[2] ?? 's']!;
  if (!Number.isFinite(ms) || ms < 1)
    throw new QuarryError('usage', `${flag} takes a duration such as 90s, 30m, 12h or 7d, got "${value}"`);
  return Math.round(ms);
}
