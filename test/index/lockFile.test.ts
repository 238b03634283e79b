import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/index/lockFile.js';
import { QuarryError } from '../../src/util/errors.js';
import { tempDir } from '../helpers.js';

describe('index writer lock', () => {
  it('is exclusive: a second writer waits, then fails naming the holder', () => {
    const path = join(tempDir(), 'index.msgpack.lock');
    const release = acquireLock(path);
    const sleeps: number[] = [];
    let caught: unknown;
    try {
      acquireLock(path, { waitMs: 0, sleep: (ms) => sleeps.push(ms) });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(QuarryError);
    expect((caught as QuarryError).code).toBe('locked');
    expect((caught as QuarryError).message).toContain(`pid ${process.pid}`);
    release();
    expect(existsSync(path)).toBe(false);
    acquireLock(path)();
  });

  it('takes over a stale lock whose writer is dead', async () => {
    const path = join(tempDir(), 'index.msgpack.lock');
    const dead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', '0']);
      c.on('close', () => resolve(c.pid!));
    });
    writeFileSync(path, JSON.stringify({ pid: dead, startedAt: new Date().toISOString() }));
    const release = acquireLock(path, { waitMs: 0 });
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    release();
  });

  it('takes over a lock file with garbage in it', () => {
    const path = join(tempDir(), 'index.msgpack.lock');
    writeFileSync(path, 'not json');
    acquireLock(path, { waitMs: 0 })();
  });
});
