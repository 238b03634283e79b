// The entry of a pool's worker module: a task is one batch (handed to the area's batch function with this thread's
// profiler), or the final flush that waits for this thread's cache writes; the spans recorded travel back with
// every reply, and the flush's reply carries the cache warnings raised since the last batch replied. Kept apart from
// workerPool.ts, which the worker threads must not load (it brings in tinypool).
import { flushWrites } from '../cache/threadCache.js';
import { drainSpans, initWorkerProfiler, type Profiler, type WorkerProfilerContext } from '../profile/profiler.js';
import type { SpanLine } from '../profile/spanLine.js';
import { arriveAndWait, type Barrier } from './barrier.js';

/** Sent once to every thread (through the barrier) after the last batch: wait for this thread's cache writes. */
export interface FlushTask {
  flush: Barrier;
}

export interface FlushReply {
  spans: SpanLine[];
  /**
   * The cache's warnings raised after this thread's last batch replied: a write of that batch refused while the
   * flush waited for it, a store lost in between. A batch reply carries its own (see the areas' batch functions).
   */
  warnings: string[];
}

/** The default export of a worker module whose batches `run` handles. */
export function workerEntry<T extends { profile: WorkerProfilerContext | null }, R>(
  run: (task: T, prof: Profiler) => Promise<R>,
): (task: T | FlushTask) => Promise<(R & { spans: SpanLine[] }) | FlushReply> {
  const handle = async (task: T | FlushTask): Promise<(R & { spans: SpanLine[] }) | FlushReply> => {
    if ('flush' in task) {
      await arriveAndWait(task.flush);
      const warnings = await flushWrites();
      return { spans: drainSpans(), warnings };
    }
    const reply = await run(task, initWorkerProfiler(task.profile));
    return { ...reply, spans: drainSpans() };
  };
  // The pool hands a thread its next task while the current one runs (see createLane), so that the thread goes on
  // without waiting for the main thread; tasks still run one after the other, in the order they came: a batch's
  // reply carries the terms its thread first saw and the spans it recorded, since the previous reply.
  let last: Promise<unknown> = Promise.resolve();
  return (task) => {
    const reply = last.then(() => handle(task));
    last = reply.catch(() => {});
    return reply;
  };
}
