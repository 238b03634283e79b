// Worker-thread entry of the index pool: one task is one batch of files (see analyzeBatch.ts); the spans the
// batch recorded travel back with its results.
import { drainSpans, initWorkerProfiler } from '../profile/profiler.js';
import { analyzeBatch, type WorkerReply, type WorkerTask } from './analyzeBatch.js';

export default async function runTask(task: WorkerTask): Promise<WorkerReply> {
  const reply = await analyzeBatch(task, initWorkerProfiler(task.profile));
  return { ...reply, spans: drainSpans() };
}
