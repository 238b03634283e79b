// `quarry train`: queries from the index → features of their BM25F top K → LambdaRank fit with checkpoints →
// held-out evaluation against plain BM25F → the model saved only if it beats BM25F on validation.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { QuarryError } from '../util/errors.js';
import { addCleanup } from '../util/cleanup.js';
import { profiler } from '../profile/profiler.js';
import { IndexReader, INDEX_DIR, indexPathOf } from '../index/reader.js';
import { FORMAT_VERSION } from '../index/format.js';
import { removeStaleTemps } from '../index/tempFiles.js';
import { buildQueries, type PairStats } from './pairs.js';
import { readJudgments } from './judgments.js';
import { FEATURES, FeatureSource } from './features.js';
import { buildDataset, vocabularyOf, type Dataset } from './dataset.js';
import type { PostingsCache } from './candidates.js';
import { fitNormalization, normalize } from './model.js';
import { fit, initialState, usefulQueries, type FitOptions, type FitState } from './fit.js';
import { evaluate } from './evaluate.js';
import { bootstrapDiff, means, type Interval, type Metrics } from './metrics.js';
import { CHECKPOINT_FILE, Checkpointer, readCheckpoint } from './checkpoint.js';
import { MODEL_MAGIC, MODEL_VERSION, modelPathOf, type ModelFile } from './modelFile.js';
import { saveModel } from './saveModel.js';

/** Learning rates tried when --lr is not given; the validation split picks one. */
export const DEFAULT_LRS = [0.003, 0.01, 0.03];
/** Below these counts a split says nothing: train refuses instead of writing a meaningless model. */
export const MIN_TRAIN_QUERIES = 30;
export const MIN_HELDOUT_QUERIES = 10;

export interface TrainOptions {
  root: string;
  /** @default 1 */
  seed: number;
  /** Passes over the training queries per learning rate. @default 10 */
  epochs: number;
  /** Learning rates to try (one given by --lr, else DEFAULT_LRS). */
  lrs: number[];
  /** At most this many (query, file) pairs. @default 20000 */
  maxPairs: number;
  /** BM25F candidates per query, re-ranked. @default 100 */
  k: number;
  /** Queries per step. @default 32 */
  batch: number;
  /** Replay ring capacity in queries. @default 1024 */
  replay: number;
  /** A background checkpoint every this many steps. @default 50 */
  checkpointEvery: number;
  resume: boolean;
  judgments?: string;
  /** Progress for a person (epochs, loss, validation metric). */
  onProgress?(text: string): void;
  /** Warnings (corrupt checkpoint, bad judgment lines). */
  onWarning?(text: string): void;
  /** Asked before every step with the steps done so far; true stops like SIGINT does (tests). */
  shouldStop?(steps: number): boolean;
}

export interface SplitReport {
  queries: number;
  /** Queries none of whose answers is in the BM25F top K (0 for every ranker). */
  missed: number;
  bm25f: Metrics;
  model: Metrics;
}

export interface TrainReport {
  root: string;
  seed: number;
  k: number;
  epochs: number;
  lrs: number[];
  pairs: PairStats;
  /** Judgment lines that were not used, `FILE:LINE: why`. */
  judgmentErrors: string[];
  features: string[];
  /** Feature rows per split. */
  rows: { train: number; validation: number; test: number };
  steps: number;
  /** Steps already done by the checkpoint this run resumed from (null: a fresh start). */
  resumedAt: number | null;
  /** What validation picked, or null when no fitted weights beat BM25F there. */
  chosen: { lr: number; epoch: number } | null;
  validation: SplitReport;
  test: SplitReport & {
    diff: { mrr: Interval; ndcg: Interval; recall: Interval };
    /** MRR@10 by where the query came from (doc sentence, split name, judgment). */
    bySource: Record<string, { queries: number; bm25f: number; model: number }>;
    /**
     * MRR@10 of test-split files searched by their own name (`query parser` → queryParser.ts): left out of the
     * metrics above as too easy, measured here so that a model burying them shows.
     */
    fileNames: { queries: number; bm25f: number; model: number };
  };
  saved: boolean;
  modelPath: string;
  /** Why the model was or was not saved. */
  reason: string;
  /** Learned weight per feature (on normalized features). */
  weights: Record<string, number>;
}

export async function runTrain(opts: TrainOptions): Promise<TrainReport> {
  const prof = profiler();
  const root = resolve(opts.root);
  const reader = prof.span('load', () => new IndexReader(indexPathOf(root)));
  try {
    return await train(reader, root, opts);
  } finally {
    reader.close();
  }
}

