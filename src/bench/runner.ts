// Runs benchmark commands as child processes and records wall time, child CPU time and exit codes per run:
// warmup, hyperfine's run count (≥ min runs and ≥ min time), prepare/setup/cleanup, a measured shell start-up that
// is subtracted, and rounds that interleave the commands in a seeded random order.
import { spawn, type StdioOptions } from 'node:child_process';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { QuarryError } from '../util/errors.js';
import { mean } from './stats.js';
import { Spawner, type SpawnedRun } from './spawner.js';

export type Shell = 'none' | 'sh' | 'bash';
export type OutputMode = 'null' | 'pipe' | 'inherit';

/** One command to time: its text after {NAME} substitution and the parameter values that produced it. */
export interface BenchCommand {
  command: string;
  /** What the results call it (-n); the command's text when absent. */
  name?: string;
  parameters?: Record<string, string>;
  /** Variables set for this command's runs only, over RunnerOptions.env (what `env X=Y CMD` does, without the exec). */
  env?: Record<string, string>;
}

/** A prepare step: a command line (run like the benchmarked ones), or work done in this process before the run. */
export type PrepareStep = string | (() => void);

export interface RunnerOptions {
  commands: BenchCommand[];
  /** @default 'sh' (as hyperfine) */
  shell: Shell;
  /** @default 0 */
  warmup: number;
  /** Exactly this many runs (overrides minRuns/maxRuns/minTime). */
  runs?: number;
  /** @default 10 */
  minRuns: number;
  maxRuns?: number;
  /** Seconds the timed runs of a command should take at least. @default 3 */
  minTime: number;
  /** Before every run (warmup included): one for all commands, or one per command. */
  prepare: PrepareStep[];
  /** Once before the runs of all commands / once after them. */
  setup?: string;
  cleanup?: string;
  ignoreFailure: boolean;
  /** @default 'null' */
  output: OutputMode;
  /** A file fed to each run's stdin (default: none). */
  input?: string;
  /** @default true */
  interleave: boolean;
  seed: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * The python3 that starts the timed runs (see spawner.ts); null: start them from this process. @default python3 on
   * PATH, if any
   */
  spawnHelper?: string | null;
  /** The monotonic clock, in nanoseconds (injectable for tests). */
  clock?: () => bigint;
  onProgress?: (text: string) => void;
}

/** The raw measurements of one command. Times are in seconds, with the shell's start-up already subtracted. */
export interface CommandRuns {
  command: string;
  parameters?: Record<string, string>;
  times: number[];
  user: number[];
  system: number[];
  exitCodes: (number | null)[];
}

export interface BenchRun {
  /** Filled run by run, so that an interrupted benchmark still has what was measured. */
  results: CommandRuns[];
  /** Mean shell start-up subtracted from each run (0 with shell none). */
  shellOverhead: { wall: number; user: number; system: number };
  /** Kills the child that is running now, if any. */
  kill(): void;
  /** What started the last timed run: the python3 helper (posix_spawn) or this process (fork). */
  readonly launcher: 'posix_spawn' | 'node';
  done: Promise<CommandRuns[]>;
}

/** Ticks per second of /proc's utime/stime fields: USER_HZ, 100 on every Linux ABI. */
const USER_HZ = 100;

/**
 * CPU time of this process's waited-for children (cutime, cstime of /proc/self/stat), in seconds, or null off Linux.
 * Node has no getrusage(RUSAGE_CHILDREN) and no wait4, but libuv reaps each child before its 'exit' event, so the
 * difference around one run (one child at a time) is that child's user/system time, at 10 ms resolution.
 */
export function childCpu(): { user: number; system: number } | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'latin1');
  } catch {
    return null;
  }
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields from 3 (state) on: cutime is field 16, cstime 17
  return { user: Number(f[13]) / USER_HZ, system: Number(f[14]) / USER_HZ };
}

/** The executable `name` runs from `cwd`: a path to an executable file, or the first found on `path`; null if none. */
export function findProgram(name: string, cwd: string, path: string | undefined): string | null {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const candidates = name.includes('/')
    ? [resolve(cwd, name)]
    : (path ?? '')
        .split(delimiter)
        .filter((d) => d !== '')
        .map((d) => resolve(cwd, d, name));
  return candidates.find(executable) ?? null;
}

/** Splits a command line into words the way a POSIX shell would for quotes and backslashes (no expansions). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else cur += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) cur += line[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote !== null) throw new QuarryError('usage', `unterminated ${quote} quote in command: ${line}`);
  if (inWord) words.push(cur);
  return words;
}

/**
 * The line of a failed command's stderr that says why: the last error line (`quarry: …`, `TypeError: …` of a crash;
 * Node ends a crash with its version, which says nothing), else the last line.
 */
export function failureReason(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.findLast((l) => /^(?:quarry: |error: |[A-Z]\w*Error\b)/.test(l)) ?? lines.at(-1);
}

