// Several quarry processes and threads on one cache dir: what one writes, the others read, and concurrent
// writers lose nothing. Children run the BUILT module (dist/), so run `npx tsc -p tsconfig.json` first.
import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openCache } from '../../src/cache/cache.js';
import { hashFor, valueFor } from './childValues.mjs';
import { removeTempDirs, runChild, tempDir, within, workerScript } from './helpers.js';

beforeAll(() => {
  if (!existsSync(new URL('../../dist/src/cache/cache.js', import.meta.url))) throw new Error('build first: npx tsc -p tsconfig.json');
});
afterAll(removeTempDirs);

/** How many of `count` entries written by a child under `prefix` this process reads back intact. */
async function countCorrect(dir: string, prefix: string, count: number): Promise<number> {
  const cache = await openCache({ dir });
  try {
    const hashes = Array.from({ length: count }, (_, i) => hashFor(prefix, i));
    const got = await cache.getMany('child', 1, hashes);
    return got.filter((value, i) => isDeepStrictEqual(value, valueFor(prefix, i))).length;
  } finally {
    await cache.close();
  }
}

describe('across processes', () => {
  it('entries written by one process, which then exits, are read by another', async () => {
    const dir = tempDir('procs');
    const writer = await runChild(['write', dir, 'w', '0', '500', '100']);
    expect(writer.json).toMatchObject({ written: 500, warnings: [] });
    const reader = await runChild(['read', dir, 'w', '0', '500', '100']);
    expect(reader.json).toMatchObject({ found: 500, correct: 500, warnings: [] });
    expect(await countCorrect(dir, 'w', 500)).toBe(500);
  });

  it('two processes writing 5,000 distinct keys each at the same time lose none', async () => {
    const dir = tempDir('concurrent');
    const goAt = String(Date.now() + 1500);
    const [a, b] = await Promise.all([
      runChild(['write', dir, 'a', '0', '5000', '250', goAt]),
      runChild(['write', dir, 'b', '0', '5000', '250', goAt]),
    ]);
    expect(a.stderr).toBe('');
    expect(b.stderr).toBe('');
    expect(a.json).toMatchObject({ written: 5000, warnings: [] });
    expect(b.json).toMatchObject({ written: 5000, warnings: [] });
    // The writes really overlapped in time.
    const span = (r: typeof a): [number, number] => [Number(r.json?.['startedAt']), Number(r.json?.['finishedAt'])];
    const [[a0, a1], [b0, b1]] = [span(a), span(b)];
    expect(a0 < b1 && b0 < a1).toBe(true);
    const [readA, readB] = await Promise.all([
      runChild(['read', dir, 'a', '0', '5000', '1000']),
      runChild(['read', dir, 'b', '0', '5000', '1000']),
    ]);
    expect(readA.json).toMatchObject({ found: 5000, correct: 5000 });
    expect(readB.json).toMatchObject({ found: 5000, correct: 5000 });
    expect((await countCorrect(dir, 'a', 5000)) + (await countCorrect(dir, 'b', 5000))).toBe(10_000);
  });
});

describe('across threads', () => {
  it('a worker_threads worker and the main thread use the same dir at the same time', async () => {
    const dir = tempDir('worker');
    const main = await openCache({ dir, l1Bytes: 0 });
    const worker = new Worker(workerScript, { workerData: { dir, ns: 'thread', prefix: 'wk', count: 2000, batch: 100 } });
    // Listen for 'exit' from the start: a worker that exits before its last message is handled gets its
    // messages and its 'exit' emitted in one go, and a listener added later would wait forever.
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    const messages: Record<string, unknown>[] = [];
    const next = (type: string): Promise<Record<string, unknown>> =>
      new Promise((resolve, reject) => {
        const seen = messages.find((m) => m['type'] === type);
        if (seen !== undefined) return resolve(seen);
        const onMessage = (m: Record<string, unknown>): void => {
          if (m['type'] !== type) return;
          worker.off('message', onMessage);
          resolve(m);
        };
        worker.on('message', onMessage);
        worker.once('error', reject);
      });
    worker.on('message', (m: Record<string, unknown>) => messages.push(m));
    const written = next('written');

    // The main thread writes its own keys while the worker writes its keys.
    for (let i = 0; i < 2000; i += 100) {
      await within(
        'main thread write',
        main.setMany(
          'thread',
          1,
          Array.from({ length: 100 }, (_, k) => ({ hash: hashFor('mn', i + k), value: valueFor('mn', i + k) })),
        ),
      );
    }
    await within('worker write', written);

    const workerKeys = Array.from({ length: 2000 }, (_, i) => hashFor('wk', i));
    const fromWorker = await within('main thread read', main.getMany('thread', 1, workerKeys));
    expect(fromWorker.filter((value, i) => isDeepStrictEqual(value, valueFor('wk', i))).length).toBe(2000);

    const read = next('read');
    worker.postMessage({ type: 'read', prefix: 'mn', count: 2000 });
    expect(await within('worker read', read)).toMatchObject({ correct: 2000, warnings: [] });
    await within('worker exit', exited);

    // The worker closed its cache; the main thread's, on the same lmdb environment, still works.
    expect(await main.get('thread', 1, hashFor('wk', 7))).toStrictEqual(valueFor('wk', 7));
    await main.set('thread', 1, 'after', 'still usable');
    expect(await main.get('thread', 1, 'after')).toBe('still usable');
    expect(main.stats().errors).toBe(0);
    await main.close();
  });
});
