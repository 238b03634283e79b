// The CLI shell: the only module that touches process.argv, stdout/stderr, signals and exit codes.
// Subcommand modules load their heavy parts (babel, ora, the cache store) only when they run.
import { statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ExitCode, QuarryError, messageOf } from '../src/util/errors.js';
import { runCleanups } from '../src/util/cleanup.js';
import { quarryVersion } from '../src/version.js';
import { flushAllSync, initProfiler, profiler, resolveProfileSink } from '../src/profile/profiler.js';
import { INDEX_DIR, makeIndexDir } from '../src/index/indexPath.js';
import type { Action, CommandContext, CommandResult, Progress } from './context.js';
import { colorEnabled } from './color.js';
import * as indexCommand from './index.js';
import * as searchCommand from './search.js';
import * as scanCommand from './scan.js';
import * as benchCommand from './bench.js';
import * as profileCommand from './profile.js';
import * as trainCommand from './train.js';
import * as cacheCommand from './cache.js';

export const SCHEMA_VERSION = 1;

/** The built subcommands, each a module with its name and a register(); nothing else lists them. */
const COMMANDS = [indexCommand, searchCommand, scanCommand, trainCommand, benchCommand, profileCommand, cacheCommand];

/** A stream the CLI writes to: process.stdout/stderr, or a sink of a test that runs the CLI in-process. */
export type CliStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** What a run reads and writes besides its arguments; `main` passes the real process's. */
export interface CliIO {
  stdout: CliStream;
  stderr: CliStream;
  /** Directory relative paths start from. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** The run in progress, as the real process's SIGINT/SIGTERM handler needs it. */
interface RunState {
  command: string;
  json: boolean;
  quiet: boolean;
  warnings: string[];
  /** What the command prints when interrupted (see CommandContext.onInterrupt). */
  partial: (() => { data: unknown; text: string }) | undefined;
}

function writeOut(io: CliIO, text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve) => {
    io.stdout.write(text, () => resolve());
  });
}

function errorExit(io: CliIO, state: RunState, err: unknown): number {
  const stderr = (text: string) => void io.stderr.write(text);
  const q =
    err instanceof QuarryError
      ? err
      : new QuarryError('internal', `internal error: ${messageOf(err)}`, { hint: 'set QUARRY_DEBUG=1 for a stack trace, and report it' });
  if (io.env.QUARRY_DEBUG === '1' && err instanceof Error && err.stack) stderr(`${err.stack}\n`);
  if (state.json) {
    const doc = {
      schemaVersion: SCHEMA_VERSION,
      command: state.command,
      ok: false,
      error: { code: q.code, message: q.message, hint: q.hint ?? null },
      warnings: state.warnings,
    };
    io.stdout.write(`${JSON.stringify(doc)}\n`);
  } else {
    // A value echoed in the message (a path, a flag's argument) may hold a newline: the error stays one line, plus
    // the indented lines some messages list details on (as the hint is indented).
    stderr(`quarry: ${escapeControls(q.message)}\n`);
    if (q.hint) stderr(`  hint: ${escapeControls(q.hint)}\n`);
  }
  return q.exitCode;
}

/**
 * `text` with its control characters (newlines, terminal escapes) written as JSON writes them, except a newline that
 * starts an indented line: quarry's own messages continue that way (e.g. the judgments that could not be used).
 */
