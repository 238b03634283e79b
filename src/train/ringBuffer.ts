// A fixed-capacity ring of query ids: the replay buffer training batches are drawn from. Its whole state is
// typed arrays and two numbers, so a checkpoint can hold it.

export interface RingState {
  items: Int32Array;
  head: number;
  size: number;
}

export function newRing(capacity: number): RingState {
  return { items: new Int32Array(capacity), head: 0, size: 0 };
}

/** Adds `v`, overwriting the oldest item when full. */
export function ringPush(r: RingState, v: number): void {
  r.items[r.head] = v;
  r.head = (r.head + 1) % r.items.length;
  if (r.size < r.items.length) r.size++;
}

/** The item at `i` in [0, size) (any order is fine: batches sample uniformly). */
export function ringAt(r: RingState, i: number): number {
  return r.items[i]!;
}
