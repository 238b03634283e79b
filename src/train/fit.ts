// Fits the linear model with LambdaRank: pairwise logistic gradients weighted by |ΔNDCG|, Adam steps, mini-batches
// drawn from a bounded replay ring. One learning rate after another (the grid), each for `epochs`; the weights
// with the best validation MRR@10 win. The whole loop state is FitState, so a checkpoint can resume it exactly.
import { FEATURES, NF, NON_NEGATIVE } from './features.js';
import { Prng } from './prng.js';
import { mean } from './metrics.js';
import { bm25Weights, rankByScore, scoreRows } from './model.js';
import { newRing, ringAt, ringPush, type RingState } from './ringBuffer.js';
import { evaluate } from './evaluate.js';
import type { Dataset } from './dataset.js';
import { yieldToEvents } from '../util/yieldToEvents.js';

export interface FitOptions {
  /** Learning rates tried, one after another; the validation split picks. */
  lrs: number[];
  epochs: number;
  /** Queries per gradient step. @default 32 */
  batch: number;
  /** Capacity of the replay ring, in queries. @default 1024 */
  replay: number;
  /** L2 penalty on the weights. @default 1e-4 */
  l2: number;
  seed: number;
}

export interface FitState {
  /** Index into lrs of the run in progress; lrs.length when done. */
  config: number;
  epoch: number;
  /** Steps done in this epoch. */
  step: number;
  /** Steps done in all. */
  steps: number;
  w: Float64Array;
  /** Adam moments and step count of this config. */
  m: Float64Array;
  v: Float64Array;
  t: number;
  rng: Uint32Array;
  ring: RingState;
  /** This epoch's order of training queries. */
  perm: Int32Array;
  /** Loss summed over this epoch's steps (progress only). */
  loss: number;
  best: { w: Float64Array; mrr: number; config: number; epoch: number };
  /** Best validation MRR@10 reached by each finished config. */
  history: number[];
}

export interface FitHooks {
  /** After every step; may start a background checkpoint of `s`. */
  onStep?(s: FitState): void;
  /** After every epoch, with its mean loss and validation MRR@10. */
  onEpoch?(info: { config: number; lr: number; epoch: number; loss: number; valMrr: number; steps: number }): void;
  /** Asked before every step; true stops the loop (the state is then resumable). */
  shouldStop?(s: FitState): boolean;
}

/** 1 for a weight clamped at 0 from below (NON_NEGATIVE), per feature. */
const CLAMP = Uint8Array.from(FEATURES, (f) => (NON_NEGATIVE.includes(f) ? 1 : 0));

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

/** Training queries that can teach something: a relevant row and a non-relevant one among the candidates. */
export function usefulQueries(ds: Dataset): Int32Array {
  const out: number[] = [];
  for (let q = 0; q < ds.start.length - 1; q++) {
    let rel = false;
    let non = false;
    for (let r = ds.start[q]!; r < ds.start[q + 1]!; r++) {
      if (ds.labels[r]! > 0) rel = true;
      else non = true;
    }
    if (rel && non) out.push(q);
  }
  return Int32Array.from(out);
}

/** The starting state: BM25F weights, which are also the first "best" (what the model must beat). */
export function initialState(val: Dataset, opts: FitOptions): FitState {
  const w = bm25Weights();
  return {
    config: 0,
    epoch: 0,
    step: 0,
    steps: 0,
    w,
    m: new Float64Array(NF),
    v: new Float64Array(NF),
    t: 0,
    rng: new Prng(opts.seed).state,
    ring: newRing(opts.replay),
    perm: new Int32Array(0),
    loss: 0,
    best: { w: w.slice(), mrr: mean(evaluate(val, w).mrr), config: -1, epoch: -1 },
    history: [],
  };
}

/** Steps per epoch for `n` useful queries. */
export function stepsPerEpoch(n: number, batch: number): number {
  return Math.max(1, Math.ceil(n / batch));
}

/** Runs the loop from `s` to the end (or until shouldStop); yields to the event loop between steps. */
export async function fit(train: Dataset, val: Dataset, s: FitState, opts: FitOptions, hooks: FitHooks = {}): Promise<boolean> {
  const useful = usefulQueries(train);
  if (useful.length === 0) {
    s.config = opts.lrs.length;
    return true;
  }
  const perEpoch = stepsPerEpoch(useful.length, opts.batch);
  const rng = new Prng(s.rng);
  s.rng = rng.state;
  const scratch = new Scratch(train, opts.batch);
  while (s.config < opts.lrs.length) {
    const lr = opts.lrs[s.config]!;
    while (s.epoch < opts.epochs) {
      if (s.step === 0) s.perm = rng.shuffle(useful.slice());
      while (s.step < perEpoch) {
        if (hooks.shouldStop?.(s)) return false;
        for (let i = s.step * opts.batch; i < Math.min((s.step + 1) * opts.batch, s.perm.length); i++) ringPush(s.ring, s.perm[i]!);
        s.loss += step(train, s, rng, lr, opts, scratch);
        s.step++;
        s.steps++;
        hooks.onStep?.(s);
        // Lets SIGINT and background checkpoint writes in; the state is whole between steps.
        if ((s.steps & 7) === 0) await yieldToEvents();
      }
      const valMrr = mean(evaluate(val, s.w).mrr);
      hooks.onEpoch?.({ config: s.config, lr, epoch: s.epoch, loss: s.loss / perEpoch, valMrr, steps: s.steps });
      if (valMrr > s.best.mrr) s.best = { w: s.w.slice(), mrr: valMrr, config: s.config, epoch: s.epoch };
      const last = s.history[s.config];
      s.history[s.config] = last === undefined ? valMrr : Math.max(last, valMrr);
      s.epoch++;
      s.step = 0;
      s.loss = 0;
    }
    // Next learning rate: from BM25F weights again, fresh moments and ring.
    s.config++;
    s.epoch = 0;
    s.w = bm25Weights();
    s.m = new Float64Array(NF);
    s.v = new Float64Array(NF);
    s.t = 0;
    s.ring = newRing(opts.replay);
  }
  return true;
}

