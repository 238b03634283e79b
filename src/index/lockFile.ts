// One index writer at a time: a lock file holding the writer's pid, created exclusively; a lock whose pid is
// dead is stale and taken over.
import { openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { QuarryError, errnoCode, messageOf } from '../util/errors.js';

export interface LockHolder {
  pid: number;
  startedAt: string;
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | null {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof value === 'object' && value !== null && Number.isInteger((value as LockHolder).pid)) return value as LockHolder;
  } catch {
    // unreadable or half-written: treated as stale below
  }
  return null;
}

export interface LockOptions {
  /** How long a second writer waits for the holder before giving up. @default 2000 */
  waitMs?: number;
  /** Sleep between attempts (injectable for tests). */
  sleep?: (ms: number) => void;
}

const defaultSleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** Takes the lock or throws QuarryError('locked') naming the holder. Returns the release function. */
export function acquireLock(path: string, options: LockOptions = {}): () => void {
  const waitMs = options.waitMs ?? 2000;
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() } satisfies LockHolder));
      closeSync(fd);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const holder = readHolder(path);
        if (holder?.pid === process.pid) {
          try {
            unlinkSync(path);
          } catch {
            // already gone
          }
        }
      };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw new QuarryError('bad-input', `cannot create lock ${path}: ${messageOf(err)}`);
    }
    const holder = readHolder(path);
    if (holder === null || !isPidAlive(holder.pid)) {
      // Stale: the writer died. Remove and retry; if two processes race here, 'wx' lets only one win.
      try {
        unlinkSync(path);
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (Date.now() >= deadline) {
      throw new QuarryError('locked', `index is being written by another quarry (pid ${holder.pid}, since ${holder.startedAt})`, {
        hint: 'wait for it to finish, or stop that process',
      });
    }
    sleep(50);
  }
}
