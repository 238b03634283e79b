// Starts the timed runs from a small helper process with posix_spawn instead of from node. fork() copies the
// parent's page tables, so its cost grows with the parent's memory: on a 2-core VM node (50 MB) took ~7 ms to start
// and reap `true`, bash ~4.3 ms, hyperfine (which spawns with posix_spawn, no page tables copied) ~2.2 ms, and the
// difference landed in every measured time. Python's os.posix_spawn did it in ~2.5 ms; the helper times each run
// itself (monotonic clock around spawn and wait4) and takes the child's CPU time from wait4's rusage, as hyperfine
// does. Without python3, runs are started from node as before.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import type { OutputMode } from './runner.js';

/** What one run measured: wall and CPU in seconds, how it ended, and the end of its stderr (with --output pipe). */
export interface SpawnedRun {
  wall: number;
  user: number;
  system: number;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

/**
 * First the commands' environment on stdin, NUL-separated: a count and NAME=value entries. Then the requests: the input file ('' for none), the count of extra environment entries and the
 * entries, the executable's path, the count of argv words and the words. One reply line per run on fd 3: wall ns, user s, system s, and
 * the exit code (negative: killed by that signal; 127: could not be started).
 */
const SCRIPT = String.raw`
import os, sys, time
src = sys.stdin.buffer
out = os.fdopen(3, 'w', buffering=1)
buf = b''
def field():
    global buf
    while b'\0' not in buf:
        more = src.read1(65536)
        if not more:
            sys.exit(0)
        buf += more
    f, _, buf = buf.partition(b'\0')
    return f
base = {}
for _ in range(int(field())):
    k, _, v = field().partition(b'=')
    base[k] = v
while True:
    path = field()
    env = dict(base)
    for _ in range(int(field())):
        k, _, v = field().partition(b'=')
        env[k] = v
    file = field()
    argv = [field() for _ in range(int(field()))]
    actions = [(os.POSIX_SPAWN_OPEN, 0, path or b'/dev/null', os.O_RDONLY, 0), (os.POSIX_SPAWN_CLOSE, 3)]
    t0 = time.perf_counter_ns()
    try:
        pid = os.posix_spawn(file, argv, env, file_actions=actions)
    except OSError:
        out.write('0 0 0 127\n')
        continue
    _, status, ru = os.wait4(pid, 0)
    t1 = time.perf_counter_ns()
    out.write('%d %r %r %d\n' % (t1 - t0, ru.ru_utime, ru.ru_stime, os.waitstatus_to_exitcode(status)))
`;

export class Spawner {
  readonly #proc: ChildProcess;
  #buffer = '';
  #stderrTail = '';
  #pending: { resolve: (r: SpawnedRun) => void } | null = null;
  #dead = false;

  private constructor(proc: ChildProcess) {
    this.#proc = proc;
    const replies = proc.stdio[3] as Readable;
    replies.setEncoding('utf8');
    replies.on('data', (d: string) => {
      this.#buffer += d;
      this.#settle();
    });
    proc.stdout?.resume();
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => (this.#stderrTail = (this.#stderrTail + d).slice(-1000)));
    proc.on('error', () => this.#die());
    proc.on('close', () => this.#die());
    proc.stdin?.on('error', () => this.#die());
  }

  /** A spawner in `cwd` with `env`, its commands' output going where `output` says; null without a python3. */
  static start(o: { cwd: string; env: NodeJS.ProcessEnv; output: OutputMode; python: string | null }): Spawner | null {
    if (o.python === null || process.platform === 'win32') return null;
    const out = o.output === 'null' ? 'ignore' : o.output;
    // python3 itself runs with this process's environment (a pyenv shim needs its PATH); the commands get `env`.
    const proc = spawn(o.python, ['-I', '-c', SCRIPT], {
      cwd: o.cwd,
      stdio: ['pipe', out, out, 'pipe'],
      // Its own process group, so that kill() stops the command it is running too.
      detached: true,
    });
    const base = Object.entries(o.env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
    proc.stdin?.write([String(base.length), ...base].map((f) => `${f}\0`).join(''));
    return new Spawner(proc);
  }

  /** Runs `file` with `argv` once; resolves when it has exited (or the helper died: exit code null, SIGKILL). */
  run(file: string, argv: readonly string[], extraEnv: Record<string, string> | undefined, input: string | undefined): Promise<SpawnedRun> {
    if (this.#pending) throw new Error('one run at a time');
    const envs = Object.entries(extraEnv ?? {}).map(([k, v]) => `${k}=${v}`);
    const fields = [input ?? '', String(envs.length), ...envs, file, String(argv.length), ...argv];
    return new Promise((resolve) => {
      this.#stderrTail = '';
      this.#pending = { resolve };
      if (this.#dead) return this.#die();
      this.#proc.stdin!.write(fields.map((f) => `${f}\0`).join(''));
    });
  }

  /** Stops the helper and the command it is running. */
  kill(): void {
    if (this.#proc.pid !== undefined && !this.#dead) {
      try {
        process.kill(-this.#proc.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    this.#die();
  }

  /** Whether the helper has ended (it could not start, or was killed): runs must be started another way. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Lets the helper end (its stdin closed). */
  close(): void {
    if (!this.#dead) this.#proc.stdin?.end();
  }

  #settle(): void {
    const nl = this.#buffer.indexOf('\n');
    if (this.#pending === null || nl === -1) return;
    const [ns, user, system, rc] = this.#buffer.slice(0, nl).split(' ').map(Number) as [number, number, number, number];
    this.#buffer = this.#buffer.slice(nl + 1);
    const done = this.#pending;
    this.#pending = null;
    done.resolve({
      wall: ns / 1e9,
      user,
      system,
      exitCode: rc < 0 ? null : rc,
      signal: rc < 0 ? signalName(-rc) : null,
      stderrTail: this.#stderrTail,
    });
  }

  #die(): void {
    this.#dead = true;
    const p = this.#pending;
    this.#pending = null;
    p?.resolve({ wall: 0, user: 0, system: 0, exitCode: null, signal: 'SIGKILL', stderrTail: this.#stderrTail });
  }
}

/** The name of signal number `n`. */
function signalName(n: number): NodeJS.Signals {
  const found = Object.entries(constants.signals).find(([, v]) => v === n);
  return (found?.[0] as NodeJS.Signals | undefined) ?? 'SIGKILL';
}
