// docSummary: the doc comment summary the symbol table keeps, checked against its definition (the regular
// expressions it replaced, kept here as the reference) on real JSDoc shapes and on random comments.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { docSummary } from '../../src/index/parse.js';

/** The definition: every line cleaned, the text trimmed, cut at the first paragraph, folded, first sentence, capped. */
function reference(value: string): string {
  const doc = value
    .split('\n')
    .map((l) => l.replace(/^\s*\*+ ?/, '').trimEnd())
    .join('\n')
    .trim();
  const para = doc.split(/\n\s*\n|\n\s*@/)[0] ?? '';
  const flat = para.replace(/\s+/g, ' ').trim();
  const m = /^(.+?[.!?])(\s|$)/.exec(flat);
  const s = m ? m[1]! : flat;
  return s.length > 240 ? `${s.slice(0, 239)}…` : s;
}

describe('docSummary', () => {
  it('keeps the first sentence of the first paragraph of a JSDoc comment', () => {
    const cases: [string, string][] = [
      ['* Loads the config. Then validates it.\n * @param path where\n ', 'Loads the config.'],
      ['*\n * Loads the config\n * from disk.\n *\n * More text.\n ', 'Loads the config from disk.'],
      ['* Version 1.2 of the API: see e.g. the docs!\n', 'Version 1.2 of the API: see e.g.'],
      ['* @deprecated use load() instead\n', '@deprecated use load() instead'],
      ['*\n * Reads it\n *   @returns the bytes\n', 'Reads it'],
      ['*\r\n * Windows lines.\r\n * Second.\r\n', 'Windows lines.'],
      ['*', ''],
      ['', ''],
      [`* ${'word '.repeat(80)}end.`, `${'word '.repeat(48).slice(0, 239)}…`],
    ];
    for (const [value, want] of cases) {
      expect(docSummary(value)).toBe(want);
      expect(reference(value)).toBe(want);
    }
  });

  it('equals its definition on thousands of random comments', () => {
    const piece = fc.constantFrom(
      ' ',
      '  ',
      '\t',
      '\n',
      '\r\n',
      '*',
      '**',
      ' * ',
      '@',
      '@param x',
      '.',
      '!',
      '?',
      '. ',
      'a',
      'Word',
      'e.g.',
      '\u00a0',
      '\u2028',
      '\u3000',
      '…',
      '🙂',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((p) => p.join('')),
        (value) => {
          expect(docSummary(value)).toBe(reference(value));
        },
      ),
      { numRuns: 5000 },
    );
    // Long single paragraphs, around the 240-character cap.
    fc.assert(
      fc.property(fc.array(fc.constantFrom('ab', ' ', '.', '. ', '\n * ', 'xyz!'), { minLength: 60, maxLength: 200 }), (parts) => {
        const value = `*\n * ${parts.join('')}\n`;
        expect(docSummary(value)).toBe(reference(value));
      }),
      { numRuns: 1000 },
    );
  });
});
