import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRows, sortRows, type SymRow } from '../../src/index/builder.js';

const row = fc.record({
  name: fc.constantFrom('a', 'A', 'b', 'ab', 'aB', 'z', 'é', 'Z_1', '$x', 'ä'),
  file: fc.nat(6),
  line: fc.nat(40),
  kind: fc.nat(5),
});

describe('symbol table order', () => {
  it('sortRows gives what a stable sort by (key, file, line) gives, ties in input order', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 200 }), (specs) => {
        const rows: SymRow[] = specs.map((s, i) => ({
          key: s.name.toLowerCase(),
          name: s.name,
          file: s.file,
          line: s.line,
          endLine: s.line + i,
          kind: s.kind,
          exported: 0,
          doc: '',
        }));
        expect(sortRows(rows)).toEqual(rows.slice().sort(compareRows));
      }),
      { numRuns: 500, seed: 42 },
    );
  });
});
