// Shared by the fault suite: trees to break things on, trial counts (short in CI, long with QUARRY_FAULTS_LONG=1),
// and a spawn of bin/quarry.js that can be killed and never hangs a test.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quarry, tempDir, type CliRun } from '../helpers.js';

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

export type Run = CliRun;

/** bin/quarry.js as a user runs it, killed after `limitMs` (default 60 s) so that a hang fails instead of stalling. */
export function run(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; limitMs?: number; onSpawn?: (child: ChildProcess) => void } = {},
): Promise<Run> {
  return quarry(args, { ...opts, limitMs: opts.limitMs ?? 60_000 });
}

/** A stack trace in output: what no failure may print (unless QUARRY_DEBUG=1). */
export function hasStack(text: string): boolean {
  return /\n\s+at .+:\d+:\d+\)?\n/.test(text);
}
