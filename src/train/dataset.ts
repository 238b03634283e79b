// One split's training matrix: every query's BM25F top-K candidates as feature rows in one Float32Array, with
// each row's grade and where each query's rows start.
import { NF, FeatureSource, extractFeatures } from './features.js';
import { retrieve, type PostingsCache } from './candidates.js';
import type { TrainQuery } from './pairs.js';

export interface Dataset {
  /** rows × NF features (raw until normalized). */
  x: Float32Array;
  /** Grade of each row's file for its query (0 = not relevant). */
  labels: Float32Array;
  /** Query q owns rows [start[q], start[q + 1]). */
  start: Int32Array;
  /** Grades of every relevant file of each query, found among the candidates or not. */
  relevant: number[][];
  /** Queries whose relevant files are all outside the top K (or that match nothing): they score 0 for every ranker. */
  missed: number;
}

/** Retrieves and featurizes `queries` (K candidates each). */
export function buildDataset(src: FeatureSource, queries: readonly TrainQuery[], k: number, cache: PostingsCache = new Map()): Dataset {
  let x = new Float32Array(Math.max(1024, queries.length * 16) * NF);
  let labels = new Float32Array(x.length / NF);
  const start = new Int32Array(queries.length + 1);
  const relevant: number[][] = [];
  let rows = 0;
  let missed = 0;
  for (let q = 0; q < queries.length; q++) {
    const query = queries[q]!;
    start[q] = rows;
    relevant.push(query.grades.filter((g) => g > 0));
    const c = retrieve(src.reader, query.words, k, src.fieldLen, cache);
    if (c === null) {
      missed++;
      continue;
    }
    const need = (rows + c.docs.length) * NF;
    if (need > x.length) {
      const bigger = new Float32Array(Math.max(need, x.length * 2));
      bigger.set(x);
      x = bigger;
      const l = new Float32Array(bigger.length / NF);
      l.set(labels);
      labels = l;
    }
    extractFeatures(src, c, query.words, c.docs, c.bm25, x, rows);
    let hit = false;
    for (let r = 0; r < c.docs.length; r++) {
      const at = binaryIndex(query.docs, c.docs[r]!);
      const g = at < 0 ? 0 : query.grades[at]!;
      labels[rows + r] = g;
      if (g > 0) hit = true;
    }
    if (!hit) missed++;
    rows += c.docs.length;
  }
  start[queries.length] = rows;
  return { x: x.slice(0, rows * NF), labels: labels.slice(0, rows), start, relevant, missed };
}

function binaryIndex(sorted: readonly number[], v: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const m = sorted[mid]!;
    if (m === v) return mid;
    if (m < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Vocabulary for proximity: every term of every query. */
export function vocabularyOf(queries: readonly TrainQuery[]): Set<string> {
  const v = new Set<string>();
  for (const q of queries) for (const w of q.words) v.add(w.toLowerCase());
  return v;
}
