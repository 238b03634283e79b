// The in-process L1: an LRU whose bound is bytes, checked by examples and by a property over random workloads.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { ByteLru } from '../../src/cache/l1.js';

const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

/** The sum of the byte lengths of the entries actually held. */
function heldBytes(lru: ByteLru): number {
  let sum = 0;
  for (const [, b] of lru.entries()) sum += b.byteLength;
  return sum;
}

describe('ByteLru', () => {
  it('counts entries by their byte length, not by number', () => {
    const lru = new ByteLru(100);
    lru.set('a', bytes(60));
    lru.set('b', bytes(30));
    expect(lru.size).toBe(90);
    expect(lru.count).toBe(2);
    lru.set('c', bytes(20));
    expect([...lru.entries()].map(([k]) => k)).toEqual(['b', 'c']);
    expect(lru.size).toBe(50);
  });

  it('evicts the least recently used entry first, where a get counts as a use', () => {
    const lru = new ByteLru(30);
    lru.set('a', bytes(10));
    lru.set('b', bytes(10));
    lru.set('c', bytes(10));
    expect(lru.get('a')).toBeDefined();
    lru.set('d', bytes(10));
    expect(lru.get('b')).toBeUndefined();
    expect([...lru.entries()].map(([k]) => k)).toEqual(['c', 'a', 'd']);
  });

  it('does not keep an entry larger than the whole budget, and drops the older value under its key', () => {
    const lru = new ByteLru(50);
    lru.set('small', bytes(10));
    lru.set('big', bytes(40, 1));
    lru.set('big', bytes(51, 2));
    expect(lru.get('big')).toBeUndefined();
    expect(lru.get('small')).toBeDefined();
    expect(lru.size).toBe(10);
  });

  it('replacing a key re-accounts its size', () => {
    const lru = new ByteLru(100);
    lru.set('a', bytes(70));
    lru.set('a', bytes(20));
    expect(lru.size).toBe(20);
    expect(lru.count).toBe(1);
  });

  it('misses an expired entry and frees its bytes', () => {
    let now = 1000;
    const lru = new ByteLru(100, () => now);
    lru.set('ttl', bytes(10), 1500);
    lru.set('forever', bytes(10));
    now = 1500;
    expect(lru.get('ttl')).toBeDefined();
    now = 1501;
    expect(lru.get('ttl')).toBeUndefined();
    expect(lru.get('forever')).toBeDefined();
    expect(lru.size).toBe(10);
  });

  it('drops a namespace by key prefix', () => {
    const lru = new ByteLru(100);
    lru.set('tok:1:a', bytes(5));
    lru.set('tok:2:b', bytes(5));
    lru.set('sym:1:a', bytes(5));
    lru.deletePrefix('tok:');
    expect([...lru.entries()].map(([k]) => k)).toEqual(['sym:1:a']);
    expect(lru.size).toBe(5);
  });

  it('with a budget of 0 keeps nothing', () => {
    const lru = new ByteLru(0);
    lru.set('a', bytes(1));
    expect(lru.count).toBe(0);
    lru.set('empty', bytes(0));
    expect(lru.size).toBe(0);
  });

  it('never exceeds its byte budget, and its accounted size is the sum of its entries (property)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 20 }), size: fc.integer({ min: 0, max: 300 }) }),
      fc.record({ kind: fc.constant('get' as const), key: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 20 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.array(op, { maxLength: 200 }), (budget, ops) => {
        const lru = new ByteLru(budget);
        const lastSet = new Map<string, number>();
        for (const o of ops) {
          const key = `k${o.key}`;
          if (o.kind === 'set') {
            lru.set(key, bytes(o.size, o.key));
            lastSet.set(key, o.size);
          } else if (o.kind === 'get') {
            const got = lru.get(key);
            // A hit is always the latest value written under the key.
            if (got !== undefined) expect(got.byteLength).toBe(lastSet.get(key));
          } else {
            lru.delete(key);
            lastSet.delete(key);
          }
          expect(lru.size).toBeLessThanOrEqual(budget);
          expect(lru.size).toBe(heldBytes(lru));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the most recently used entries that fit, in order (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 60 }), (budget, sizes) => {
        const lru = new ByteLru(budget);
        sizes.forEach((size, i) => lru.set(`k${i}`, bytes(size)));
        // Model: walk back from the newest insert; keep while the total fits; skip entries larger than the budget.
        const expected: string[] = [];
        let total = 0;
        for (let i = sizes.length - 1; i >= 0; i--) {
          const size = sizes[i] as number;
          if (size > budget) continue;
          if (total + size > budget) break;
          total += size;
          expected.unshift(`k${i}`);
        }
        expect([...lru.entries()].map(([k]) => k)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