function escapeControls(text: string): string {
  return text.replace(/\n(?! {2})|[\u0000-\u0009\u000b-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** Whether `path` is a directory; false when it is missing, a file, or under a file (ENOTDIR), or unreadable. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** What a run knows before parsing: its command and whether errors must be a JSON document. */
function initialState(argv: string[]): RunState {
  return {
    // Known before parsing, so that a usage error under --json still names its command.
    command: COMMANDS.find((c) => argv.includes(c.name))?.name ?? '',
    // `--format json` (scan's) means the envelope too, so a usage error is already a JSON document.
    json: argv.includes('--json') || argv.includes('--format=json') || argv.some((a, i) => a === '--format' && argv[i + 1] === 'json'),
    quiet: argv.includes('--quiet') || argv.includes('-q'),
    warnings: [],
    partial: undefined,
  };
}

/** The CLI as a process: runs `argv` on the real stdout/stderr, with signal and closed-pipe handling, then exits. */
export async function main(argv: string[]): Promise<void> {
  const state = initialState(argv);
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // `quarry … | head`: the reader left; that is not an error.
    if (err.code === 'EPIPE') process.exit(0);
  });
  const onSignal = (signal: NodeJS.Signals) => {
    runCleanups();
    if (state.partial) {
      const p = state.partial();
      const doc = {
        schemaVersion: SCHEMA_VERSION,
        command: state.command,
        ok: false,
        error: { code: 'interrupted', message: `interrupted (${signal})`, hint: null },
        data: p.data,
        warnings: state.warnings,
      };
      writeSync(1, state.json ? `${JSON.stringify(doc)}\n` : p.text);
    }
    profiler().close('error', `interrupted (${signal})`);
    flushAllSync();
    process.exit(ExitCode.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await runWith(argv, { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }, state);
  process.exit(code);
}

/**
 * Runs the CLI on `argv` with `io` and answers its exit code; never throws (an unexpected error is exit 1 with a
 * message, as in a real run). It installs no signal or pipe handlers and does not exit: `main` does that for the
 * process; tests run many commands in one process through it.
 */
export function run(argv: string[], io: CliIO): Promise<number> {
  return runWith(argv, io, initialState(argv));
}

async function runWith(argv: string[], io: CliIO, state: RunState): Promise<number> {
  // A profiler left by an earlier run in this process (tests) must not lend this run its warnings.
  initProfiler({ cmd: '', sink: null });
  const stderr = (text: string) => void io.stderr.write(text);
  const env = io.env;
  const stdoutIsTTY = io.stdout.isTTY === true;
  // A terminal that reports no width (a pty from `script`, some CI runners) would make a spinner redraw forever.
  const stderrIsTTY = io.stderr.isTTY === true && (io.stderr.columns ?? 0) > 0;
  const inCI = env.CI !== undefined && env.CI !== '' && env.CI !== 'false';

  const program = new Command('quarry')
    .description('Index, search and measure JavaScript/TypeScript codebases.')
    .version(quarryVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => {
        if (!state.json) stderr(s);
      },
      // Usage errors are printed once, by errorExit below (as JSON under --json).
      outputError: () => {},
    })
    .addHelpText(
      'after',
      "\nExamples:\n  quarry index                       build the index of the current directory\n  quarry search 'sym:loadConfig'      where is loadConfig defined?\n  quarry search fetchUser --json | jq -r '.data.hits[].path'\n  quarry scan src --fail-on warning  slow patterns, complexity, import cycles\n  quarry train                       learn ranking from the code; search uses it\n  quarry cache stats                 analysis cache entries, bytes and hit rate",
    );

  let result: CommandResult | undefined;
  const bind =
    (action: Action) =>
    async (...args: unknown[]): Promise<void> => {
      const cmd = args[args.length - 1] as Command;
      const opts = cmd.opts();
      state.command = cmd.name();
      state.json = opts.json === true;
      state.quiet = opts.quiet === true;
      const positional = args.slice(0, -2).flatMap((a) => (Array.isArray(a) ? (a as string[]) : a === undefined ? [] : [String(a)]));
      const ctx: CommandContext = {
        cwd: io.cwd,
        env,
        json: state.json,
        quiet: state.quiet,
        color: colorEnabled(stdoutIsTTY, env),
        stdoutIsTTY,
        interactive: stderrIsTTY && !inCI && !state.json && !state.quiet,
        warn: (m) => {
          state.warnings.push(m);
          if (!state.quiet) stderr(`quarry: warning: ${m}\n`);
        },
        note: (m) => {
          if (!state.quiet && !state.json) stderr(`quarry: ${m}\n`);
        },
        write: (chunk) => {
          io.stdout.write(chunk);
        },
        startProfile: (root) => {
          // Only under a root that is there: the profile's folder must not create a tree the command then finds
          // (`quarry index /typo` made /typo and indexed it), nor hide the command's own "no such directory".
          const underRoot = root !== null && isDirectory(root);
          const defaultPath = underRoot ? join(root, INDEX_DIR, 'profile.jsonl') : null;
          const sink = resolveProfileSink({ flag: opts.profile as string | undefined, env: env.QUARRY_PROFILE, defaultPath });
          if (underRoot && sink === defaultPath) {
            try {
              // The profile is often the first thing a command writes in a tree: its folder gets its .gitignore.
              makeIndexDir(root);
            } catch {
              // The sink fails to open and says so once, with the reason.
            }
          }
          // A relative FILE is from the run's directory (the process's own, except for a run in a test).
          initProfiler({ cmd: state.command, sink: sink === null ? null : resolve(io.cwd, sink) });
        },
        onInterrupt: (fn) => {
          state.partial = fn;
          return () => {
            if (state.partial === fn) state.partial = undefined;
          };
        },
        progress: (text) => startProgress(ctx.interactive, io.stderr, text),
      };
      result = await action(ctx, positional, opts);
    };
  for (const c of COMMANDS) c.register(program, bind);

  let code: number;
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (result === undefined) {
      code = 0; // --help or --version
    } else {
      for (const w of profiler().warnings) if (!state.warnings.includes(w)) state.warnings.push(w);
      if (state.json) {
        await writeOut(
          io,
          `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, command: result.command, ok: true, data: result.data, warnings: state.warnings })}\n`,
        );
      } else {
        await writeOut(io, typeof result.text === 'string' ? result.text : await result.text());
      }
      code = result.exitCode;
    }
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') code = 0;
      else
        code = errorExit(
          io,
          state,
          // commander puts its "(Did you mean --x?)" on a line of its own: one line, like every other error.
          new QuarryError('usage', err.message.replace(/^error: /, '').replace(/\n(?=\(Did you mean)/, ' '), {
            hint: 'run `quarry --help` for usage',
          }),
        );
    } else {
      code = errorExit(io, state, err);
    }
  }
  profiler().close(code === 0 || code === 1 ? 'ok' : 'error', code === 0 || code === 1 ? undefined : `exit ${code}`);
  flushAllSync();
  return code;
}

async function startProgress(interactive: boolean, stream: CliStream, text: string): Promise<Progress> {
  if (!interactive) return { update: () => {}, stop: () => {} };
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream }).start();
  let stopped = false;
  return {
    update: (t) => {
      if (!stopped) spinner.text = t;
    },
    stop: () => {
      if (!stopped) spinner.stop();
      stopped = true;
    },
  };
}
