// A real redis-server for the shared-cache tests: on a free localhost port, no persistence, in a temp dir; and
// redis-cli to look inside it. `startRedis` answers null (with the reason) when redis-server cannot be started at all.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RedisServer {
  port: number;
  url: string;
  /** Kills the server (SIGKILL unless told) and waits until it is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (empty: nothing is persisted). */
  restart(): Promise<void>;
  /** Pauses (SIGSTOP) or resumes (SIGCONT) the server process: a Redis that accepts but never answers. */
  pause(): void;
  resume(): void;
  /** Stops it for good and removes its directory. */
  dispose(): Promise<void>;
  /** redis-cli -p PORT ...args, stdout trimmed; throws on failure. */
  cli(args: string[], input?: string): string;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether something accepts connections on `port`. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
    s.connect(port, '127.0.0.1');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startRedis(): Promise<{ server: RedisServer } | { server: null; reason: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'quarry-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';
  const launch = async (): Promise<string | undefined> => {
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    let failed: string | undefined;
    proc.once('error', (err) => (failed = err.message));
    proc.once('exit', (code) => (failed ??= `redis-server exited with ${code}: ${log.slice(-500)}`));
    for (let i = 0; i < 100; i++) {
      if (failed !== undefined) return failed;
      if (await accepting(port)) return undefined;
      await sleep(50);
    }
    return `redis-server did not listen on ${port} within 5 s: ${log.slice(-500)}`;
  };
  const failed = await launch();
  if (failed !== undefined) {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    return { server: null, reason: failed };
  }
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    async stop(signal = 'SIGKILL') {
      const proc = child;
      if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGCONT');
      proc.kill(signal);
      await gone;
    },
    async restart() {
      await server.stop();
      const again = await launch();
      if (again !== undefined) throw new Error(again);
    },
    async dispose() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    cli(args, input) {
      const r = spawnSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', input, timeout: 10_000 });
      if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr || r.error?.message}`);
      return r.stdout.trim();
    },
  };
  process.once('exit', () => child?.kill('SIGKILL'));
  return { server };
}
