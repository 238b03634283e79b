// Features of (query, candidate file) for the ranking model, written into one Float32Array row per candidate.
// Shared by training and by search's re-ranking, so both see the same numbers for the same pair.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IndexReader } from '../index/reader.js';
import { LANGUAGES } from '../index/language.js';
import { forEachWord, splitIdentifier, MAX_TERM, MIN_TERM } from '../index/tokenize.js';
import { fieldTermScore } from '../search/bm25f.js';
import type { Postings } from '../search/postings.js';
import type { QueryTerms } from './candidates.js';
import { seekDoc } from './candidates.js';

/** Feature names, in row order. A model stores the list it was fitted on and is refused if it differs. */
export const FEATURES = [
  'bm25f',
  'bm25_path',
  'bm25_body',
  'bm25_symbols',
  'bm25_doc',
  'sym_exact',
  'sym_exact_exported',
  'sym_exact_callable',
  'sym_exact_type',
  'cover_symbols',
  'cover_doc',
  'cover_path',
  'base_match',
  'proximity',
  'log_length',
  'is_test',
  'is_generated',
  'depth',
  'is_code',
] as const;
export const NF = FEATURES.length;

/**
 * Features whose weight may not go below 0: evidence that the query names this file. Training queries equal to a
 * file name are dropped (too easy to measure anything), which leaves name matches looking like a bad sign; left
 * free, the model learned to push `queryParser.ts` down for the query "query parser".
 */
export const NON_NEGATIVE: readonly (typeof FEATURES)[number][] = [
  'bm25_path',
  'sym_exact',
  'cover_symbols',
  'cover_doc',
  'cover_path',
  'base_match',
  'proximity',
];

/** At most this many positions per term per file are kept for proximity (a term on every line tells little more). */
const MAX_POSITIONS = 1024;

interface PathInfo {
  /** Base name without extensions, lowercased, letters and digits only (`parse-response.ts` → parseresponse). */
  compact: string;
  /** Terms of the base name (words and identifier parts). */
  baseTerms: Set<string>;
  isTest: number;
  isGenerated: number;
  depth: number;
  isCode: number;
}

const TEST_PATH = /(^|\/)(test|tests|__tests__|spec|specs|__mocks__|fixtures?)\/|\.(test|spec)\.[cm]?[jt]sx?$/i;
const GENERATED_PATH = /(^|\/)(dist|build|out|generated|vendor)\/|\.min\.[cm]?js$|\.d\.[cm]?ts$|\.generated\./i;
const CODE_LANGS = new Set(['js', 'jsx', 'ts', 'tsx', 'dts']);

/** The terms of a piece of text as the index makes them: each word lowercased, then its identifier parts. */
export function termsOf(text: string): string[] {
  const out: string[] = [];
  forEachWord(text, (s, e) => {
    if (e - s < MIN_TERM || e - s > MAX_TERM) return;
    const w = text.slice(s, e);
    out.push(w.toLowerCase());
    for (const part of splitIdentifier(w)) out.push(part);
  });
  return out;
}

/** Per-file facts the features need, read from the index once and kept (training asks about a file many times). */
export class FeatureSource {
  private readonly pathInfos = new Map<number, PathInfo>();
  private readonly positions = new Map<number, Map<string, Int32Array>>();
  readonly fieldLen: Uint32Array;
  private readonly lang: Uint8Array;
  private readonly avg: number[];

  /**
   * @param vocabulary the terms proximity may be asked about (training: every query's terms); files are
   *   tokenized once for it. Search passes its query's terms.
   * @param keep keep each file's positions for later queries (training), or not (search: one query).
   */
  constructor(
    readonly reader: IndexReader,
    readonly root: string,
    private readonly vocabulary: Set<string>,
    private readonly keep = true,
  ) {
    this.fieldLen = reader.fieldLen();
    this.lang = reader.files().lang;
    this.avg = reader.header.avgFieldLen;
  }

  pathInfo(doc: number): PathInfo {
    let info = this.pathInfos.get(doc);
    if (info) return info;
    const path = this.reader.pathOf(doc);
    const base = path.slice(path.lastIndexOf('/') + 1);
    const stem = base.includes('.') ? base.slice(0, base.indexOf('.')) || base : base;
    info = {
      compact: stem.toLowerCase().replace(/[^\p{L}\p{N}]/gu, ''),
      baseTerms: new Set(termsOf(stem)),
      isTest: TEST_PATH.test(path) ? 1 : 0,
      isGenerated: GENERATED_PATH.test(path) ? 1 : 0,
      depth: path.split('/').length - 1,
      isCode: CODE_LANGS.has(LANGUAGES[this.lang[doc]!] ?? 'text') ? 1 : 0,
    };
    this.pathInfos.set(doc, info);
    return info;
  }

