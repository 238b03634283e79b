// BM25F over the four fields. Field weights and length normalisation live here and nowhere else.
import type { Postings } from './postings.js';

/** Per-field weight (how much a hit in the field counts) and b (how much its length normalises), FIELDS order. */
export const FIELD_WEIGHTS = { path: 2.5, body: 1.0, symbols: 3.0, doc: 1.5 } as const;
export const FIELD_B = { path: 0.3, body: 0.75, symbols: 0.5, doc: 0.6 } as const;
export const K1 = 1.2;

const W = [FIELD_WEIGHTS.path, FIELD_WEIGHTS.body, FIELD_WEIGHTS.symbols, FIELD_WEIGHTS.doc];
const B = [FIELD_B.path, FIELD_B.body, FIELD_B.symbols, FIELD_B.doc];

export function idf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** Field `f`'s weighted, length-normalised term frequency in posting `i` (of document `doc`). */
function fieldTf(p: Postings, i: number, doc: number, f: number, fieldLen: Uint32Array, avg: number[]): number {
  const tf = p.tf[i * 4 + f]!;
  if (tf === 0) return 0;
  const a = avg[f]! || 1;
  return (W[f]! * tf) / (1 - B[f]! + (B[f]! * fieldLen[doc * 4 + f]!) / a);
}

/** BM25 of one term over field `f` alone (for the ranking model's per-field features). */
export function fieldTermScore(
  p: Postings,
  i: number,
  doc: number,
  f: number,
  fieldLen: Uint32Array,
  avg: number[],
  termIdf: number,
): number {
  const t = fieldTf(p, i, doc, f, fieldLen, avg);
  return (termIdf * t) / (K1 + t);
}

/** Field-weighted, length-normalised term frequency of posting `i`: the BM25F pseudo-frequency. */
export function weightedTf(p: Postings, i: number, doc: number, fieldLen: Uint32Array, avg: number[]): number {
  let t = 0;
  for (let f = 0; f < 4; f++) t += fieldTf(p, i, doc, f, fieldLen, avg);
  return t;
}

/** BM25F score of one term in one document. */
export function termScore(p: Postings, i: number, doc: number, fieldLen: Uint32Array, avg: number[], termIdf: number): number {
  const t = weightedTf(p, i, doc, fieldLen, avg);
  return (termIdf * t) / (K1 + t);
}

/** Splits a term's score over the fields in proportion to their weighted tf (for --explain). */
export function fieldShares(p: Postings, i: number, doc: number, fieldLen: Uint32Array, avg: number[], score: number): number[] {
  const parts = [0, 1, 2, 3].map((f) => fieldTf(p, i, doc, f, fieldLen, avg));
  const total = parts.reduce((a, b) => a + b, 0);
  return parts.map((x) => (total === 0 ? 0 : (score * x) / total));
}
