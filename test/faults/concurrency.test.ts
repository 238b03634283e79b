// Fault suite: several quarry processes at once. One index writer at a time (the others wait, then exit 2 naming
// the holder); a search during an index answers from a complete index; processes sharing one local cache lose and
// corrupt nothing.
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IndexReader, indexPathOf } from '../../src/index/reader.js';
import { tempDir } from '../helpers.js';
import { envFor, hasStack, makeTree, run, trials } from './faults.js';

const ROUNDS = trials(3, 20);

describe('fault: concurrency', () => {
  it(
    `${ROUNDS} rounds of 4 index runs at once on one tree: one writer at a time, the others exit 2 naming it`,
    { timeout: 600_000 },
    async () => {
      const root = makeTree(200);
      const env = envFor(root);
      const failures: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const runs = await Promise.all(Array.from({ length: 4 }, () => run(['index', '--force', '--json'], { cwd: root, env })));
        const wrote = runs.filter((r) => r.code === 0);
        for (const r of runs) {
          if (r.code === 0) continue;
          const out = JSON.parse(r.stdout || '{}') as { error?: { code?: string; message?: string } };
          if (r.code !== 2 || out.error?.code !== 'locked' || !/pid \d+/.test(out.error.message ?? ''))
            failures.push(`round ${round}: exit ${r.code} ${r.stdout.trim()} ${r.stderr.trim()}`);
        }
        if (wrote.length === 0) failures.push(`round ${round}: no run wrote the index`);
        // Two runs that both wrote must not have overlapped: each holds the lock from before its walk to after its rename.
        const reader = new IndexReader(indexPathOf(root));
        if (reader.fileCount !== 200) failures.push(`round ${round}: index has ${reader.fileCount} files`);
        if (readdirSync(join(root, '.quarry')).includes('index.msgpack.lock')) failures.push(`round ${round}: lock left behind`);
      }
      expect(failures).toEqual([]);
    },
  );

  it('searches during an index always answer from a complete index', { timeout: 300_000 }, async () => {
    const root = makeTree(300);
    const env = envFor(root);
    expect((await run(['index'], { cwd: root, env })).code).toBe(0);
    const failures: string[] = [];
    let done = false;
    const writer = (async () => {
      for (let i = 0; i < trials(3, 15); i++) {
        const r = await run(['index', '--force', '--no-cache'], { cwd: root, env });
        if (r.code !== 0) failures.push(`index exit ${r.code}: ${r.stderr.trim()}`);
      }
      done = true;
    })();
    let searches = 0;
    while (!done) {
      const r = await run(['search', 'handler7', '--files', '--json'], { cwd: root, env });
      searches++;
      if (r.code !== 0 || hasStack(r.stderr)) failures.push(`search exit ${r.code}: ${r.stderr.trim()}`);
      else if (!(JSON.parse(r.stdout) as { data: { hits: unknown[] } }).data.hits.length) failures.push('search found nothing');
    }
    await writer;
    expect(searches).toBeGreaterThan(2);
    expect(failures).toEqual([]);
  });

  it('4 processes filling one local cache at once lose and corrupt nothing', { timeout: 300_000 }, async () => {
    const source = makeTree(150);
    const cache = tempDir('quarry-fault-cache-');
    const copies = Array.from({ length: 5 }, () => {
      const dir = tempDir('quarry-fault-copy-');
      cpSync(join(source, 'src'), join(dir, 'src'), { recursive: true });
      return dir;
    });
    const env = (dir: string) => envFor(dir, { QUARRY_CACHE_DIR: cache });
    const filling = await Promise.all(copies.slice(0, 4).map((dir) => run(['index', '--json'], { cwd: dir, env: env(dir) })));
    for (const r of filling) {
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/warning/i);
    }
    // A fifth tree with the same bytes is served whole from what the four wrote, and indexes the same.
    const fifth = await run(['index', '--json'], { cwd: copies[4]!, env: env(copies[4]!) });
    expect(fifth.code).toBe(0);
    const data = (JSON.parse(fifth.stdout) as { data: { files: number; cache: { hits: number; misses: number } } }).data;
    expect(data.cache).toMatchObject({ hits: 150, misses: 0 });
    const fresh = await run(['index', '--json', '--no-cache', '--force'], { cwd: copies[0]!, env: env(copies[0]!) });
    expect(fresh.code).toBe(0);
    const a = new IndexReader(indexPathOf(copies[4]!));
    const b = new IndexReader(indexPathOf(copies[0]!));
    expect([a.header.termCount, a.header.symbolCount]).toEqual([b.header.termCount, b.header.symbolCount]);
  });
});
