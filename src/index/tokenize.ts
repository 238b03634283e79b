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

/** Scratch space for part boundaries: [start, end) pairs. A word has at most MAX_TERM characters. */
const PARTS = new Int32Array(MAX_TERM * 2 + 2);

/**
 * Finds the parts of the identifier text[from, to) into PARTS and returns how many: camelCase, acronyms
 * (`HTTPServer` → HTTP, Server), letters/digits, `_`. One-character parts are dropped; a word that is a single
 * part has no parts (0).
 */
function splitRanges(text: string, from: number, to: number): number {
  let count = 0;
  let start = -1;
  let prev = Cls.Sep;
  for (let i = from; i < to; i++) {
    const c = cls(text.charCodeAt(i));
    if (c === Cls.Sep) {
      if (start >= 0 && i - start >= MIN_TERM) ((PARTS[count * 2] = start), (PARTS[count * 2 + 1] = i), count++);
      start = -1;
      prev = Cls.Sep;
      continue;
    }
    if (start < 0) {
      start = i;
    } else if (c !== prev) {
      let cut = -1;
      if (c === Cls.Upper && prev === Cls.Lower) cut = i;
      // "HTTPServer": the last capital starts the next part.
      else if (c === Cls.Lower && prev === Cls.Upper && i - start > 1) cut = i - 1;
      else if (c === Cls.Digit || prev === Cls.Digit) cut = i;
      // Non-ASCII letters stay glued to their neighbours.
      if (cut >= 0) {
        if (cut - start >= MIN_TERM) ((PARTS[count * 2] = start), (PARTS[count * 2 + 1] = cut), count++);
        start = cut;
      }
    }
    prev = c;
  }
  if (start >= 0 && to - start >= MIN_TERM) ((PARTS[count * 2] = start), (PARTS[count * 2 + 1] = to), count++);
  if (count === 1 && PARTS[0] === from && PARTS[1] === to) return 0;
  return count;
}

/**
 * The parts of an identifier, lowercased unless `lower` is false, in order: `parseHTTPResponse` → parse, http,
 * response; `snake_case` → snake, case; `base64Url` → base, 64, url. Empty when the word is a single part.
 */
export function splitIdentifier(word: string, lower = true): string[] {
  if (word.length > MAX_TERM) return [];
  const n = splitRanges(word, 0, word.length);
  const parts: string[] = [];
  for (let k = 0; k < n; k++) {
    const part = word.slice(PARTS[k * 2]!, PARTS[k * 2 + 1]!);
    parts.push(lower ? part.toLowerCase() : part);
  }
  return parts;
}

/** Counts of terms for one field of one file. */
export type TermCounts = Map<string, number>;

/**
 * Adds every term of `text` (words and their parts) to `counts`; returns the number of tokens added.
 * The hot loop of indexing: no per-word closures. Each term is sliced from `text` and then lowercased: slicing
 * a lowercased copy of the whole text instead hits a V8 slow path (measured 300× slower on eslint's sources).
 */
export function addTerms(text: string, counts: TermCounts): number {
  const n = text.length;
  let tokens = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128 ? WORD[c] === 0 : !isWordAt(text, c)) {
      i++;
      continue;
    }
    const start = i;
    // Track on the way whether the word has an inner boundary (underscore, case or letter/digit change).
    let prev = cls(c);
    let boundary = false;
    i++;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d < 128 ? WORD[d] === 0 : !isWordAt(text, d)) break;
      if (!boundary) {
        const k = cls(d);
        if (k === Cls.Sep || (k !== prev && !(prev === Cls.Upper && (k === Cls.Upper || (k === Cls.Lower && i === start + 1)))))
          boundary = true;
        prev = k;
      }
      i++;
    }
    const len = i - start;
    if (len < MIN_TERM || len > MAX_TERM) continue;
    const word = text.slice(start, i).toLowerCase();
    counts.set(word, (counts.get(word) ?? 0) + 1);
    tokens++;
    if (boundary || cls(c) === Cls.Sep) {
      const parts = splitRanges(text, start, i);
      for (let k = 0; k < parts; k++) {
        const ps = PARTS[k * 2]!;
        const pe = PARTS[k * 2 + 1]!;
        const part = text.slice(ps, pe).toLowerCase();
        counts.set(part, (counts.get(part) ?? 0) + 1);
        tokens++;
      }
    }
  }
  return tokens;
}
