// A damaged or unusable store never fails a command: it is reset once with one warning, or the cache runs on
// its L1 alone with one warning. Each case runs in a child process, because lmdb-js kills the whole process
// (SIGSEGV) on a damaged file it was allowed to open: a miss in our check must fail a test, not the runner.
import {
  chmodSync,
  chownSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

import { childScript, removeTempDirs, runChild, tempDir } from './helpers.js';
import { readableAs } from '../helpers.js';

afterAll(removeTempDirs);

/** A cache dir holding a healthy store with some entries, written by a child process. */
async function healthyCache(label: string): Promise<string> {
  const dir = join(tempDir(label), 'cache');
  const writer = await runChild(['write', dir, 'p', '0', '300', '100']);
  expect(writer.json).toMatchObject({ written: 300, warnings: [] });
  return dir;
}

const dataFile = (dir: string): string => join(dir, 'kv', 'data.mdb');

function overwrite(path: string, at: number, bytes: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, bytes, 0, bytes.length, at);
  } finally {
    closeSync(fd);
  }
}

const damages: [string, (dir: string) => void][] = [
  ['random bytes over the whole data file', (dir) => writeFileSync(dataFile(dir), randomBytes(statSync(dataFile(dir)).size))],
  ['zeros over the whole data file', (dir) => writeFileSync(dataFile(dir), Buffer.alloc(statSync(dataFile(dir)).size))],
  ['a few bytes of text as the data file', (dir) => writeFileSync(dataFile(dir), 'garbage')],
  ['a data file truncated mid-page', (dir) => truncateSync(dataFile(dir), 6000)],
  [
    'garbage over everything after the meta pages',
    (dir) => overwrite(dataFile(dir), 8192, Buffer.alloc(statSync(dataFile(dir)).size - 8192, 0xab)),
  ],
  [
    'a regular file where the lmdb folder should be',
    (dir) => {
      rmSync(join(dir, 'kv'), { recursive: true });
      writeFileSync(join(dir, 'kv'), 'not a folder');
    },
  ],
  [
    'a regular file where the cache dir should be',
    (dir) => {
      rmSync(dir, { recursive: true });
      writeFileSync(dir, 'not a folder');
    },
  ],
  [
    'a folder where the data file should be',
    (dir) => {
      rmSync(dataFile(dir));
      mkdirSync(dataFile(dir));
    },
  ],
];

describe('a damaged store', () => {
  it.each(damages)('%s: opens with one warning, is reset and usable', async (_, damage) => {
    const dir = await healthyCache('damaged');
    damage(dir);
    const opened = await runChild(['open', dir]);
    expect(opened.signal).toBeNull();
    expect(opened.code).toBe(0);
    expect(opened.json?.['warnings']).toEqual([expect.stringMatching(new RegExp(`^cache at ${dir} was damaged \\(.+\\); reset$`))]);
    // Usable in the same process and durable for the next one (the reopen added no warning).
    expect(opened.json).toMatchObject({ sameInstance: true, reopened: true });
    const reader = await runChild(['read', dir, 'p', '0', '300', '100']);
    expect(reader.json).toMatchObject({ warnings: [], found: 0 });
  });

  it("keeps a file that sat where the cache dir should be, renamed aside, since it may be the user's", async () => {
    const base = tempDir('aside');
    const dir = join(base, 'cache');
    writeFileSync(dir, 'precious');
    const opened = await runChild(['open', dir]);
    expect(opened.json?.['warnings']).toHaveLength(1);
    expect(readdirSync(base).filter((name) => name.startsWith('cache.damaged-'))).toHaveLength(1);
  });

  it('garbage in lock.mdb alone is not damage: lmdb rebuilds the lock file', async () => {
    const dir = await healthyCache('lock');
    writeFileSync(join(dir, 'kv', 'lock.mdb'), randomBytes(8272));
    const reader = await runChild(['read', dir, 'p', '0', '300', '100']);
    expect(reader.json).toMatchObject({ warnings: [], found: 300, correct: 300 });
  });
});

describe('a crash', () => {
  it('a writer killed mid-transaction leaves a store that opens cleanly with every committed entry', async () => {
    const dir = join(tempDir('crash'), 'cache');
    for (let round = 0; round < 2; round++) {
      const child = spawn(process.execPath, [childScript, 'write-forever', dir, 'p', '0', '0', '100'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, 150 + round * 100));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('close', resolve));
      const reader = await runChild(['read', dir, 'p', '0', '100', '100']);
      expect(reader.json).toMatchObject({ warnings: [], found: 100, correct: 100 });
    }
  });
});

// Permission checks need a second user; as root the test process can lend a child the uid of `nobody`.
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;

// The child script must be readable by that user too (a checkout under /root is not).
const nobodyCanRun = asRoot && readableAs(NOBODY, fileURLToPath(new URL('./cacheChild.mjs', import.meta.url)));
if (asRoot && !nobodyCanRun) console.warn('permission tests skipped: the checkout is not readable by uid 65534');

describe.runIf(nobodyCanRun)('permission denied', () => {
  it('a store we may not open but may move aside is reset with one warning', async () => {
    const dir = await healthyCache('perm-reset');
    chmodSync(join(dir, '..'), 0o755);
    chownSync(dir, NOBODY, NOBODY);
    chmodSync(join(dir, 'kv'), 0o700);
    const opened = await runChild(['open', dir], { uid: NOBODY, gid: NOBODY });
    expect(opened.signal).toBeNull();
    expect(opened.json?.['warnings']).toEqual([expect.stringMatching(/was damaged \(.+\); reset$/)]);
    expect(opened.json).toMatchObject({ sameInstance: true, reopened: true });
  });

  it('a store we may neither open nor reset leaves the cache in memory, with one warning', async () => {
    const dir = await healthyCache('perm-none');
    chmodSync(join(dir, '..'), 0o755);
    const opened = await runChild(['open', dir], { uid: NOBODY, gid: NOBODY });
    expect(opened.signal).toBeNull();
    expect(opened.code).toBe(0);
    const warnings = opened.json?.['warnings'] as string[];
    expect(warnings.filter((w) => !w.startsWith('(reopen)'))).toEqual([
      expect.stringMatching(/is unusable \(.+\); caching in memory only$/),
    ]);
    // The L1 still serves the process that wrote; nothing reached disk for the next one.
    expect(opened.json).toMatchObject({ sameInstance: true, reopened: false });
  });
});
