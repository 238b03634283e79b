// Scores every query of a dataset with a weight vector (or keeps plain BM25F order) and measures the rankings.
import { columns, queryMetrics, type MetricColumns } from './metrics.js';
import { rankByScore, scoreRows } from './model.js';
import type { Dataset } from './dataset.js';

/** Per-query metrics of ranking `ds` by `w`, or in BM25F (row) order when `w` is null. */
export function evaluate(ds: Dataset, w: Float64Array | null): MetricColumns {
  const nq = ds.start.length - 1;
  const out = columns(nq);
  let maxRows = 0;
  for (let q = 0; q < nq; q++) maxRows = Math.max(maxRows, ds.start[q + 1]! - ds.start[q]!);
  const scores = new Float64Array(maxRows);
  const order = new Int32Array(maxRows);
  const ranked = new Float64Array(10);
  for (let q = 0; q < nq; q++) {
    const from = ds.start[q]!;
    const n = ds.start[q + 1]! - from;
    const top = Math.min(10, n);
    if (w === null) {
      for (let i = 0; i < top; i++) ranked[i] = ds.labels[from + i]!;
    } else {
      scoreRows(ds.x, w, from, from + n, scores);
      const o = rankByScore(scores, n, order);
      for (let i = 0; i < top; i++) ranked[i] = ds.labels[from + o[i]!]!;
    }
    const m = queryMetrics(ranked.subarray(0, top), ds.relevant[q]!);
    out.mrr[q] = m.mrr;
    out.ndcg[q] = m.ndcg;
    out.recall[q] = m.recall;
  }
  return out;
}