  /**
   * Where the vocabulary's terms occur in the file's text: the character offset of each word that is the term
   * or has it as an identifier part (a word's parts share its offset). Found with indexOf on the lowercased
   * text, then checked against the word around each hit: a file is never tokenized whole.
   */
  termPositions(doc: number): Map<string, Int32Array> {
    const hit = this.positions.get(doc);
    if (hit) return hit;
    let text = '';
    try {
      text = readFileSync(join(this.root, this.reader.pathOf(doc)), 'utf8');
    } catch {
      // Gone since indexing: no positions, proximity 0.
    }
    const out = wordOffsets(text, this.vocabulary);
    if (this.keep) this.positions.set(doc, out);
    return out;
  }

  /** Files defining a symbol named `key` (case-insensitive), with the most telling definition per file. */
  exactDefinitions(key: string): Map<number, { exported: boolean; callable: boolean; type: boolean }> {
    const out = new Map<number, { exported: boolean; callable: boolean; type: boolean }>();
    if (key.length === 0) return out;
    for (const s of this.reader.lookupSymbols(key, false, 1000)) {
      const prev = out.get(s.file);
      const cur = {
        exported: s.exported || (prev?.exported ?? false),
        callable: s.kind === 'function' || s.kind === 'method' || (prev?.callable ?? false),
        type: s.kind === 'class' || s.kind === 'interface' || s.kind === 'type' || s.kind === 'enum' || (prev?.type ?? false),
      };
      out.set(s.file, cur);
    }
    return out;
  }

  get avgFieldLen(): number[] {
    return this.avg;
  }
}

const WORD_ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) WORD_ASCII[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ? 1 : 0;
const NON_ASCII_WORD = /[\p{L}\p{N}\p{M}]/u;

function isWordAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (c < 128) return WORD_ASCII[c] === 1;
  return (c >= 0xd800 && c <= 0xdfff) || NON_ASCII_WORD.test(text[i]!);
}

/** Offsets of the words holding each of `terms` (whole or as an identifier part); see FeatureSource.termPositions. */
export function wordOffsets(text: string, terms: ReadonlySet<string>): Map<string, Int32Array> {
  // Many terms (training's vocabulary): one tokenizing pass beats an indexOf pass per term.
  if (terms.size > FAST_PATH_TERMS) return slowWordOffsets(text, terms);
  const out = new Map<string, Int32Array>();
  const lower = text.toLowerCase();
  // Lowercasing that changes lengths (a few non-ASCII letters) would misplace offsets: tokenize instead.
  if (lower.length !== text.length) return slowWordOffsets(text, terms);
  const found: number[] = [];
  const parts = new Map<string, boolean>();
  for (const term of terms) {
    found.length = 0;
    parts.clear();
    let last = -1;
    for (let i = lower.indexOf(term); i >= 0 && found.length < MAX_POSITIONS; i = lower.indexOf(term, i + 1)) {
      let s = i;
      while (s > 0 && isWordAt(text, s - 1)) s--;
      if (s === last) continue;
      let e = i + term.length;
      while (e < text.length && isWordAt(text, e)) e++;
      if (e - s > MAX_TERM || e - s < MIN_TERM) continue;
      let isPart = e - s === term.length && s === i;
      if (!isPart) {
        // The same identifier comes back many times in a file (context.report, parseQuery): split it once.
        const word = text.slice(s, e);
        let known = parts.get(word);
        if (known === undefined) parts.set(word, (known = splitIdentifier(word).includes(term)));
        isPart = known;
      }
      if (isPart) {
        found.push(s);
        last = s;
      }
    }
    if (found.length > 0) out.set(term, Int32Array.from(found));
  }
  return out;
}

/** Up to this many terms, wordOffsets searches for each; above, it tokenizes the text once. */
const FAST_PATH_TERMS = 16;

export function slowWordOffsets(text: string, vocabulary: ReadonlySet<string>): Map<string, Int32Array> {
  const lists = new Map<string, number[]>();
  const push = (term: string, at: number) => {
    if (!vocabulary.has(term)) return;
    let l = lists.get(term);
    if (!l) lists.set(term, (l = []));
    if (l.length < MAX_POSITIONS && l[l.length - 1] !== at) l.push(at);
  };
  forEachWord(text, (s, e) => {
    if (e - s < MIN_TERM || e - s > MAX_TERM) return;
    const w = text.slice(s, e);
    push(w.toLowerCase(), s);
    for (const part of splitIdentifier(w)) push(part, s);
  });
  const out = new Map<string, Int32Array>();
  for (const [t, l] of lists) out.set(t, Int32Array.from(l));
  return out;
}

/** The body count of `doc` in a term's postings, 0 when the term is not in the file. */
function bodyTf(p: Postings, doc: number): number {
  const i = seekDoc(p.docs, doc);
  return i < p.docs.length && p.docs[i] === doc ? p.tf[i * 4 + 1]! : 0;
}

