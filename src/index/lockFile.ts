// One index writer at a time: a lock file holding the writer's pid, created exclusively; a lock whose pid is
// dead is stale and taken over.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
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

/**
 * Creates `path` holding `content`, or returns false if it exists. The content is written to a file of this
 * process's own first and then hard-linked to `path`, so no reader ever sees a lock without its pid (an empty lock,
 * read between a create and a write, would pass for stale and be taken over).
 */
function createWithContent(path: string, content: string): boolean {
  const own = `${path}.new-${process.pid}`;
  const fd = openSync(own, 'w', 0o644);
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(own, path);
    return true;
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(own);
  }
}

/**
 * Removes a stale lock, and only that one. Two processes can find the same dead holder; if both unlinked the path,
 * the slower one could delete the lock the faster one has just taken. So the lock is first renamed aside (only one
 * rename gets that file) and checked: if what was renamed is a live writer's lock after all, it is put back.
 */
function takeOverStale(path: string, seen: LockHolder | null): void {
  const aside = `${path}.stale-${process.pid}-${Date.now().toString(36)}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already: someone else took it over
  }
  const moved = readHolder(aside);
  if (moved !== null && moved.pid !== seen?.pid && isPidAlive(moved.pid)) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process took the free path meanwhile; the writer whose lock this was still finishes its run.
    }
  }
  try {
    unlinkSync(aside);
  } catch {
    // nothing to remove
  }
}

/** Takes the lock or throws QuarryError('locked') naming the holder. Returns the release function. */
export function acquireLock(path: string, options: LockOptions = {}): () => void {
  const waitMs = options.waitMs ?? 2000;
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Date.now() + waitMs;
  for (;;) {
    let taken: boolean;
    try {
      taken = createWithContent(path, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() } satisfies LockHolder));
    } catch (err) {
      throw new QuarryError('bad-input', `cannot create lock ${path}: ${messageOf(err)}`);
    }
    if (taken) {
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
    }
    const holder = readHolder(path);
    if (holder === null || !isPidAlive(holder.pid)) {
      takeOverStale(path, holder);
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
