// runInPool's lanes: the groups of batches other than the first (the largest) go to one thread first, the first to the
// others; every batch is taken once, and whileFlushing runs before the threads stop.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter, once } from 'node:events';
import { describe, expect, it } from 'vitest';

import type { WorkerReply, WorkerTask } from '../../src/index/analyzeBatch.js';
import { parserFamily } from '../../src/index/language.js';
import { DEFAULT_SKIP_RULES } from '../../src/index/skipRules.js';
import { groupedBatches } from '../../src/util/poolSize.js';
import { giveRemoveListener, runInPool, workerModuleUrl } from '../../src/util/workerPool.js';
import { tempDir } from '../helpers.js';

/** A tree of `js` JavaScript and `ts` TypeScript files (names sort the languages together: a.js…, then t.ts…). */
function tree(js: number, ts: number): { root: string; paths: string[] } {
  const root = tempDir();
  const paths: string[] = [];
  for (let i = 0; i < js; i++) paths.push(`a${String(i).padStart(3, '0')}.js`);
  for (let i = 0; i < ts; i++) paths.push(`t${String(i).padStart(3, '0')}.ts`);
  paths.sort();
  for (const p of paths) writeFileSync(join(root, p), `export function fn_${p.replace('.', '_')}(x) { return x + 1; }\n`);
  return { root, paths };
}

/** The paths' positions in batches of two files, grouped by parser copy. */
function byParser(paths: string[]): number[][][] {
  return groupedBatches(
    paths.map((_, i) => i),
    (i) => parserFamily(paths[i]!),
    () => 1,
    2,
    1 << 20,
  );
}

async function run(root: string, paths: string[], threads: number, batches: number[][][]) {
  const taken: { files: string[]; thread: number }[] = [];
  let flushedWhileRunning = false;
  await runInPool<WorkerTask, WorkerReply>({
    worker: workerModuleUrl('../index/worker.js', new URL('../../src/util/workerPool.ts', import.meta.url).href),
    threads,
    batches,
    task: (batch) => ({ root, paths: batch.map((i) => paths[i]!), rules: DEFAULT_SKIP_RULES, cacheDir: null, profile: null, job: 7001 }),
    take: (batch, reply) => taken.push({ files: batch.map((i) => paths[i]!), thread: reply.thread }),
    whileFlushing: async () => {
      flushedWhileRunning = true;
    },
  });
  return { taken, flushedWhileRunning };
}

describe('runInPool', () => {
  it('gives the smaller group to one thread while another works through the largest', async () => {
    // Two TypeScript batches: the first thread takes both at once (one running, one waiting in its queue), so no
    // other thread can get one however the threads are scheduled.
    const { root, paths } = tree(40, 4);
    const batches = byParser(paths);
    expect(batches.map((g) => g.length)).toEqual([20, 2]);
    const { taken, flushedWhileRunning } = await run(root, paths, 2, batches);
    expect(flushedWhileRunning).toBe(true);
    expect(taken.flatMap((t) => t.files).sort()).toEqual(paths);
    const tsThreads = new Set(taken.filter((t) => t.files[0]!.endsWith('.ts')).map((t) => t.thread));
    expect(tsThreads.size).toBe(1);
    // That thread started with them: they are its first replies.
    const tsThread = [...tsThreads][0]!;
    expect(
      taken
        .filter((t) => t.thread === tsThread)
        .slice(0, 2)
        .every((t) => t.files[0]!.endsWith('.ts')),
    ).toBe(true);
  });

  it('with one group, every thread takes batches from it in order', async () => {
    const { root, paths } = tree(12, 0);
    const batches = byParser(paths);
    expect(batches.length).toBe(1);
    const { taken } = await run(root, paths, 2, batches);
    expect(taken.flatMap((t) => t.files).sort()).toEqual(paths);
    expect(new Set(taken.map((t) => t.thread)).size).toBe(2);
  });
});

describe('runInPool failures', () => {
  const job = (root: string, paths: string[], worker: URL) => ({
    worker,
    threads: 2,
    batches: byParser(paths),
    task: (batch: number[]) => ({
      root,
      paths: batch.map((i) => paths[i]!),
      rules: DEFAULT_SKIP_RULES,
      cacheDir: null,
      profile: null,
      job: 7002,
    }),
  });
  const indexWorker = workerModuleUrl('../index/worker.js', new URL('../../src/util/workerPool.ts', import.meta.url).href);

  it('rejects with the error of the first reply that cannot be taken; the batches queued behind it settle quietly', async () => {
    const { root, paths } = tree(12, 0);
    const failing = runInPool<WorkerTask, WorkerReply>({
      ...job(root, paths, indexWorker),
      take: () => {
        throw new Error('cannot take this reply');
      },
    });
    await expect(failing).rejects.toThrow('cannot take this reply');
  });

  it('rejects when the threads cannot run at all (a missing worker module), leaving no rejection unhandled', async () => {
    const { root, paths } = tree(12, 0);
    const missing = new URL('./no-such-worker.js', indexWorker);
    const failing = runInPool<WorkerTask, WorkerReply>({ ...job(root, paths, missing), take: () => {} });
    await expect(failing).rejects.toThrow();
  });
});

describe('groupedBatches', () => {
  it('orders groups by bytes, largest first, keeping positions in order within each', () => {
    const sizes = [5, 1, 1, 5, 1, 1];
    const groups = groupedBatches(
      [0, 1, 2, 3, 4, 5],
      (i) => (sizes[i] === 5 ? 'big' : 'small'),
      (i) => sizes[i]!,
      2,
      100,
    );
    expect(groups).toEqual([
      [[0, 3]],
      [
        [1, 2],
        [4, 5],
      ],
    ]);
  });
});

describe('giveRemoveListener', () => {
  it("lets events.once wait on a thread wrapper without removeListener (tinypool's), so an 'error' rejects instead of throwing", async () => {
    const thread = new EventEmitter();
    // The shape of tinypool's ThreadWorker: on and once forwarded to the thread, no removeListener.
    const wrap = () => ({
      thread,
      on: (event: string, cb: (...a: unknown[]) => void) => thread.on(event, cb),
      once: (event: string, cb: (...a: unknown[]) => void) => thread.once(event, cb),
    });
    const wrapper = wrap();
    const unpatched = once(wrapper as unknown as EventEmitter, 'exit');
    unpatched.catch(() => {});
    // What crashed a run: the error listener calls wrapper.removeListener, which is not there.
    expect(() => thread.emit('error', new Error('no such module'))).toThrow(/removeListener is not a function/);

    const patched = wrap();
    giveRemoveListener([patched]);
    const waiting = once(patched as unknown as EventEmitter, 'exit');
    thread.emit('error', new Error('no such module'));
    await expect(waiting).rejects.toThrow('no such module');
  });
});
