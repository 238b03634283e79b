// Lookups in sorted key tables split into blocks with a small block index: a lookup decodes the index and one
// block, and searches that with stringColumn.ts. (The writer side lives in builder.ts: readers must not load
// msgpackr's packer.)
import type { BlockIndex } from './format.js';

/** The block that would hold `key`: the last block whose first key is ≤ key, or -1. */
export function findBlock(index: BlockIndex, key: string): number {
  let lo = 0;
  let hi = index.first.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index.first[mid]! <= key) ((found = mid), (lo = mid + 1));
    else hi = mid - 1;
  }
  return found;
}