/** Buffers reused by every step: no allocation per query or row in the loop. */
class Scratch {
  readonly batchX: Float32Array;
  readonly labels: Float32Array;
  readonly scores: Float64Array;
  readonly coef: Float64Array;
  readonly order: Int32Array;
  readonly rankOf: Int32Array;
  readonly grad = new Float64Array(NF);

  constructor(ds: Dataset, batch: number) {
    let maxRows = 1;
    for (let q = 0; q < ds.start.length - 1; q++) maxRows = Math.max(maxRows, ds.start[q + 1]! - ds.start[q]!);
    this.batchX = new Float32Array(maxRows * batch * NF);
    this.labels = new Float32Array(maxRows * batch);
    this.scores = new Float64Array(maxRows * batch);
    this.coef = new Float64Array(maxRows * batch);
    this.order = new Int32Array(maxRows);
    this.rankOf = new Int32Array(maxRows);
  }
}

/** One Adam step on a batch sampled from the ring; returns the batch's mean LambdaRank loss. */
function step(ds: Dataset, s: FitState, rng: Prng, lr: number, opts: FitOptions, sc: Scratch): number {
  // Gather the batch's rows into one Float32Array, then score it in one pass.
  const bounds: number[] = [0];
  let rows = 0;
  for (let b = 0; b < opts.batch; b++) {
    const q = ringAt(s.ring, rng.int(s.ring.size));
    const from = ds.start[q]!;
    const n = ds.start[q + 1]! - from;
    sc.batchX.set(ds.x.subarray(from * NF, (from + n) * NF), rows * NF);
    sc.labels.set(ds.labels.subarray(from, from + n), rows);
    rows += n;
    bounds.push(rows);
  }
  scoreRows(sc.batchX, s.w, 0, rows, sc.scores);
  sc.coef.fill(0, 0, rows);
  let loss = 0;
  for (let b = 0; b < opts.batch; b++) loss += lambdas(sc, bounds[b]!, bounds[b + 1]!);

  const g = sc.grad;
  g.fill(0);
  for (let r = 0; r < rows; r++) {
    const c = sc.coef[r]!;
    if (c === 0) continue;
    const o = r * NF;
    for (let f = 0; f < NF; f++) g[f]! += c * sc.batchX[o + f]!;
  }
  s.t++;
  const bc1 = 1 - BETA1 ** s.t;
  const bc2 = 1 - BETA2 ** s.t;
  for (let f = 0; f < NF; f++) {
    const gf = g[f]! / opts.batch + opts.l2 * s.w[f]!;
    s.m[f] = BETA1 * s.m[f]! + (1 - BETA1) * gf;
    s.v[f] = BETA2 * s.v[f]! + (1 - BETA2) * gf * gf;
    s.w[f]! -= (lr * (s.m[f]! / bc1)) / (Math.sqrt(s.v[f]! / bc2) + EPS);
    if (CLAMP[f] === 1 && s.w[f]! < 0) s.w[f] = 0;
  }
  return loss / opts.batch;
}

/**
 * LambdaRank for one query's rows [from, to): for every pair (better grade i, worse j), dLoss/ds added to coef,
 * weighted by how much swapping them would change NDCG at their current ranks. Returns the query's loss.
 */
function lambdas(sc: Scratch, from: number, to: number): number {
  const n = to - from;
  const scores = sc.scores.subarray(from, to);
  const order = rankByScore(scores, n, sc.order);
  for (let i = 0; i < n; i++) sc.rankOf[order[i]!] = i;
  // Ideal DCG over the candidates (the gradient only sees what is in the list).
  let idcg = 0;
  const gains: number[] = [];
  for (let i = 0; i < n; i++) if (sc.labels[from + i]! > 0) gains.push(sc.labels[from + i]!);
  gains.sort((a, b) => b - a);
  for (let i = 0; i < gains.length; i++) idcg += (2 ** gains[i]! - 1) / Math.log2(i + 2);
  if (idcg === 0) return 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const gi = sc.labels[from + i]!;
    if (gi <= 0) continue;
    const di = 1 / Math.log2(sc.rankOf[i]! + 2);
    for (let j = 0; j < n; j++) {
      const gj = sc.labels[from + j]!;
      if (gj >= gi) continue;
      const delta = (Math.abs(2 ** gi - 2 ** gj) * Math.abs(di - 1 / Math.log2(sc.rankOf[j]! + 2))) / idcg;
      const diff = scores[i]! - scores[j]!;
      const rho = 1 / (1 + Math.exp(diff));
      const lam = rho * delta;
      sc.coef[from + i]! -= lam;
      sc.coef[from + j]! += lam;
      loss += delta * (diff > 30 ? Math.exp(-diff) : Math.log1p(Math.exp(-diff)));
    }
  }
  return loss;
}
