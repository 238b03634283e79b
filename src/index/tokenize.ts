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

/** Per UTF-16 code unit above ASCII: 0 not looked up yet, 1 part of a word, 2 not (a regex test per unit is slow). */
const NON_ASCII_SEEN = new Uint8Array(0x10000);

/** Whether the UTF-16 code unit `c` is part of a word. */
function isWordCode(c: number): boolean {
  if (c < 128) return WORD[c] === 1;
  // Surrogates: treat a pair as one letter-ish unit; rare in code, and rg treats most of them as word chars.
  if (c >= 0xd800 && c <= 0xdfff) return true;
  let seen = NON_ASCII_SEEN[c]!;
  if (seen === 0) NON_ASCII_SEEN[c] = seen = NON_ASCII_WORD.test(String.fromCharCode(c)) ? 1 : 2;
  return seen === 1;
}

/** Calls `onWord(start, end)` for every word in `text`. */
export function forEachWord(text: string, onWord: (start: number, end: number) => void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!isWordCode(c)) {
      i++;
      continue;
    }
    const start = i;
    i++;
    while (i < n && isWordCode(text.charCodeAt(i))) i++;
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

/** cls() of every ASCII code, plus NOT_WORD for the codes that end a word: one load instead of branches. */
const NOT_WORD = 255;
const ASCII_CLASS = new Uint8Array(128).fill(NOT_WORD);
for (let c = 0; c < 128; c++) if (WORD[c] === 1) ASCII_CLASS[c] = cls(c);

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
 * For short texts (paths, queries); a file's text goes through TermTable.
 */
export function addTerms(text: string, counts: TermCounts): number {
  const table = new TermTable(1, 16);
  const tokens = table.add(text, 0);
  const terms = table.terms;
  for (let i = 0; i < terms.length; i++) counts.set(terms[i]!, (counts.get(terms[i]!) ?? 0) + table.counts[i]!);
  return tokens;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;

/** A term's hash in TermIds: FNV-1a of its UTF-16 code units (the term is lowercase already). */
export function termHash(s: string): number {
  let h = FNV_OFFSET;
  for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j), FNV_PRIME);
  return h;
}

/** FNV-1a of text[from, to) lowercased; ASCII only (the caller checked). */
function hashAsciiLower(text: string, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let j = from; j < to; j++) {
    const c = text.charCodeAt(j);
    h = Math.imul(h ^ (c >= 65 && c <= 90 ? c + 32 : c), FNV_PRIME);
  }
  return h;
}

/**
 * Distinct lowercased terms numbered in order of first sight: an open-addressing table over their FNV-1a hashes
 * (termHash), so a term found by its hash is compared in place and a string is made only on first sight. One per
 * file (TermTable) and one per pool thread and index job (analyzeBatch's ThreadTerms, which reuses the file's hashes).
 */
export class TermIds {
  /** Distinct terms, in order of first sight: a term's id is its position. */
  readonly terms: string[] = [];
  /** termHash of each term, by id (the array is longer than `terms`). */
  hashes: Int32Array;
  /** Term id + 1 per slot; 0 is empty. */
  private slots: Int32Array;

  constructor(capacity = 256) {
    const cap = Math.max(16, 1 << Math.ceil(Math.log2(Math.max(1, capacity))));
    this.hashes = new Int32Array(cap);
    this.slots = new Int32Array(cap * 2);
  }

