// Micro-benchmark of training's hot loops on synthetic data of the real shape (NF features, ~100 candidates per
// query): vectorized scoring of a Float32Array batch (rows/s) and whole LambdaRank fitting (queries/s).
// Usage: npm run build && node bench/train-micro.mjs [QUERIES] [ROUNDS]   (default 3000 queries, 5 rounds)
import { NF } from '../dist/src/train/features.js';
import { scoreRows } from '../dist/src/train/model.js';
import { fit, initialState } from '../dist/src/train/fit.js';
import { Prng } from '../dist/src/train/prng.js';

const queries = Number(process.argv[2] ?? 3000);
const rounds = Number(process.argv[3] ?? 5);
const perQuery = 100;
const rng = new Prng(42);

/** Queries of `perQuery` rows, one relevant row whose features lean positive: something to learn. */
function dataset(n) {
  const rows = n * perQuery;
  const x = new Float32Array(rows * NF);
  const labels = new Float32Array(rows);
  const start = new Int32Array(n + 1);
  for (let q = 0; q < n; q++) {
    start[q] = q * perQuery;
    const rel = rng.int(perQuery);
    for (let r = 0; r < perQuery; r++) {
      const o = (q * perQuery + r) * NF;
      for (let f = 0; f < NF; f++) x[o + f] = rng.next() * 2 - 1 + (r === rel && f % 3 === 0 ? 0.8 : 0);
      labels[q * perQuery + r] = r === rel ? 1 : 0;
    }
  }
  start[n] = rows;
  return { x, labels, start, relevant: Array.from({ length: n }, () => [1]), missed: 0 };
}

const train = dataset(queries);
const val = dataset(Math.max(10, queries >> 3));
const w = Float64Array.from({ length: NF }, () => rng.next());
const out = new Float64Array(train.labels.length);
const score = [];
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  scoreRows(train.x, w, 0, train.labels.length, out);
  score.push(performance.now() - t0);
}
const fitMs = [];
const opts = { lrs: [0.03], epochs: 1, batch: 32, replay: 1024, l2: 1e-4, seed: 1 };
for (let r = 0; r < rounds; r++) {
  const s = initialState(val, opts);
  const t0 = performance.now();
  await fit(train, val, s, opts);
  fitMs.push(performance.now() - t0);
}
const best = (a) => Math.min(...a);
console.log(
  `scoring: ${train.labels.length} rows × ${NF} features in ${best(score).toFixed(2)} ms best of ${rounds} → ${(((train.labels.length / best(score)) * 1e3) / 1e6).toFixed(1)} M rows/s`,
);
console.log(
  `fitting: 1 epoch over ${queries} queries (+ validation) in ${best(fitMs).toFixed(0)} ms best of ${rounds} → ${((queries / best(fitMs)) * 1e3).toFixed(0)} queries/s`,
);