/** A small seeded PRNG (mulberry32) for the order of each round. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle with the given random source. */
export function shuffle<T>(xs: T[], random: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

/**
 * hyperfine's number of runs (first included): floor(minTime / time of the first run with its prepare command and
 * the shell's start-up), within [minRuns, maxRuns].
 */
export function runCount(firstRunSeconds: number, o: Pick<RunnerOptions, 'runs' | 'minRuns' | 'maxRuns' | 'minTime'>): number {
  if (o.runs !== undefined) return o.runs;
  const forTime = firstRunSeconds > 0 ? Math.floor(o.minTime / firstRunSeconds) : o.minRuns;
  let n = Math.max(o.minRuns, forTime);
  if (o.maxRuns !== undefined) n = Math.min(n, o.maxRuns);
  return Math.max(1, n);
}

/** What one run measured (the same whether the python3 helper or this process started it). */
type Measurement = SpawnedRun;

/** Starts the benchmark; `done` resolves with the raw runs of every command. */
export function runBenchmark(o: RunnerOptions): BenchRun {
  const clock = o.clock ?? process.hrtime.bigint;
  let current: ReturnType<typeof spawn> | null = null;
  let killed = false;
  const results: CommandRuns[] = o.commands.map((c) => ({
    command: c.name ?? c.command,
    ...(c.parameters ? { parameters: c.parameters } : {}),
    times: [],
    user: [],
    system: [],
    exitCodes: [],
  }));
  const shellOverhead = { wall: 0, user: 0, system: 0 };

  // Timed runs start from the python3 helper when there is one (see spawner.ts); not with an injected clock, which
  // only the runs started here can follow.
  let spawner = (o.clock === undefined ? undefined : null) as Spawner | null | undefined;
  let launcher: BenchRun['launcher'] = 'node';
  /** Each program, found on the commands' PATH once: the helper is given the file, so its own PATH plays no part. */
  const programs = new Map<string, string>();

  const execute = async (command: string, stdio: 'measure' | 'aux', extraEnv?: Record<string, string>): Promise<Measurement> => {
    if (killed) throw new QuarryError('interrupted', 'interrupted');
    const argv = o.shell === 'none' ? splitWords(command) : [o.shell, '-c', command];
    if (argv.length === 0) argv.push('true');
    if (stdio === 'measure' && spawner === undefined)
      spawner = Spawner.start({
        cwd: o.cwd,
        env: o.env,
        output: o.output,
        python: o.spawnHelper !== undefined ? o.spawnHelper : findProgram('python3', o.cwd, process.env.PATH),
      });
    if (stdio === 'measure' && spawner) {
      let file = programs.get(argv[0]!);
      if (file === undefined) {
        file = findProgram(argv[0]!, o.cwd, o.env.PATH) ?? undefined;
        if (file === undefined)
          throw new QuarryError('bad-input', `command not found: ${argv[0]} (in "${command}")`, {
            hint: o.shell === 'none' ? 'with --shell none the first word must be a program on PATH' : undefined,
          });
        programs.set(argv[0]!, file);
      }
      const m = await spawner.run(file, argv, extraEnv, o.input);
      if (killed) throw new QuarryError('interrupted', 'interrupted');
      if (!spawner.dead) {
        launcher = 'posix_spawn';
        return m;
      }
      // The helper ended (python3 could not run it): this run and the next ones are started from here.
      spawner = null;
    }
    if (stdio === 'measure') launcher = 'node';
    return spawnOnce(command, argv, stdio, extraEnv === undefined ? o.env : { ...o.env, ...extraEnv });
  };

  const spawnOnce = (command: string, argv: string[], stdio: 'measure' | 'aux', env: NodeJS.ProcessEnv): Promise<Measurement> =>
    new Promise((resolve, reject) => {
      const inFd = stdio === 'measure' && o.input !== undefined ? openSync(o.input, 'r') : null;
      const out = o.output === 'null' ? 'ignore' : o.output;
      const io: StdioOptions = stdio === 'aux' ? ['ignore', 'ignore', 'ignore'] : [inFd ?? 'ignore', out, out];
      const cpu0 = childCpu();
      const t0 = clock();
      const child = spawn(argv[0]!, argv.slice(1), { cwd: o.cwd, env, stdio: io });
      current = child;
      child.stdout?.resume();
      let stderrTail = '';
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderrTail = (stderrTail + d).slice(-1000)));
      child.on('error', (err) => {
        current = null;
        if (inFd !== null) closeSync(inFd);
        reject(
          new QuarryError('bad-input', `command not found: ${argv[0]} (in "${command}")`, {
            cause: err,
            hint: o.shell === 'none' ? 'with --shell none the first word must be a program on PATH' : undefined,
          }),
        );
      });
      child.on('exit', (code, signal) => {
        const t1 = clock();
        const cpu1 = childCpu();
        current = null;
        if (inFd !== null) closeSync(inFd);
        resolve({
          wall: Number(t1 - t0) / 1e9,
          user: cpu0 && cpu1 ? cpu1.user - cpu0.user : 0,
          system: cpu0 && cpu1 ? cpu1.system - cpu0.system : 0,
          exitCode: code,
          signal,
          stderrTail,
        });
      });
    });

  /** Runs an auxiliary command (prepare, setup, cleanup), which must succeed. */
  const aux = async (what: string, command: string): Promise<number> => {
    const m = await execute(command, 'aux');
    if (m.exitCode !== 0)
      throw new QuarryError('bad-input', `the ${what} command "${command}" failed with exit code ${m.exitCode ?? m.signal}`);
    return m.wall;
  };

  const prepareFor = (i: number): PrepareStep | undefined => (o.prepare.length === 1 ? o.prepare[0] : o.prepare[i]);

  /** Runs a prepare step; returns its wall time, s. */
  const prepare = async (step: PrepareStep): Promise<number> => {
    if (typeof step === 'string') return aux('prepare', step);
    const t0 = clock();
    step();
    return Number(clock() - t0) / 1e9;
  };

  /**
   * One run of command i, recorded unless it is a warmup; a failure stops the benchmark unless ignored. Returns the
   * time it cost with its prepare command and the shell, which is what hyperfine's run count divides by.
   */
  const runOnce = async (i: number, record: boolean): Promise<number> => {
    const cmd = o.commands[i]!.command;
    const prep = prepareFor(i);
    const prepWall = prep !== undefined ? await prepare(prep) : 0;
    const m = await execute(cmd, 'measure', o.commands[i]!.env);
    if (m.exitCode !== 0 && !killed) {
      if (m.exitCode === 127 && o.shell !== 'none' && !o.ignoreFailure)
        throw new QuarryError('bad-input', `command not found: "${cmd}" (the shell exited with 127)`, {
          hint: 'use --ignore-failure to benchmark it anyway',
        });
      const why = failureReason(m.stderrTail);
      if (!o.ignoreFailure)
        throw new QuarryError(
          'bad-input',
          `command "${cmd}" failed with exit code ${m.exitCode ?? `signal ${m.signal}`}${why ? `: ${why}` : ''}`,
          {
            hint: 'use --ignore-failure to benchmark a failing command',
          },
        );
    }
    const wall = Math.max(0, m.wall - shellOverhead.wall);
    if (record) {
      const r = results[i]!;
      r.times.push(wall);
      r.user.push(Math.max(0, m.user - shellOverhead.user));
      r.system.push(Math.max(0, m.system - shellOverhead.system));
      r.exitCodes.push(m.exitCode);
    }
    return prepWall + m.wall;
  };

  const allRuns = async (): Promise<CommandRuns[]> => {
    if (o.shell !== 'none') {
      // hyperfine's mean_shell_spawning_time: the shell with an empty command, after a few warmups.
      o.onProgress?.('measuring shell spawning time');
      const ms: Measurement[] = [];
      for (let k = 0; k < 53; k++) {
        // Started the way the timed runs are, so that what is subtracted is what they paid.
        const m = await execute('', 'measure');
        if (k >= 3) ms.push(m);
      }
      shellOverhead.wall = mean(ms.map((m) => m.wall));
      shellOverhead.user = mean(ms.map((m) => m.user));
      shellOverhead.system = mean(ms.map((m) => m.system));
    }
    if (o.setup !== undefined) await aux('setup', o.setup);
    const n = o.commands.length;
    const order = [...Array(n).keys()];
    for (let w = 0; w < o.warmup; w++) {
      for (const i of order) {
        o.onProgress?.(`warmup ${w + 1}/${o.warmup}: ${o.commands[i]!.command}`);
        await runOnce(i, false);
      }
    }
    const random = mulberry32(o.seed);
    const target: number[] = new Array<number>(n).fill(Infinity);
    const roundOrder = (): number[] => (o.interleave ? shuffle([...order], random) : order);
    if (o.interleave) {
      for (let round = 0; ; round++) {
        const pending = roundOrder().filter((i) => results[i]!.times.length < target[i]!);
        if (pending.length === 0) break;
        for (const i of pending) {
          o.onProgress?.(`round ${round + 1}: ${o.commands[i]!.command}`);
          const t = await runOnce(i, true);
          if (round === 0) target[i] = runCount(t, o);
        }
      }
    } else {
      for (const i of order) {
        for (let k = 0; k < target[i]!; k++) {
          o.onProgress?.(`run ${k + 1}: ${o.commands[i]!.command}`);
          const t = await runOnce(i, true);
          if (k === 0) target[i] = runCount(t, o);
        }
      }
    }
    if (o.cleanup !== undefined) await aux('cleanup', o.cleanup);
    return results;
  };

  const done = (async () => {
    try {
      return await allRuns();
    } finally {
      spawner?.close();
    }
  })();

  return {
    results,
    shellOverhead,
    get launcher() {
      return launcher;
    },
    kill: () => {
      killed = true;
      current?.kill('SIGKILL');
      spawner?.kill();
    },
    done,
  };
}
