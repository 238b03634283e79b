import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { packr } from '../../src/util/packr.js';
import { unpackr } from '../../src/util/unpackr.js';
import {
  StringColumnWriter,
  checkStringColumn,
  columnLength,
  columnStrings,
  findInColumn,
  lowerBoundInColumn,
  stringAt,
  toStringColumn,
} from '../../src/index/stringColumn.js';

/** A column as it comes back from disk. */
function roundTrip(strings: string[]) {
  return checkStringColumn(unpackr.unpack(packr.pack(toStringColumn(strings))), strings.length);
}

describe('string columns', () => {
  it('give back every string, multi-byte and empty ones included, after msgpack', () => {
    const strings = ['', 'alpha', 'β-γ', '日本語', '😀 emoji', '', 'a\nb\0c'];
    const c = roundTrip(strings);
    expect(columnLength(c)).toBe(strings.length);
    expect(columnStrings(c)).toEqual(strings);
    expect(stringAt(c, 3)).toBe('日本語');
  });

  it('use 16-bit offsets under 64 KiB of text and 32-bit ones above', () => {
    expect(toStringColumn(['a', 'b']).offsets).toBeInstanceOf(Uint16Array);
    const big = toStringColumn(['x'.repeat(40_000), 'y'.repeat(40_000)]);
    expect(big.offsets).toBeInstanceOf(Uint32Array);
    expect(columnStrings(roundTrip(['x'.repeat(40_000), 'y'.repeat(40_000)]))).toEqual(['x'.repeat(40_000), 'y'.repeat(40_000)]);
  });

  it('copy entries of other columns as bytes, in any mix with added strings', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 30 }),
        fc.array(fc.oneof(fc.string(), fc.tuple(fc.nat(), fc.nat())), { maxLength: 30 }),
        (source, ops) => {
          const from = toStringColumn(source);
          const w = new StringColumnWriter(2, 4);
          const expected: string[] = [];
          for (const op of ops) {
            if (typeof op === 'string') {
              w.add(op);
              expected.push(op);
            } else if (source.length > 0) {
              const a = op[0] % source.length;
              const b = a + (op[1] % (source.length - a + 1));
              w.copy(from, a, b);
              expected.push(...source.slice(a, b));
            }
          }
          expect(w.size).toBe(expected.length);
          expect(columnStrings(w.column())).toEqual(expected);
          if (expected.length > 1) expect(columnStrings(w.slice(1, expected.length))).toEqual(expected.slice(1));
        },
      ),
    );
  });

  it('find a key, or where it would go, in a sorted column', () => {
    const keys = ['apple', 'banana', 'cherry', 'date'];
    const c = roundTrip(keys);
    expect(findInColumn(c, 'cherry')).toBe(2);
    expect(findInColumn(c, 'coconut')).toBe(-1);
    expect(lowerBoundInColumn(c, 'coconut')).toBe(3);
    expect(lowerBoundInColumn(c, 'zebra')).toBe(4);
    expect(lowerBoundInColumn(c, '')).toBe(0);
  });

  it('refuse offsets that go back, start past 0, run past the bytes or miscount', () => {
    const blob = Buffer.from('abcdef');
    expect(() => checkStringColumn({ blob, offsets: Uint32Array.from([0, 4, 2]) })).toThrow(/go back/);
    expect(() => checkStringColumn({ blob, offsets: Uint32Array.from([1, 2]) })).toThrow(/start at 0/);
    expect(() => checkStringColumn({ blob, offsets: Uint32Array.from([0, 7]) })).toThrow(/past its bytes/);
    expect(() => checkStringColumn({ blob, offsets: Uint32Array.from([0, 6]) }, 2)).toThrow(/2 strings/);
    expect(() => checkStringColumn({ blob: 'abc', offsets: Uint32Array.from([0, 3]) })).toThrow(/bytes/);
    expect(() => checkStringColumn({ blob, offsets: [0, 3] })).toThrow(/offsets/);
    expect(() => checkStringColumn(null)).toThrow(/string column/);
  });
});
