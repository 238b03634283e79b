// Shared by the fault suite: trees to break things on, trial counts (short in CI, long with QUARRY_FAULTS_LONG=1),
// and a spawn of bin/quarry.js that can be killed and never hangs a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, REPO, tempDir } from '../helpers.js';

/** Whether the long variants run (more trials, bigger trees). */
export const LONG = process.env.QUARRY_FAULTS_LONG === '1';

/** `short` trials in CI, `long` with QUARRY_FAULTS_LONG=1. */
export function trials(short: number, long: number): number {
  return LONG ? long : short;
}

/** A deterministic generator (mulberry32, as bench orders its rounds): the suite's delays and offsets repeat run to run. */
export { mulberry32 as seeded } from '../../src/bench/runner.js';

/** A tree of `files` TypeScript modules that import each other, big enough that an index takes a while. */
export function makeTree(files: number, lines = 30): string {
  const root = tempDir('quarry-fault-');
  mkdirSync(join(root, 'src'));
  for (let i = 0; i < files; i++) {
    const body = [`import { handler${(i + 1) % files} } from './m${(i + 1) % files}.js';`];
    for (let l = 0; l < lines; l++)
      body.push(`/** Step ${l} of module ${i}. */\nexport function handler${i}_${l}(x: number) { return x * ${l} + ${i}; }`);
    body.push(`export function handler${i}(x: number) { return handler${(i + 1) % files}(x) + 1; }`);
    writeFileSync(join(root, 'src', `m${i}.ts`), body.join('\n') + '\n');
  }
  return root;
}

/** Environment of a quarry run in the suite: its own cache dir beside the tree, no colour, profile as given. */
export function envFor(root: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {
    ...process.env,
    NO_COLOR: '1',
    CI: '1',
    QUARRY_PROFILE: 'off',
    QUARRY_CACHE_DIR: `${root}-cache`,
    ...extra,
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as NodeJS.ProcessEnv;
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed by the suite's time limit: the command hung. */
  timedOut: boolean;
  ms: number;
}

/** Spawns bin/quarry.js; `onSpawn` gets the child (to kill it). Killed with SIGKILL after `limitMs`: never hangs. */
export function run(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; limitMs?: number; onSpawn?: (child: ChildProcess) => void; shell?: string } = {},
): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = opts.shell
      ? spawn('bash', ['-c', `${opts.shell} exec "$0" "$@"`, process.execPath, BIN, ...args], { cwd: opts.cwd ?? REPO, env: opts.env })
      : spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, env: opts.env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.limitMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: performance.now() - started });
    });
    opts.onSpawn?.(child);
  });
}

/** A stack trace in output: what no failure may print (unless QUARRY_DEBUG=1). */
export function hasStack(text: string): boolean {
  return /\n\s+at .+:\d+:\d+\)?\n/.test(text);
}
