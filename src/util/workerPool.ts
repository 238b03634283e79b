// The one bounded worker pool: min(cores*2, 16) threads unless told otherwise.
import { setFlagsFromString } from 'node:v8';
import Tinypool from 'tinypool';
import { createBarrier } from './barrier.js';
import type { SpanLine } from '../profile/spanLine.js';
import type { FlushReply, FlushTask } from './workerEntry.js';
import { profiler } from '../profile/profiler.js';
import { addCleanup } from './cleanup.js';

export { workerModuleUrl } from './workerModuleUrl.js';

/**
 * Runs every batch on `threads` threads (`task(batch)` to the worker module at `worker`), hands each reply to `take`
 * as it arrives, then flushes every thread's cache writes (FlushTask) and stops the threads: after a failure before
 * it throws, on SIGINT from a cleanup, and once done without waiting for them to end. The
 * spans of every reply are ingested into this thread's profiler; the flush's cache warnings go to `onWarning`, each
 * message once however many threads raised it (a batch's warnings are in its reply, for `take`).
 *
 * `batches` comes in groups, the first one the largest: thread 0 takes the other groups' batches first, the rest of
 * the threads the first group's, each turning to the other groups when its own run out. A group is work that warms
 * up code of its own in a thread (TypeScript files go through a parser of their own, see parse.ts): V8 compiled
 * that parser in every thread that met a TypeScript file, ~2 s of CPU each on the corpus, and now one thread
 * does unless the TypeScript batches outlast the others. Within a group, batches start in order.
 */
export async function runInPool<T, R extends { spans: SpanLine[] }>(job: {
  worker: URL;
  threads: number;
  batches: readonly (readonly number[][])[];
  task: (batch: number[]) => T;
  take: (batch: number[], reply: R) => void;
  /** Runs once every batch is taken, while the threads flush their cache writes (they wait on the disk). */
  whileFlushing?: () => Promise<void>;
  /** Told the cache warnings raised while the threads flushed (the command's onWarning). */
  onWarning?: ((message: string) => void) | undefined;
}): Promise<void> {
  const prof = profiler();
  tuneTierUp();
  const lanes = Array.from({ length: job.threads }, () => createLane(job.worker, job.threads));
  const stopAll = (): Promise<void> => Promise.all(lanes.map((lane) => lane.destroy())).then(() => undefined);
  const stopOnExit = addCleanup(() => void stopAll());
  const queues = job.batches.map((group) => [...group]);
  const others = queues.map((_, g) => g).filter((g) => g !== 0);
  const nextFor = (lane: number): number[] | undefined => {
    for (const g of lane === 0 ? [...others, 0] : [0, ...others]) {
      const batch = queues[g]!.shift();
      if (batch !== undefined) return batch;
    }
    return undefined;
  };
  const runLane = async (lane: Lane, index: number): Promise<void> => {
    const start = (batch: number[]) => lane.run<T, R>(job.task(batch)).then((reply) => ({ batch, reply }));
    const first = nextFor(index);
    if (first === undefined) return;
    let current = start(first);
    for (;;) {
      // The next batch waits in the thread's queue while the reply of this one is taken.
      const following = nextFor(index);
      const ahead = following === undefined ? undefined : start(following);
      // Awaited on the next turn; if this batch fails first, its failure is the one reported.
      ahead?.catch(() => {});
      const { batch, reply } = await current;
      prof.ingest(reply.spans);
      job.take(batch, reply);
      if (ahead === undefined) return;
      current = ahead;
    }
  };
  let done = false;
  try {
    await Promise.all(lanes.map(runLane));
    const barrier = createBarrier(lanes.length);
    const [flushed] = await Promise.all([
      Promise.all(lanes.map((lane) => lane.run<FlushTask, FlushReply>({ flush: barrier }))),
      job.whileFlushing?.(),
    ]);
    for (const f of flushed) prof.ingest(f.spans);
    for (const w of new Set(flushed.flatMap((f) => f.warnings))) job.onWarning?.(w);
    done = true;
  } finally {
    stopOnExit();
    // Done: every reply is taken and every cache write committed (the flush), so the threads have nothing left to
    // lose, and the caller goes on while they end. Awaiting their exit (the threads' heaps torn down, tinypool's exit
    // events) took 0.2 s at the end of a cold index of the corpus, with the index still to be written.
    if (done) void stopAll();
    else await stopAll();
  }
}

/** V8's default `--interrupt-budget` (Node 20, V8 11.3). */
const V8_INTERRUPT_BUDGET = 67_584;
/** The budget the pool's threads get: see tuneTierUp. */
const POOL_INTERRUPT_BUDGET = 8 * V8_INTERRUPT_BUDGET;