async function train(reader: IndexReader, root: string, opts: TrainOptions): Promise<TrainReport> {
  const prof = profiler();
  const warn = opts.onWarning ?? (() => {});
  const progress = opts.onProgress ?? (() => {});

  // 1. Queries, split by module (pairs.ts moduleKey).
  let judgmentErrors: string[] = [];
  let judgmentsHash = '';
  const { queries, fileNames, stats } = prof.span('pairs', (span) => {
    let judgments;
    if (opts.judgments !== undefined) {
      const ids = new Map(reader.allPaths().map((p, i) => [p, i]));
      const read = readJudgments(opts.judgments, (p) => ids.get(p));
      judgments = read.judgments;
      judgmentErrors = read.errors;
      judgmentsHash = createHash('sha1').update(readFileSync(opts.judgments)).digest('hex');
      if (read.errors.length > 0) {
        warn(
          `${read.errors.length} judgment line${read.errors.length === 1 ? '' : 's'} skipped: ${read.errors.slice(0, 3).join('; ')}${read.errors.length > 3 ? '; …' : ''}`,
        );
      }
    }
    const r = buildQueries(reader, { seed: opts.seed, maxPairs: opts.maxPairs, judgments });
    span.set('queries', r.queries.length);
    return r;
  });
  const bySplit = stats.bySplit;
  if (
    bySplit.train.queries < MIN_TRAIN_QUERIES ||
    bySplit.validation.queries < MIN_HELDOUT_QUERIES ||
    bySplit.test.queries < MIN_HELDOUT_QUERIES
  ) {
    throw new QuarryError(
      'bad-input',
      `too few queries to train on: ${stats.symbols} symbols of ${reader.fileCount} files gave ${bySplit.train.queries} training, ` +
        `${bySplit.validation.queries} validation and ${bySplit.test.queries} test queries ` +
        `(at least ${MIN_TRAIN_QUERIES}, ${MIN_HELDOUT_QUERIES} and ${MIN_HELDOUT_QUERIES} are needed); no model written`,
      { hint: 'train on a larger tree (more documented symbols in more files), or add --judgments FILE.jsonl' },
    );
  }

  // 2. Features of every query's BM25F top K, normalized with the training rows' statistics.
  const src = new FeatureSource(reader, root, vocabularyOf(queries));
  const data = prof.span('features', (span) => {
    const pick = (s: string) => queries.filter((q) => q.split === s);
    // Postings decoded once per term for all queries (common words come back in many of them).
    const cache: PostingsCache = new Map();
    const d = {
      train: buildDataset(src, pick('train'), opts.k, cache),
      validation: buildDataset(src, pick('validation'), opts.k, cache),
      test: buildDataset(src, pick('test'), opts.k, cache),
      fileNames: buildDataset(
        src,
        fileNames.filter((q) => q.split === 'test'),
        opts.k,
        cache,
      ),
    };
    span.set('rows', d.train.labels.length + d.validation.labels.length + d.test.labels.length);
    return d;
  });
  const { mean, std } = fitNormalization(data.train.x);
  for (const d of [data.train, data.validation, data.test, data.fileNames]) normalize(d.x, mean, std);
  if (usefulQueries(data.train).length === 0) {
    throw new QuarryError('bad-input', 'no training query has both a right and a wrong answer among its candidates; no model written', {
      hint: 'train on a larger tree, or add --judgments FILE.jsonl',
    });
  }

  // 3. Fit, resumable.
  const fitOpts: FitOptions = { lrs: opts.lrs, epochs: opts.epochs, batch: opts.batch, replay: opts.replay, l2: 1e-4, seed: opts.seed };
  const h = reader.header;
  const fingerprint = JSON.stringify({
    index: [h.createdAt, h.fileCount, h.termCount, h.symbolCount],
    seed: opts.seed,
    epochs: opts.epochs,
    lrs: opts.lrs,
    maxPairs: opts.maxPairs,
    k: opts.k,
    batch: opts.batch,
    replay: opts.replay,
    judgments: judgmentsHash,
  });
  const ckpt = new Checkpointer(join(root, INDEX_DIR, CHECKPOINT_FILE), fingerprint);
  // Temp files of runs killed mid-write (their pid is gone), as index writers' are.
  removeStaleTemps(ckpt.path);
  removeStaleTemps(modelPathOf(root));
  let state: FitState | null = null;
  let resumedAt: number | null = null;
  if (opts.resume) {
    const read = readCheckpoint(ckpt.path, fingerprint);
    if (read === null) warn(`--resume: no checkpoint at ${ckpt.path}; starting fresh`);
    else if ('problem' in read) warn(`--resume: ${read.problem}; starting fresh`);
    else {
      state = read.state;
      resumedAt = state.steps;
      progress(`resuming at step ${state.steps} (learning rate ${state.config + 1}/${opts.lrs.length}, epoch ${state.epoch + 1})`);
    }
  }
  const s = state ?? initialState(data.validation, fitOpts);
  // SIGINT runs this between two steps (the loop yields only there), so `s` is whole.
  const unregister = addCleanup(() => ckpt.writeSync(s));
  let done: boolean;
  try {
    done = await prof.span('fit', () =>
      fit(data.train, data.validation, s, fitOpts, {
        onStep: (st) => {
          if (st.steps % opts.checkpointEvery === 0) ckpt.request(st);
        },
        onEpoch: (e) =>
          progress(
            `lr ${e.lr} (${e.config + 1}/${opts.lrs.length}) epoch ${e.epoch + 1}/${opts.epochs}: loss ${e.loss.toFixed(4)}, validation MRR@10 ${e.valMrr.toFixed(4)}`,
          ),
        shouldStop: (st) => opts.shouldStop?.(st.steps) ?? false,
      }),
    );
    await ckpt.drain();
    if (!done) {
      ckpt.writeSync(s);
      throw new QuarryError('interrupted', `training stopped at step ${s.steps}; checkpoint written to ${ckpt.path}`, {
        hint: 'run `quarry train --resume` with the same options to continue',
      });
    }
  } finally {
    unregister();
  }
  if (ckpt.failure !== null) warn(ckpt.failure);
  ckpt.remove();

  // 4. Held-out evaluation, BM25F and model side by side.
  return prof.span('evaluate', () => {
    const best = s.best;
    const valBase = evaluate(data.validation, null);
    const valModel = evaluate(data.validation, best.w);
    const testBase = evaluate(data.test, null);
    const testModel = evaluate(data.test, best.w);
    const vb = means(valBase);
    const vm = means(valModel);
    const beats = best.config >= 0 && vm.mrr > vb.mrr;
    const chosen = best.config >= 0 ? { lr: opts.lrs[best.config]!, epoch: best.epoch + 1 } : null;
    const splitReport = (ds: Dataset, b: Metrics, m: Metrics): SplitReport => ({
      queries: ds.start.length - 1,
      missed: ds.missed,
      bm25f: b,
      model: m,
    });
    const testQueries = queries.filter((q) => q.split === 'test');
    const bySource: Record<string, { queries: number; bm25f: number; model: number }> = {};
    testQueries.forEach((q, i) => {
      const e = (bySource[q.source] ??= { queries: 0, bm25f: 0, model: 0 });
      e.queries++;
      e.bm25f += testBase.mrr[i]!;
      e.model += testModel.mrr[i]!;
    });
    for (const e of Object.values(bySource)) ((e.bm25f = round(e.bm25f / e.queries)), (e.model = round(e.model / e.queries)));
    const test = {
      ...splitReport(data.test, means(testBase), means(testModel)),
      bySource,
      fileNames: {
        queries: data.fileNames.start.length - 1,
        bm25f: round(means(evaluate(data.fileNames, null)).mrr),
        model: round(means(evaluate(data.fileNames, best.w)).mrr),
      },
      diff: {
        mrr: bootstrapDiff(testBase.mrr, testModel.mrr, opts.seed),
        ndcg: bootstrapDiff(testBase.ndcg, testModel.ndcg, opts.seed),
        recall: bootstrapDiff(testBase.recall, testModel.recall, opts.seed),
      },
    };
    const validation = splitReport(data.validation, vb, vm);
    const modelPath = modelPathOf(root);
    let reason: string;
    if (beats) {
      const model: ModelFile = {
        magic: MODEL_MAGIC,
        version: MODEL_VERSION,
        indexFormat: FORMAT_VERSION,
        features: [...FEATURES],
        mean,
        std,
        weights: best.w,
        k: opts.k,
        seed: opts.seed,
        chosen: chosen!,
        metrics: {
          validation: { queries: validation.queries, bm25f: vb, model: vm },
          test: { queries: test.queries, bm25f: test.bm25f, model: test.model },
        },
      };
      prof.span('save', () => saveModel(modelPath, model));
      reason = `validation MRR@10 ${vm.mrr.toFixed(4)} > BM25F ${vb.mrr.toFixed(4)}`;
    } else {
      reason = `no fitted weights beat BM25F on validation (MRR@10 ${vb.mrr.toFixed(4)}); search keeps plain BM25F${existsSync(modelPath) ? ` (the model already at ${modelPath} is left as it was)` : ''}`;
    }
    return {
      root,
      seed: opts.seed,
      k: opts.k,
      epochs: opts.epochs,
      lrs: opts.lrs,
      pairs: stats,
      judgmentErrors,
      features: [...FEATURES],
      rows: { train: data.train.labels.length, validation: data.validation.labels.length, test: data.test.labels.length },
      steps: s.steps,
      resumedAt,
      chosen,
      validation,
      test,
      saved: beats,
      modelPath,
      reason,
      weights: Object.fromEntries(FEATURES.map((f, i) => [f, round(best.w[i]!)])),
    };
  });
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
