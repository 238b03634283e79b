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

  it('gives the lock to one process at a time under contention, a stale lock included', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const path = join(dir, 'index.msgpack.lock');
    const log = join(dir, 'holds.log');
    // A dead writer's lock to begin with: every contender finds it stale at once.
    writeFileSync(path, JSON.stringify({ pid: 2 ** 22 + 7, startedAt: '2026-01-01T00:00:00.000Z' }));
    const lockModule = new URL('../../dist/src/index/lockFile.js', import.meta.url).href;
    const script = `
      const { acquireLock } = await import(${JSON.stringify(lockModule)});
      const { appendFileSync } = await import('node:fs');
      for (let i = 0; i < 5; i++) {
        const release = acquireLock(${JSON.stringify(path)}, { waitMs: 60000 });
        appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n');
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
        appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
        release();
      }`;
    const codes = await Promise.all(
      Array.from(
        { length: 6 },
        () =>
          new Promise<number | null>((resolve) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
            child.on('close', resolve);
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0, 0, 0]);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(6 * 5 * 2);
    // Strictly alternating: every "in" is followed by the "out" of the same process.
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]).toMatch(/^in \d+$/);
      expect(lines[i + 1]).toBe(lines[i]!.replace('in', 'out'));
    }
    expect(existsSync(path)).toBe(false);
  });
});
