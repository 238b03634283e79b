// A barrier over shared memory: the way to run one task on every thread of a pool whose scheduler picks the
// thread. Each task arrives and then waits for the others, so no thread can take two of them.
/** Atomics.waitAsync is in Node 20 but only in TypeScript's ES2024 lib, whose other APIs Node 20 lacks. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string };
  }
).waitAsync;

export interface Barrier {
  /** One Int32 slot: how many parties have arrived. */
  cells: SharedArrayBuffer;
  parties: number;
}

export function createBarrier(parties: number): Barrier {
  return { cells: new SharedArrayBuffer(4), parties };
}

/** Arrives at the barrier and resolves when all parties have, or after `timeoutMs` (a thread died, say). */
export async function arriveAndWait(barrier: Barrier, timeoutMs = 30_000): Promise<boolean> {
  const count = new Int32Array(barrier.cells);
  Atomics.add(count, 0, 1);
  Atomics.notify(count, 0);
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = Atomics.load(count, 0);
    if (seen >= barrier.parties) return true;
    const left = deadline - performance.now();
    if (left <= 0) return false;
    await waitAsync(count, 0, seen, left).value;
  }
}
