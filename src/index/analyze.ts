// Turns one file's text into a FileAnalysis: terms per field, symbols, imports and exports.
import { TermTable } from './tokenize.js';
import { isParsed, type Language } from './language.js';
import { parseSource } from './parse.js';
import { CONTENT_FIELDS, type FileAnalysis } from './analysis.js';

/** Terms and symbols of a source text. */
export function analyzeText(text: string, lang: Language, lines: number): FileAnalysis {
  // One table for the three content fields (CONTENT_FIELDS order): body terms first, in order of first sight.
  const table = new TermTable(CONTENT_FIELDS.length, text.length >> 4);
  const fieldLen = new Uint32Array(CONTENT_FIELDS.length);
  fieldLen[0] = table.add(text, 0);
  const parsed = isParsed(lang) ? parseSource(text, lang) : null;
  if (parsed !== null) {
    // One flat string for all names: babel's names are slices of the source, and a tokenizer fed thousands of
    // short sliced strings ran ~30% slower than on one joined string. No term spans the newlines.
    fieldLen[1] = table.add(parsed.symbols.map((s) => s.name).join('\n'), 1);
    fieldLen[2] = table.add(parsed.docText, 2);
  }
  // Every field set here, in fromCached's order: one object shape for fresh and cached analyses alike (see FileAnalysis).
  return {
    lang,
    lines,
    terms: table.terms,
    tf: table.tf(),
    fieldLen,
    symbols: parsed?.symbols ?? [],
    imports: parsed?.imports ?? [],
    exports: parsed?.exports ?? [],
    parseError: parsed?.error,
    termHashes: table.termHashes(),
  };
}
