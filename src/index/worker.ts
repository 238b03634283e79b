// Worker-thread entry of the index pool: a task is one batch of files (see analyzeBatch.ts), or the final
// flush that waits for this thread's cache writes; the spans recorded travel back with the reply.
import { drainSpans, initWorkerProfiler } from '../profile/profiler.js';
import { arriveAndWait } from '../util/barrier.js';
import type { FlushReply, FlushTask } from '../util/workerPool.js';
import { flushWrites } from '../cache/threadCache.js';
import { analyzeBatch, type WorkerReply, type WorkerTask } from './analyzeBatch.js';

export default async function runTask(task: WorkerTask | FlushTask): Promise<WorkerReply | FlushReply> {
  if ('flush' in task) {
    await arriveAndWait(task.flush);
    await flushWrites();
    return { spans: drainSpans() };
  }
  const reply = await analyzeBatch(task, initWorkerProfiler(task.profile));
  return { ...reply, spans: drainSpans() };
}