/**
 * Lets V8 gather more type feedback before it optimizes a function, for the threads started from now on (V8 flags
 * are process-wide; a thread takes them when it starts). With V8's default, babel's large parse functions are
 * optimized early, then deoptimized by the node shapes of the next files ("insufficient type feedback", "wrong
 * map", "code dependencies") and optimized again: ~1,300 TurboFan compiles in one thread over the corpus
 * (`--trace-opt`), and compiling took ~17% of a cold index's CPU (perf). With 8x the budget a cold index of the
 * corpus (--no-cache) makes 1,025 compiles taking 4.8 s of compiler time instead of 1,806 taking 9.4 s, and took 14.25 s
 * against 14.65 s (node's flag, 3 interleaved rounds, all three won; 4x: 14.44 s), 16.5 s against 17.4 s set from
 * here (4 rounds on a noisier machine, 3 won). A cold scan of the eslint package: the same (1.175 against 1.190 s).
 * Left alone when node was started with its own --interrupt-budget; QUARRY_INTERRUPT_BUDGET sets another (0: V8's
 * default).
 */
export function tuneTierUp(): void {
  if ([...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith('--interrupt-budget'))) return;
  const budget = tuning('QUARRY_INTERRUPT_BUDGET', POOL_INTERRUPT_BUDGET);
  setFlagsFromString(`--interrupt-budget=${budget !== undefined && Number.isInteger(budget) ? budget : V8_INTERRUPT_BUDGET}`);
}

/**
 * A V8 setting for the pool's threads: the environment variable `name` when set (not empty), else `fallback`;
 * undefined for V8's own default (0, or what is not a positive number).
 */
function tuning(name: string, fallback: number): number | undefined {
  const set = process.env[name];
  const v = set !== undefined && set !== '' ? Number(set) : fallback;
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** One thread of a job (a Tinypool of one thread), so that runInPool chooses which batches each thread gets. */
interface Lane {
  run<T, R>(task: T): Promise<R>;
  destroy(): Promise<void>;
}

/** Young-generation memory shared by a pool's threads, in MiB (see youngGenerationMb). */
const YOUNG_BUDGET_MB = 768;
/** The most one worker gets, in MiB (see youngGenerationMb). */
const YOUNG_MAX_MB = 128;

/**
 * Young-generation size of each worker, in MiB. Parsing allocates masses of short-lived AST nodes; with V8's
 * default (16 MiB semi-spaces) scavenges took a quarter of a worker's time (bench/analysis-cost.mjs with
 * --max-semi-space-size). More is not better: a cold index of the corpus with two workers of 128 MiB beat 384 MiB
 * (this limit until 2026-12-02) in 7 of 8 interleaved rounds, 20.0 s against 21.8 s on average, with 2.2 and 3.4 s
 * less CPU in the two sets (64 MiB: no better than 384; 192 MiB: in between). Probably because a larger young
 * generation touches more fresh memory per scavenge, and page faults are dear here (~5% of a run's CPU). The pool
 * shares a budget so that many threads do not multiply peak RSS. QUARRY_WORKER_YOUNG_MB overrides it (0: V8's default).
 */
export function youngGenerationMb(size: number): number | undefined {
  return tuning('QUARRY_WORKER_YOUNG_MB', Math.max(48, Math.min(YOUNG_MAX_MB, Math.floor(YOUNG_BUDGET_MB / size))));
}

/** A thread for a job of `threads` threads in all, which share the memory budget. */
function createLane(filename: URL, threads: number): Lane {
  const young = youngGenerationMb(threads);
  const pool = new Tinypool({
    filename: filename.href,
    minThreads: 1,
    maxThreads: 1,
    // The lane keeps one task queued behind the running one (runLane); posted to the thread at once, it is there
    // when the running one ends, instead of after a round trip through this thread (which may be busy taking a
    // reply). The thread runs them one after the other (workerEntry.ts).
    concurrentTasksPerWorker: 2,
    idleTimeout: 1000,
    ...(young ? { resourceLimits: { maxYoungGenerationSizeMb: young } } : {}),
  });
  return {
    run: <T, R>(task: T) => pool.run(task) as Promise<R>,
    destroy: () => {
      giveRemoveListener(pool.threads);
      // The thread ends either way; a failure while it does has been reported by the task it failed.
      return pool.destroy().catch(() => {});
    },
  };
}

/**
 * tinypool 2.2's destroy() waits for each thread with `events.once(wrapper, 'exit')`, and its thread wrapper has no
 * `removeListener`: when the thread emits 'error' meanwhile (one that failed to load its module), `once`'s error
 * handler calls it and throws an uncaught TypeError (seen once in the full test suite). The wrapper gets the method of
 * the thread it wraps.
 */
export function giveRemoveListener(threads: readonly unknown[]): void {
  for (const t of threads as { removeListener?: unknown; thread?: { removeListener?: unknown } }[]) {
    const thread = t.thread as import('node:events').EventEmitter | undefined;
    if (typeof t.removeListener !== 'function' && typeof thread?.removeListener === 'function')
      t.removeListener = thread.removeListener.bind(thread);
  }
}
