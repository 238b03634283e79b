// What a subcommand gets from main.ts (flags common to all, ways to report) and what it hands back.
import type { Command } from 'commander';
import { QuarryError } from '../src/util/errors.js';

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
  /** Human output for stdout ('' for none); ignored under --json. */
  text: string;
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
