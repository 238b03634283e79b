// Lookups in sorted key tables split into blocks with a small block index: a lookup decodes the index and one
// block. (The writer side, encodeBlocks, lives in builder.ts: readers must not load msgpackr's packer.)
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

/** Position of `key` in the sorted `keys`, or -1. */
export function findKey(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const k = keys[mid]!;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Position of the first key ≥ `key` in sorted `keys` (keys.length when none). */
export function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
