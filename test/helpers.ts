// Test helpers: fixture trees copied into temp dirs, real git repositories, and the real CLI as a child process.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { Packr } from 'msgpackr';
import { afterAll } from 'vitest';
import { INDEX_MAGIC } from '../src/index/format.js';
import { unpackr } from '../src/util/unpackr.js';

export const REPO = resolve(import.meta.dirname, '..');
export const BIN = join(REPO, 'bin', 'quarry.js');

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp dir, removed after the test file. */
export function tempDir(prefix = 'quarry-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

/** Copies fixtures/<name> into a fresh temp dir and returns its path. */
export function fixture(name: string): string {
  const d = tempDir();
  cpSync(join(REPO, 'fixtures', name), d, { recursive: true });
  return d;
}

/** Makes `dir` a git repository with everything committed. */
export function gitInit(dir: string): void {
  const git = (...args: string[]) => {
    const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  git('init', '-q');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'add', '-A');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'fixture', '--allow-empty');
}

/** `git status --porcelain` of the repository at `dir`, untracked files listed one by one: '' when it is clean. */
export function gitStatus(dir: string): string {
  return execFileSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=all'], { encoding: 'utf8' });
}

/** Whether a process running as `uid` can read `path` (a checkout under /root is not readable by `nobody`). */
export function readableAs(uid: number, path: string): boolean {
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(path)}, 4)`], { uid, gid: uid });
  return probe.status === 0;
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed by `limitMs`: the command hung. */
  timedOut: boolean;
  /** Wall time from spawn to exit. */
  ms: number;
}

/** Children of quarry() still running: a test that timed out leaves them behind (see killLiveChildren). */
const live = new Set<ChildProcess>();

/**
 * Kills what quarry() started and is still running, after each test (test/setup.ts). A test that times out is
 * abandoned by vitest, not its child: a hung `quarry` went on spinning a core for many minutes, and every timing
 * taken on the machine meanwhile was off.
 */
export function killLiveChildren(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

/**
 * Sends `signal` to `child` `afterMs` after `path` appears (polled every 5 ms), not at a time from the spawn: on a
 * loaded machine node and the CLI took over 0.6 s to start, and a signal timed from the spawn came before the command
 * had begun (its profile not yet open: exit 130 with no span). Stops polling when the child exits first.
 */
export function signalWhenExists(child: ChildProcess, path: string, afterMs: number, signal: NodeJS.Signals = 'SIGINT'): void {
  const poll = setInterval(() => {
    if (child.exitCode !== null || child.signalCode !== null) clearInterval(poll);
    else if (existsSync(path)) {
      clearInterval(poll);
      setTimeout(() => child.kill(signal), afterMs);
    }
  }, 5);
  child.once('close', () => clearInterval(poll));
}

/**
 * Runs bin/quarry.js like a user would (no TTY, CI unset unless given). `onSpawn` gets the child (to signal it);
 * with `limitMs` it is killed with SIGKILL after that long, so a hang fails the test instead of stalling it.
 */
export function quarry(
  args: string[],
  opts: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    input?: string;
    limitMs?: number;
    onSpawn?: (child: ChildProcess) => void;
  } = {},
): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', QUARRY_PROFILE: 'off', ...opts.env };
    for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? REPO,
      env: env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    live.add(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer =
      opts.limitMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.limitMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      live.delete(child);
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut, ms: performance.now() - started });
    });
    child.stdin.end(opts.input ?? '');
    opts.onSpawn?.(child);
  });
}

/** An index file's bytes with its header replaced by `change(header)`, packed plainly (any keys kept as data). */
export function withHeader(bytes: Buffer, change: (h: Record<string, unknown>) => unknown): Buffer {
  const len = bytes.readUInt32LE(8);
  const header = unpackr.unpack(bytes.subarray(12, 12 + len)) as Record<string, unknown>;
  const plain = new Packr({ moreTypes: true, useRecords: false });
  const nh = plain.pack(change(header));
  const prefix = Buffer.alloc(12);
  prefix.write(INDEX_MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(nh.length, 8);
  return Buffer.concat([prefix, nh, bytes.subarray(12 + len)]);
}

export interface InProcessRun {
  /** Exit code run() answered; null when it did not settle within `limitMs`. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** run() did not settle within `limitMs`: the command hung. */
  timedOut: boolean;
  /** run() threw instead of answering an exit code (it must never do that); the error. */
  threw?: unknown;
  ms: number;
}

/** A stream that keeps what is written to it, as text. */
function textSink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _enc, done) {
      chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/**
 * Runs the CLI inside this process through commands/main.ts's run(): no TTY, no signal handlers, no exit. For
 * thousands of cases where spawning a process each would take minutes; `quarry()` is the end-to-end twin.
 */
export async function quarryInProcess(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined>; limitMs?: number } = {},
): Promise<InProcessRun> {
  const { run } = await import('../commands/main.js');
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', QUARRY_PROFILE: 'off', ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const out = textSink();
  const err = textSink();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'timeout'>((resolveLimit) => {
    if (opts.limitMs !== undefined) timer = setTimeout(() => resolveLimit('timeout'), opts.limitMs);
  });
  let code: number | null = null;
  let threw: unknown;
  let timedOut = false;
  try {
    const r = await Promise.race([
      run(args, { stdout: out.stream, stderr: err.stream, cwd: opts.cwd ?? REPO, env: env as NodeJS.ProcessEnv }),
      limit,
    ]);
    if (r === 'timeout') timedOut = true;
    else code = r;
  } catch (e) {
    threw = e;
  } finally {
    clearTimeout(timer);
  }
  return {
    code,
    stdout: out.text(),
    stderr: err.text(),
    timedOut,
    ms: performance.now() - started,
    ...(threw === undefined ? {} : { threw }),
  };
}
