// Reads one file and turns its bytes into a FileAnalysis: skip rules, content hash, terms per field, symbols.
import { hash as cryptoHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { TermTable } from './tokenize.js';
import { isParsed, type Language } from './language.js';
import { parseSource } from './parse.js';
import { CONTENT_FIELDS, type FileAnalysis, type SkipReason } from './analysis.js';
import type { SkipRules } from './skipRules.js';

export { DEFAULT_SKIP_RULES, type SkipRules } from './skipRules.js';

/** Content hash used for cache keys and change detection. */
export function contentHash(buf: Buffer): string {
  return cryptoHash('sha1', buf, 'hex');
}

/**
 * Why these bytes are not source, or null when they are; also the line count. Minified or generated code is
 * told by its lines: an average over `maxAvgLineChars`, or lines over `maxLineChars` holding most of the bytes
 * (a readable file with one long line, say an inlined data URL, is still indexed).
 */
export function classify(buf: Buffer, rules: SkipRules): { reason: SkipReason | null; lines: number } {
  if (buf.length > rules.maxFileBytes) return { reason: 'too-large', lines: 0 };
  if (buf.indexOf(0) !== -1) return { reason: 'binary', lines: 0 };
  if (!isUtf8(buf)) return { reason: 'invalid-utf8', lines: 0 };
  let lines = 0;
  let longBytes = 0;
  let pos = 0;
  for (;;) {
    const nl = buf.indexOf(10, pos);
    const end = nl === -1 ? buf.length : nl;
    // Byte lengths overestimate characters for non-ASCII text, which only matters near the limits.
    if (end - pos > rules.maxLineChars) longBytes += end - pos;
    if (nl === -1) {
      if (end > pos) lines++;
      break;
    }
    lines++;
    pos = nl + 1;
  }
  if (longBytes * 2 > buf.length) return { reason: 'minified', lines };
  if (buf.length > 2048 && lines > 0 && buf.length / lines > rules.maxAvgLineChars) return { reason: 'minified', lines };
  return { reason: null, lines };
}

/** Terms and symbols of a source text. */
export function analyzeText(text: string, lang: Language, lines: number): FileAnalysis {
  // One table for the three content fields (CONTENT_FIELDS order): body terms first, in order of first sight.
  const table = new TermTable(CONTENT_FIELDS.length, text.length >> 4);
  const fieldLen = new Uint32Array(CONTENT_FIELDS.length);
  fieldLen[0] = table.add(text, 0);
  const analysis: FileAnalysis = { lang, lines, terms: [], tf: new Uint32Array(0), fieldLen, symbols: [], imports: [], exports: [] };
  if (isParsed(lang)) {
    const parsed = parseSource(text, lang);
    analysis.symbols = parsed.symbols;
    analysis.imports = parsed.imports;
    analysis.exports = parsed.exports;
    if (parsed.error !== undefined) analysis.parseError = parsed.error;
    let symLen = 0;
    for (const s of parsed.symbols) symLen += table.add(s.name, 1);
    fieldLen[1] = symLen;
    fieldLen[2] = table.add(parsed.docText, 2);
  }
  analysis.terms = table.terms;
  analysis.tf = table.tf();
  return analysis;
}