/** Proximity of a window of `chars` characters: 1 when all terms are in one word, ½ at ~8 characters apart. */
export function proximity(chars: number): number {
  return chars < 0 ? 0 : 1 / (1 + chars / 8);
}

/** Smallest span of word positions holding every list at least once (0: all at one word), or -1 if a list is empty. */
export function minWindow(lists: Int32Array[]): number {
  const k = lists.length;
  if (k === 0) return -1;
  for (const l of lists) if (l.length === 0) return -1;
  if (k === 1) return 0;
  const at = new Int32Array(k);
  let best = Number.POSITIVE_INFINITY;
  for (;;) {
    let lo = 0;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < k; i++) {
      const v = lists[i]![at[i]!]!;
      if (v < min) ((min = v), (lo = i));
      if (v > max) max = v;
    }
    if (max - min < best) best = max - min;
    if (best === 0) return 0;
    at[lo]!++;
    if (at[lo]! >= lists[lo]!.length) return best;
  }
}

/**
 * Writes the features of candidates `docs` for query `q` into `out` from row `row` on (NF floats per row).
 * `bm25` holds each candidate's plain BM25F score, `words` the query's words as typed (for the exact symbol key).
 */
export function extractFeatures(
  src: FeatureSource,
  q: QueryTerms,
  words: readonly string[],
  docs: Uint32Array,
  bm25: Float64Array,
  out: Float32Array,
  row: number,
): void {
  const nt = q.terms.length;
  const key = words.join('').toLowerCase();
  const defs = src.exactDefinitions(key);
  const fieldLen = src.fieldLen;
  const avg = src.avgFieldLen;
  const lists: Int32Array[] = [];
  for (let c = 0; c < docs.length; c++) {
    const doc = docs[c]!;
    const o = (row + c) * NF;
    let path = 0;
    let body = 0;
    let sym = 0;
    let docF = 0;
    let inSym = 0;
    let inDoc = 0;
    let inPath = 0;
    let inBase = 0;
    const info = src.pathInfo(doc);
    for (let t = 0; t < nt; t++) {
      const p = q.postings[t]!;
      const i = seekDoc(p.docs, doc);
      const idf = q.idfs[t]!;
      if (i < p.docs.length && p.docs[i] === doc) {
        path += fieldTermScore(p, i, doc, 0, fieldLen, avg, idf);
        body += fieldTermScore(p, i, doc, 1, fieldLen, avg, idf);
        sym += fieldTermScore(p, i, doc, 2, fieldLen, avg, idf);
        docF += fieldTermScore(p, i, doc, 3, fieldLen, avg, idf);
        if (p.tf[i * 4]! > 0) inPath++;
        if (p.tf[i * 4 + 2]! > 0) inSym++;
        if (p.tf[i * 4 + 3]! > 0) inDoc++;
      }
      if (info.baseTerms.has(q.terms[t]!)) inBase++;
    }
    // Proximity of the terms the text holds: a term found only in the path (queryParser.ts for "parser") is
    // not a reason to call the others far apart; what is missing, the coverage features say. With one term it is
    // only whether the text holds it, which the body count of the postings says without reading the file (the
    // words the index counts are those wordOffsets finds, up to its 64-character limit): a one-word search reads
    // no file for the model.
    let w: number;
    if (nt === 1) w = bodyTf(q.postings[0]!, doc) > 0 ? 0 : -1;
    else {
      const pos = src.termPositions(doc);
      lists.length = 0;
      for (let t = 0; t < nt; t++) {
        const l = pos.get(q.terms[t]!);
        if (l !== undefined) lists.push(l);
      }
      w = minWindow(lists);
    }
    const d = defs.get(doc);
    out[o] = bm25[c]!;
    out[o + 1] = path;
    out[o + 2] = body;
    out[o + 3] = sym;
    out[o + 4] = docF;
    out[o + 5] = d ? 1 : 0;
    out[o + 6] = d?.exported ? 1 : 0;
    out[o + 7] = d?.callable ? 1 : 0;
    out[o + 8] = d?.type ? 1 : 0;
    out[o + 9] = nt === 0 ? 0 : inSym / nt;
    out[o + 10] = nt === 0 ? 0 : inDoc / nt;
    out[o + 11] = nt === 0 ? 0 : inPath / nt;
    out[o + 12] = nt === 0 ? 0 : inBase / nt;
    out[o + 13] = proximity(w);
    out[o + 14] = Math.log1p(fieldLen[doc * 4 + 1]!);
    out[o + 15] = info.isTest;
    out[o + 16] = info.isGenerated;
    out[o + 17] = info.depth;
    out[o + 18] = info.isCode;
  }
}
