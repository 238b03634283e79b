// Ranking metrics at a cut-off of 10 (MRR, NDCG with graded gains, recall) and a paired bootstrap confidence
// interval for the difference between two rankers over the same queries.
import { Prng } from './prng.js';

export const AT = 10;

export interface Metrics {
  mrr: number;
  ndcg: number;
  recall: number;
}

/**
 * Metrics of one ranked list. `ranked` holds the grade of each returned file in rank order (0 = not relevant);
 * `relevant` the grades of every relevant file of the query, returned or not.
 */
export function queryMetrics(ranked: ArrayLike<number>, relevant: readonly number[]): Metrics {
  let mrr = 0;
  let dcg = 0;
  let found = 0;
  const n = Math.min(AT, ranked.length);
  for (let i = 0; i < n; i++) {
    const g = ranked[i]!;
    if (g <= 0) continue;
    if (mrr === 0) mrr = 1 / (i + 1);
    dcg += (2 ** g - 1) / Math.log2(i + 2);
    found++;
  }
  const ideal = relevant.filter((g) => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(AT, ideal.length); i++) idcg += (2 ** ideal[i]! - 1) / Math.log2(i + 2);
  return { mrr, ndcg: idcg === 0 ? 0 : dcg / idcg, recall: ideal.length === 0 ? 0 : found / ideal.length };
}

/** Per-query metric columns, for means and the bootstrap. */
export interface MetricColumns {
  mrr: Float64Array;
  ndcg: Float64Array;
  recall: Float64Array;
}

export function columns(n: number): MetricColumns {
  return { mrr: new Float64Array(n), ndcg: new Float64Array(n), recall: new Float64Array(n) };
}

export function means(c: MetricColumns): Metrics {
  return { mrr: mean(c.mrr), ndcg: mean(c.ndcg), recall: mean(c.recall) };
}

export function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return a.length === 0 ? 0 : s / a.length;
}

export interface Interval {
  /** Mean of b − a over the queries. */
  diff: number;
  /** 95% percentile bootstrap interval of that mean. */
  lo: number;
  hi: number;
}

/** Paired bootstrap of mean(b − a): queries resampled with replacement `rounds` times, seeded. */
export function bootstrapDiff(a: Float64Array, b: Float64Array, seed: number, rounds = 2000): Interval {
  const n = a.length;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = b[i]! - a[i]!;
  if (n === 0) return { diff: 0, lo: 0, hi: 0 };
  const rng = new Prng(seed);
  const stats = new Float64Array(rounds);
  for (let r = 0; r < rounds; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[rng.int(n)]!;
    stats[r] = s / n;
  }
  stats.sort();
  return { diff: mean(d), lo: quantile(stats, 0.025), hi: quantile(stats, 0.975) };
}

/** Linear-interpolated quantile of sorted `a`. */
function quantile(a: Float64Array, p: number): number {
  const x = p * (a.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  return i + 1 < a.length ? a[i]! * (1 - f) + a[i + 1]! * f : a[i]!;
}
