// Worker-thread entry of the scan pool: a task is one batch of files (scanBatch.ts), or the final flush that waits
// for this thread's cache writes; the spans recorded travel back with the reply.
import { flushWrites } from '../cache/threadCache.js';
import { drainSpans, initWorkerProfiler } from '../profile/profiler.js';
import { arriveAndWait } from '../util/barrier.js';
import type { FlushReply, FlushTask } from '../util/workerPool.js';
import { scanBatch, type ScanReply, type ScanTask } from './scanBatch.js';

export default async function runTask(task: ScanTask | FlushTask): Promise<ScanReply | FlushReply> {
  if ('flush' in task) {
    await arriveAndWait(task.flush);
    await flushWrites();
    return { spans: drainSpans() };
  }
  const reply = await scanBatch(task, initWorkerProfiler(task.profile));
  return { ...reply, spans: drainSpans() };
}
