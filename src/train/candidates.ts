// The candidates a word query gets from plain BM25F, exactly as `quarry search` ranks them (every word must
// match; ties by path order), cut to the top K: the list the model learns to re-order.
import type { IndexReader } from '../index/reader.js';
import { decodePostings, intersect, type Postings } from '../search/postings.js';
import { idf, termScore } from '../search/bm25f.js';

/** A query's distinct terms with their postings, in the order search scores them (rarest first). */
export interface QueryTerms {
  terms: string[];
  postings: Postings[];
  idfs: Float64Array;
}

export interface Candidates extends QueryTerms {
  /** Top K files by BM25F, best first. */
  docs: Uint32Array;
  /** Their BM25F scores. */
  bm25: Float64Array;
  /** Files that matched before the cut. */
  matched: number;
}

/** Decoded postings by term (null: not in the index), kept across the queries of a training run. */
export type PostingsCache = Map<string, { term: string; df: number; p: Postings } | null>;

/** Looks up the distinct lowercased `words`; null when one of them is not in the index (no file matches). */
export function queryTerms(reader: IndexReader, words: readonly string[], cache?: PostingsCache): QueryTerms | null {
  const n = reader.fileCount;
  const list: { term: string; df: number; p: Postings }[] = [];
  for (const term of new Set(words.map((w) => w.toLowerCase()))) {
    let t = cache?.get(term);
    if (t === undefined) {
      const e = reader.lookupTerm(term);
      t = e ? { term, df: e.df, p: decodePostings(e.postings, e.df, n) } : null;
      cache?.set(term, t);
    }
    if (t === null) return null;
    list.push(t);
  }
  list.sort((a, b) => a.df - b.df);
  return {
    terms: list.map((t) => t.term),
    postings: list.map((t) => t.p),
    idfs: Float64Array.from(list, (t) => idf(t.df, n)),
  };
}

/** Plain BM25F top `k` for a word query (no sym:, path: or filters), or null when nothing matches. */
export function retrieve(
  reader: IndexReader,
  words: readonly string[],
  k: number,
  fieldLen: Uint32Array,
  cache?: PostingsCache,
): Candidates | null {
  const qt = queryTerms(reader, words, cache);
  if (qt === null || qt.terms.length === 0) return null;
  let docs: Uint32Array = qt.postings[0]!.docs;
  for (let t = 1; t < qt.postings.length; t++) docs = intersect(docs, qt.postings[t]!.docs);
  if (docs.length === 0) return null;
  const avg = reader.header.avgFieldLen;
  const scores = new Float64Array(docs.length);
  const cursors = new Int32Array(qt.postings.length);
  for (let c = 0; c < docs.length; c++) {
    const doc = docs[c]!;
    let s = 0;
    for (let t = 0; t < qt.postings.length; t++) {
      const p = qt.postings[t]!;
      const i = seekDoc(p.docs, doc, cursors[t]!);
      cursors[t] = i;
      s += termScore(p, i, doc, fieldLen, avg, qt.idfs[t]!);
    }
    scores[c] = s;
  }
  const order = Uint32Array.from(docs.keys()).sort((a, b) => scores[b]! - scores[a]! || docs[a]! - docs[b]!);
  const top = Math.min(k, order.length);
  const outDocs = new Uint32Array(top);
  const outScores = new Float64Array(top);
  for (let r = 0; r < top; r++) {
    outDocs[r] = docs[order[r]!]!;
    outScores[r] = scores[order[r]!]!;
  }
  return { ...qt, docs: outDocs, bm25: outScores, matched: docs.length };
}

/** Position of `doc` in ascending `docs` at or after `from` (binary search). */
export function seekDoc(docs: Uint32Array, doc: number, from = 0): number {
  let lo = from;
  let hi = docs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (docs[mid]! < doc) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
