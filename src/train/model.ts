// The ranking model: a linear function of z-normalized features. Scoring a batch is one pass over a Float32Array.
import { NF } from './features.js';

export interface LinearModel {
  /** Feature names the weights belong to (FEATURES when fitted by this quarry). */
  features: string[];
  /** Per-feature mean and standard deviation over the training rows (std 1 for a constant feature). */
  mean: Float64Array;
  std: Float64Array;
  weights: Float64Array;
}

/** Mean and standard deviation of each of the `nf` columns of `x` (rows × nf). */
export function fitNormalization(x: Float32Array, nf = NF): { mean: Float64Array; std: Float64Array } {
  const rows = x.length / nf;
  const mean = new Float64Array(nf);
  const sq = new Float64Array(nf);
  for (let r = 0; r < rows; r++) {
    const o = r * nf;
    for (let f = 0; f < nf; f++) mean[f]! += x[o + f]!;
  }
  for (let f = 0; f < nf; f++) mean[f] = rows === 0 ? 0 : mean[f]! / rows;
  for (let r = 0; r < rows; r++) {
    const o = r * nf;
    for (let f = 0; f < nf; f++) {
      const d = x[o + f]! - mean[f]!;
      sq[f]! += d * d;
    }
  }
  const std = new Float64Array(nf);
  for (let f = 0; f < nf; f++) {
    const s = rows === 0 ? 0 : Math.sqrt(sq[f]! / rows);
    std[f] = s > 1e-9 ? s : 1;
  }
  return { mean, std };
}

/** Normalizes `x` in place with `mean` and `std`. */
export function normalize(x: Float32Array, mean: Float64Array, std: Float64Array, nf = NF): void {
  for (let o = 0; o < x.length; o += nf) for (let f = 0; f < nf; f++) x[o + f] = (x[o + f]! - mean[f]!) / std[f]!;
}

/** out[r] = w · x[r] for rows [from, to) of normalized `x`; the hot loop of training and of evaluation. */
export function scoreRows(x: Float32Array, w: Float64Array, from: number, to: number, out: Float64Array, nf = NF): void {
  for (let r = from; r < to; r++) {
    const o = r * nf;
    let s = 0;
    for (let f = 0; f < nf; f++) s += w[f]! * x[o + f]!;
    out[r - from] = s;
  }
}

/** Weights that rank exactly as plain BM25F: all on the (normalized, increasing) bm25f feature. */
export function bm25Weights(nf = NF): Float64Array {
  const w = new Float64Array(nf);
  w[0] = 1;
  return w;
}

/** Candidate indices [0, n) by score, best first; ties keep BM25F order (the lower index). */
export function rankByScore(scores: Float64Array, n: number, order: Int32Array): Int32Array {
  const o = order.subarray(0, n);
  for (let i = 0; i < n; i++) o[i] = i;
  o.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return o;
}
