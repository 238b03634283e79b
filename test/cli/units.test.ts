import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCount } from '../../commands/units.js';

describe('formatCount', () => {
  it('groups thousands with commas exactly as en-US toLocaleString does, for any whole number', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
      }),
      { numRuns: 2000 },
    );
  });
});