  /** The id of the term text[from, to) lowercased (ASCII only; `h` its termHash), added if new. */
  idOfRange(text: string, from: number, to: number, h: number): number {
    const len = to - from;
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = this.slots[slot]!;
      if (v === 0) return this.insert(slot, text.slice(from, to).toLowerCase(), h);
      const id = v - 1;
      if (this.hashes[id] !== h) continue;
      const t = this.terms[id]!;
      if (t.length !== len) continue;
      let j = 0;
      for (; j < len; j++) {
        const c = text.charCodeAt(from + j);
        if (t.charCodeAt(j) !== (c >= 65 && c <= 90 ? c + 32 : c)) break;
      }
      if (j === len) return id;
    }
  }

  /** The id of the term `s` (already lowercased; `h` its termHash), added if new. */
  idOf(s: string, h: number): number {
    const mask = this.slots.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const v = this.slots[slot]!;
      if (v === 0) return this.insert(slot, s, h);
      if (this.hashes[v - 1] === h && this.terms[v - 1] === s) return v - 1;
    }
  }

  private insert(slot: number, term: string, h: number): number {
    const id = this.terms.length;
    if (id === this.hashes.length) {
      const hashes = new Int32Array(id * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    this.terms.push(term);
    this.hashes[id] = h;
    this.slots[slot] = id + 1;
    // Keep the load under a half: grow and re-place every term.
    if ((id + 1) * 2 > this.slots.length) {
      const slots = new Int32Array(this.slots.length * 2);
      const mask = slots.length - 1;
      for (let k = 0; k <= id; k++) {
        let s = this.hashes[k]! & mask;
        while (slots[s] !== 0) s = (s + 1) & mask;
        slots[s] = k + 1;
      }
      this.slots = slots;
    }
    return id;
  }
}

/**
 * The terms of one file and their counts per field, in order of first sight, keyed by the lowercased term. The hot
 * loop of indexing: an ASCII word is hashed and compared in place, so a string is made only for a term's first
 * occurrence, never per word (a Map costs a slice and a lowercase per word).
 */
export class TermTable {
  readonly ids: TermIds;
  /** `fields` counts per term: counts[term * fields + field]. */
  counts: Uint32Array;

  constructor(
    readonly fields: number,
    capacity = 256,
  ) {
    this.ids = new TermIds(capacity);
    this.counts = new Uint32Array(this.ids.hashes.length * fields);
  }

  /** Distinct terms, in order of first sight. */
  get terms(): string[] {
    return this.ids.terms;
  }

  /** Adds every term of `text` (words and their parts) to `field`; returns the number of tokens added. */
  add(text: string, field: number): number {
    const n = text.length;
    let tokens = 0;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c < 128 ? WORD[c] === 0 : !isWordCode(c)) {
        i++;
        continue;
      }
      const start = i;
      // On the way: whether the word has an inner boundary (underscore, case or letter/digit change), whether
      // it is ASCII, and the hash of its lowercase form.
      let prev = c < 128 ? (ASCII_CLASS[c]! as Cls) : Cls.Other;
      const first = prev;
      let boundary = false;
      let ascii = c < 128;
      let h = Math.imul(FNV_OFFSET ^ (c >= 65 && c <= 90 ? c + 32 : c), FNV_PRIME);
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        let k: number;
        if (d < 128) {
          k = ASCII_CLASS[d]!;
          if (k === NOT_WORD) break;
        } else if (!isWordCode(d)) break;
        else {
          ascii = false;
          k = Cls.Other;
        }
        h = Math.imul(h ^ (k === Cls.Upper ? d + 32 : d), FNV_PRIME);
        if (!boundary) {
          if (k === Cls.Sep || (k !== prev && !(prev === Cls.Upper && (k === Cls.Upper || (k === Cls.Lower && i === start + 1)))))
            boundary = true;
          prev = k;
        }
        i++;
      }
      const len = i - start;
      if (len < MIN_TERM || len > MAX_TERM) continue;
      const split = boundary || first === Cls.Sep;
      if (ascii) {
        this.bump(this.ids.idOfRange(text, start, i, h), field);
        tokens++;
        if (split) {
          const parts = splitRanges(text, start, i);
          for (let k = 0; k < parts; k++) {
            const ps = PARTS[k * 2]!;
            const pe = PARTS[k * 2 + 1]!;
            this.bump(this.ids.idOfRange(text, ps, pe, hashAsciiLower(text, ps, pe)), field);
            tokens++;
          }
        }
      } else {
        // Non-ASCII lowercasing can change length: compare whole strings.
        const word = text.slice(start, i).toLowerCase();
        this.bump(this.ids.idOf(word, termHash(word)), field);
        tokens++;
        if (split) {
          const parts = splitRanges(text, start, i);
          for (let k = 0; k < parts; k++) {
            const part = text.slice(PARTS[k * 2]!, PARTS[k * 2 + 1]!).toLowerCase();
            this.bump(this.ids.idOf(part, termHash(part)), field);
            tokens++;
          }
        }
      }
    }
    return tokens;
  }

  /** The counts of the terms, `fields` per term, trimmed to size. */
  tf(): Uint32Array {
    return this.counts.slice(0, this.terms.length * this.fields);
  }

  /** termHash of each term, in `terms` order. */
  termHashes(): Int32Array {
    return this.ids.hashes.slice(0, this.terms.length);
  }

  private bump(id: number, field: number): void {
    if ((id + 1) * this.fields > this.counts.length) {
      const counts = new Uint32Array(this.ids.hashes.length * this.fields);
      counts.set(this.counts);
      this.counts = counts;
    }
    this.counts[id * this.fields + field]!++;
  }
}
