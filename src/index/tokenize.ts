// Identifier-aware tokenizer: a word is a run of [A-Za-z0-9_] (plus non-ASCII letters and digits), the same
// notion of "word" as `rg -w`; each word is a term, and so is each of its camelCase/snake_case/digit parts.

/** Words shorter than this or longer than MAX_TERM are not indexed (noise, base64 blobs). */
export const MIN_TERM = 2;
export const MAX_TERM = 64;

const WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  WORD[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ? 1 : 0;
}
const NON_ASCII_WORD = /[\p{L}\p{N}\p{M}]/u;

/** Whether the UTF-16 code unit `c` (at `s[i]`) is part of a word. */
function isWordAt(s: string, c: number): boolean {
  if (c < 128) return WORD[c] === 1;
  // Surrogates: treat a pair as one letter-ish unit; rare in code, and rg treats most of them as word chars.
  if (c >= 0xd800 && c <= 0xdfff) return true;
  return NON_ASCII_WORD.test(String.fromCharCode(c));
}

/** Calls `onWord(start, end)` for every word in `text`. */
export function forEachWord(text: string, onWord: (start: number, end: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!isWordAt(text, c)) {
      i++;
      continue;
    }
    const start = i;
    i++;
    while (i < n && isWordAt(text, text.charCodeAt(i))) i++;
    onWord(start, i);
  }
}

const enum Cls {
  Lower,
  Upper,
  Digit,
  Other,
  Sep,
}

function cls(c: number): Cls {
  if (c >= 97 && c <= 122) return Cls.Lower;
  if (c >= 65 && c <= 90) return Cls.Upper;
  if (c >= 48 && c <= 57) return Cls.Digit;
  if (c === 95) return Cls.Sep;
  return Cls.Other;
}

/**
 * The parts of an identifier, lowercased, in order: `parseHTTPResponse` → parse, http, response;
 * `snake_case` → snake, case; `base64Url` → base, 64, url. Letters and digits split; one-character parts are dropped.
 * Returns an empty array when the word is a single part (the word itself is the only term).
 */
export function splitIdentifier(word: string, lower = true): string[] {
  const parts: string[] = [];
  const n = word.length;
  let start = -1;
  let prev = Cls.Sep;
  const push = (end: number): void => {
    if (start >= 0 && end - start >= MIN_TERM) parts.push(lower ? word.slice(start, end).toLowerCase() : word.slice(start, end));
    start = -1;
  };
  for (let i = 0; i < n; i++) {
    const c = cls(word.charCodeAt(i));
    if (c === Cls.Sep) {
      push(i);
      prev = Cls.Sep;
      continue;
    }
    if (start < 0) {
      start = i;
    } else if (c !== prev) {
      if (c === Cls.Upper && prev === Cls.Lower) push(i), (start = i);
      else if (c === Cls.Lower && prev === Cls.Upper && i - start > 1) {
        // "HTTPServer": the last capital starts the next part.
        push(i - 1);
        start = i - 1;
      } else if (c === Cls.Digit || prev === Cls.Digit) push(i), (start = i);
      else if (c === Cls.Other || prev === Cls.Other) {
        // non-ASCII letters stay glued to their neighbours
      }
    }
    prev = c;
  }
  push(n);
  if (parts.length === 1 && parts[0] === (lower ? word.toLowerCase() : word)) return [];
  return parts;
}

/** Counts of terms for one field of one file. */
export type TermCounts = Map<string, number>;

/** Adds every term of `text` (words and their parts) to `counts`; returns the number of tokens added. */
export function addTerms(text: string, counts: TermCounts): number {
  let tokens = 0;
  forEachWord(text, (start, end) => {
    const len = end - start;
    if (len < MIN_TERM || len > MAX_TERM) return;
    const word = text.slice(start, end);
    const lower = word.toLowerCase();
    counts.set(lower, (counts.get(lower) ?? 0) + 1);
    tokens++;
    if (hasInnerBoundary(word)) {
      for (const part of splitIdentifier(word)) {
        counts.set(part, (counts.get(part) ?? 0) + 1);
        tokens++;
      }
    }
  });
  return tokens;
}

/** Cheap pre-check: does the word have an underscore, a case change or a letter/digit change inside? */
function hasInnerBoundary(word: string): boolean {
  let prev = cls(word.charCodeAt(0));
  for (let i = 1; i < word.length; i++) {
    const c = cls(word.charCodeAt(i));
    if (c !== prev && !(prev === Cls.Upper && c === Cls.Upper)) {
      if (!(prev === Cls.Upper && c === Cls.Lower && i === 1)) return true;
    }
    if (c === Cls.Sep) return true;
    prev = c;
  }
  return false;
}

/** The terms a query word is looked up by: the lowercased word (its parts are matched by the index). */
export function queryTerm(word: string): string {
  return word.toLowerCase();
}
