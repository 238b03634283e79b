// The CLI shell: the only module that touches process.argv, stdout/stderr, signals and exit codes.
// Subcommand modules load their heavy parts (babel, ora, the cache store) only when they run.
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ExitCode, QuarryError, messageOf } from '../src/util/errors.js';
import { runCleanups } from '../src/util/cleanup.js';
import { quarryVersion } from '../src/version.js';
import { flushAllSync, initProfiler, profiler, resolveProfileSink } from '../src/profile/profiler.js';
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

interface RunState {
  command: string;
  json: boolean;
  quiet: boolean;
  warnings: string[];
}

function writeOut(text: string): Promise<void> {
  if (text === '') return Promise.resolve();
  return new Promise((resolve) => {
    process.stdout.write(text, () => resolve());
  });
}

function stderr(text: string): void {
  process.stderr.write(text);
}

function errorExit(state: RunState, err: unknown): number {
  const q =
    err instanceof QuarryError
      ? err
      : new QuarryError('internal', `internal error: ${messageOf(err)}`, { hint: 'set QUARRY_DEBUG=1 for a stack trace, and report it' });
  if (process.env.QUARRY_DEBUG === '1' && err instanceof Error && err.stack) stderr(`${err.stack}\n`);
  if (state.json) {
    const doc = {
      schemaVersion: SCHEMA_VERSION,
      command: state.command,
      ok: false,
      error: { code: q.code, message: q.message, hint: q.hint ?? null },
      warnings: state.warnings,
    };
    process.stdout.write(`${JSON.stringify(doc)}\n`);
  } else {
    stderr(`quarry: ${q.message}\n`);
    if (q.hint) stderr(`  hint: ${q.hint}\n`);
  }
  return q.exitCode;
}

async function finish(code: number): Promise<never> {
  profiler().close(code === 0 || code === 1 ? 'ok' : 'error', code === 0 || code === 1 ? undefined : `exit ${code}`);
  flushAllSync();
  process.exit(code);
}

export async function main(argv: string[]): Promise<void> {
  const state: RunState = {
    // Known before parsing, so that a usage error under --json still names its command.
    command: COMMANDS.find((c) => argv.includes(c.name))?.name ?? '',
    // `--format json` (scan's) means the envelope too, so a usage error is already a JSON document.
    json: argv.includes('--json') || argv.includes('--format=json') || argv.some((a, i) => a === '--format' && argv[i + 1] === 'json'),
    quiet: argv.includes('--quiet') || argv.includes('-q'),
    warnings: [],
  };
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    // `quarry … | head`: the reader left; that is not an error.
    if (err.code === 'EPIPE') process.exit(0);
  });
  let partial: (() => { data: unknown; text: string }) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    runCleanups();
    if (partial) {
      const p = partial();
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

  const env = process.env;
  const stdoutIsTTY = process.stdout.isTTY === true;
  // A terminal that reports no width (a pty from `script`, some CI runners) would make a spinner redraw forever.
  const stderrIsTTY = process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0;
  const inCI = env.CI !== undefined && env.CI !== '' && env.CI !== 'false';

  const program = new Command('quarry')
    .description('Index, search and measure JavaScript/TypeScript codebases.')
    .version(quarryVersion(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
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
        cwd: process.cwd(),
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
          process.stdout.write(chunk);
        },
        startProfile: (root) => {
          const sink = resolveProfileSink({
            flag: opts.profile as string | undefined,
            env: env.QUARRY_PROFILE,
            defaultPath: root === null ? null : join(root, '.quarry', 'profile.jsonl'),
          });
          initProfiler({ cmd: state.command, sink });
        },
        onInterrupt: (fn) => {
          partial = fn;
          return () => {
            if (partial === fn) partial = undefined;
          };
        },
        progress: (text) => startProgress(ctx.interactive, text),
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
          `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, command: result.command, ok: true, data: result.data, warnings: state.warnings })}\n`,
        );
      } else {
        await writeOut(result.text);
      }
      code = result.exitCode;
    }
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') code = 0;
      else
        code = errorExit(state, new QuarryError('usage', err.message.replace(/^error: /, ''), { hint: 'run `quarry --help` for usage' }));
    } else {
      code = errorExit(state, err);
    }
  }
  await finish(code);
}

async function startProgress(interactive: boolean, text: string): Promise<Progress> {
  if (!interactive) return { update: () => {}, stop: () => {} };
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: process.stderr }).start();
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
