// Which lines of a file a query matches: words as whole words or identifier parts, phrases, regexes.
import { forEachWord, splitIdentifier } from '../index/tokenize.js';
import type { Query } from './queryParser.js';

export interface LineMatch {
  /** 1-based line number. */
  line: number;
  text: string;
}

/** Tests whether `text` holds `word` as a whole word or as a part of an identifier. */
function makeWordTest(words: string[], caseSensitive: boolean): (text: string) => Set<string> {
  const wanted = caseSensitive ? words : words.map((w) => w.toLowerCase());
  const wantedSet = new Set(wanted);
  return (text: string) => {
    const found = new Set<string>();
    const hay = caseSensitive ? text : text.toLowerCase();
    // Cheap pre-check: a line without any wanted substring cannot match.
    if (!wanted.some((w) => hay.includes(w))) return found;
    forEachWord(text, (s, e) => {
      const word = text.slice(s, e);
      const w = caseSensitive ? word : word.toLowerCase();
      if (wantedSet.has(w)) found.add(w);
      for (const part of splitIdentifier(word, !caseSensitive)) if (wantedSet.has(part)) found.add(part);
    });
    return found;
  };
}

function phraseRegex(phrase: string, caseSensitive: boolean): RegExp {
  const escaped = phrase
    .trim()
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\s+/g, '\\s+');
  return new RegExp(escaped, caseSensitive ? 'u' : 'iu');
}

export interface ContentMatcher {
  /** Whether the whole text satisfies the parts of the query that the index cannot check alone. */
  verify(text: string): boolean;
  /** The matching lines. */
  lines(text: string, extraLines: Set<number>, max: number): LineMatch[];
  /** True when verify() is needed (phrases, regexes, case:yes). */
  readonly needsVerify: boolean;
}

export function contentMatcher(q: Query): ContentMatcher {
  const words = [...new Set(q.caseSensitive ? q.words : q.words.map((w) => w.toLowerCase()))];
  const wordTest = makeWordTest(words, q.caseSensitive);
  const phrases = q.phrases.map((p) => phraseRegex(p, q.caseSensitive));
  // The parser allows only i, m and s, so test() keeps no state between lines.
  const regexes = q.regexes;
  return {
    needsVerify: q.phrases.length > 0 || q.regexes.length > 0 || q.caseSensitive,
    verify(text) {
      if (!phrases.every((p) => p.test(text))) return false;
      if (!regexes.every((r) => r.test(text))) return false;
      if (q.caseSensitive && words.length > 0) {
        const found = new Set<string>();
        for (const line of text.split('\n')) for (const w of wordTest(line)) found.add(w);
        if (!words.every((w) => found.has(w))) return false;
      }
      return true;
    },
    lines(text, extraLines, max) {
      const out: LineMatch[] = [];
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const raw = lines[i]!;
        const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        const hit =
          extraLines.has(i + 1) ||
          (words.length > 0 && wordTest(line).size > 0) ||
          phrases.some((p) => p.test(line)) ||
          regexes.some((r) => r.test(line));
        if (hit) {
          out.push({ line: i + 1, text: line });
          if (max > 0 && out.length >= max) break;
        }
      }
      return out;
    },
  };
}
