import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCount, parseByteSize } from '../../commands/units.js';

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

describe('parseByteSize', () => {
  it('reads bytes and K/M/G sizes (powers of 1024, any case, KiB/MiB/GiB too), as ripgrep --max-filesize does', () => {
    expect(parseByteSize('2097152')).toBe(2 * 1024 * 1024);
    expect(parseByteSize('2M')).toBe(2 * 1024 * 1024);
    expect(parseByteSize('2m')).toBe(2 * 1024 * 1024);
    expect(parseByteSize('512K')).toBe(512 * 1024);
    expect(parseByteSize('1GiB')).toBe(1024 ** 3);
    expect(parseByteSize(' 3 ')).toBe(3);
  });
  it('refuses anything else: units it does not know, fractions, signs, empty, unsafe sizes', () => {
    for (const bad of ['', 'M', '2MB', '2T', '1.5M', '-1', '+2', '2 M', '0x10', '1e3', '99999999999999999G'])
      expect(parseByteSize(bad)).toBeNull();
  });
  it('gives n × 1024^k for any n and unit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 20 }),
        fc.constantFrom(['', 1], ['K', 1024], ['m', 1024 ** 2], ['GiB', 1024 ** 3]),
        (n, [u, f]) => {
          expect(parseByteSize(`${n}${u as string}`)).toBe(n * (f as number));
        },
      ),
    );
  });
});
