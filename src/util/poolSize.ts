// How many threads a job gets and how its files are cut into tasks: kept apart from workerPool.ts, so that a job
// that turns out too small for threads decides so without loading the pool (tinypool, ~45 ms of start-up).
import { availableParallelism } from 'node:os';

export function defaultPoolSize(): number {
  return Math.max(1, Math.min(availableParallelism() * 2, 16));
}

/**
 * Source bytes that make a thread worth starting. Each thread loads and warms up the parser on its own (~0.3–0.5 s
 * of CPU before its code is optimised), which is about what parsing a few MB costs: on the corpus's eslint package
 * (3 MB) one worker scanned in 1.4 s, two in 2.2 s and four in 3.0 s.
 */
const BYTES_PER_THREAD = 8 * 1024 * 1024;

/**
 * Threads for a parsing job of `bytes`: what was asked for; else within the pool's bound (defaultPoolSize), no more
 * than there are cores — parsing is CPU-bound, and on 2 cores a cold index of the corpus took 19–22 s with 2
 * threads but 25 s with 4 — and one per BYTES_PER_THREAD at most.
 */
export function poolSizeFor(bytes: number, requested?: number): number {
  if (requested !== undefined) return Math.max(1, requested);
  return Math.max(1, Math.min(defaultPoolSize(), availableParallelism(), Math.ceil(bytes / BYTES_PER_THREAD)));
}

/** Up to this many files, a job runs on the calling thread: starting threads costs more. */
const INLINE_FILES = 8;

/**
 * Threads for a job of `files` files and `bytes` bytes in batches of `batchFiles`; 0 means the calling thread does
 * the work: a few files, or a default that comes to one thread (no parallelism, only the cost of starting it and
 * loading the parser there again, while the calling thread would wait).
 */
export function threadsFor(job: { files: number; bytes: number; batchFiles: number; requested?: number | undefined }): number {
  if (job.files <= INLINE_FILES) return 0;
  const threads = Math.min(poolSizeFor(job.bytes, job.requested), Math.ceil(job.files / job.batchFiles));
  return threads === 1 && job.requested === undefined ? 0 : threads;
}

/** Splits positions into tasks of at most `maxFiles` files and about `maxBytes` bytes, in order. */
export function batchesOf(positions: readonly number[], sizeOf: (pos: number) => number, maxFiles: number, maxBytes: number): number[][] {
  const batches: number[][] = [];
  let cur: number[] = [];
  let bytes = 0;
  for (const p of positions) {
    cur.push(p);
    bytes += sizeOf(p);
    if (cur.length >= maxFiles || bytes >= maxBytes) {
      batches.push(cur);
      cur = [];
      bytes = 0;
    }
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}

/**
 * batchesOf for each group of positions (`groupOf`, in order within a group), the groups ordered by bytes, largest
 * first: the shape runInPool takes.
 */
export function groupedBatches(
  positions: readonly number[],
  groupOf: (pos: number) => string,
  sizeOf: (pos: number) => number,
  maxFiles: number,
  maxBytes: number,
): number[][][] {
  const groups = new Map<string, { positions: number[]; bytes: number }>();
  for (const p of positions) {
    const key = groupOf(p);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { positions: [], bytes: 0 }));
    g.positions.push(p);
    g.bytes += sizeOf(p);
  }
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes).map((g) => batchesOf(g.positions, sizeOf, maxFiles, maxBytes));
}
