// Helper for profiler.test.ts: a worker thread that records spans under the main thread's run
// (context in workerData) and posts the finished lines back, as quarry's index workers do.
import { parentPort, workerData } from 'node:worker_threads';
import { drainSpans, initWorkerProfiler } from '../../dist/src/profile/profiler.js';

const p = initWorkerProfiler(workerData);
await p.span('task', async (task) => {
  p.span('parse', (s) => s.set('files', 3), undefined, task);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const s = p.start('tokenize', { terms: 1 }, task);
  s.add('terms', 2);
  s.end();
});
try {
  p.span('fails', () => {
    throw new Error('worker boom');
  });
} catch {
  // recorded as an error span; the test checks the line
}
parentPort.postMessage(drainSpans());
