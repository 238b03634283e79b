// `quarry train --eval-model FILE`: a model fitted on another tree, measured against plain BM25F on every query
// this tree's code gives (none of them was seen in fitting). Writes nothing.
import { resolve } from 'node:path';
import { QuarryError } from '../util/errors.js';
import { profiler } from '../profile/profiler.js';
import { IndexReader, indexPathOf } from '../index/reader.js';
import { buildQueries } from './pairs.js';
import { FeatureSource } from './features.js';
import { buildDataset, vocabularyOf } from './dataset.js';
import { normalize } from './model.js';
import { evaluate } from './evaluate.js';
import { bootstrapDiff, means, type Interval, type Metrics } from './metrics.js';
import { readModel } from './modelFile.js';

export interface TransferOptions {
  root: string;
  modelPath: string;
  seed: number;
  maxPairs: number;
}

export interface TransferReport {
  root: string;
  modelPath: string;
  /** Candidates per query: the model's K. */
  k: number;
  queries: number;
  missed: number;
  bm25f: Metrics;
  model: Metrics;
  diff: { mrr: Interval; ndcg: Interval; recall: Interval };
  bySource: Record<string, { queries: number; bm25f: number; model: number }>;
}

export function runTransfer(opts: TransferOptions): TransferReport {
  const prof = profiler();
  const read = readModel(opts.modelPath);
  if ('problem' in read) throw new QuarryError('bad-input', read.problem);
  const model = read.model;
  const root = resolve(opts.root);
  const reader = prof.span('load', () => new IndexReader(indexPathOf(root)));
  try {
    const { queries } = prof.span('pairs', () => buildQueries(reader, { seed: opts.seed, maxPairs: opts.maxPairs }));
    if (queries.length === 0) throw new QuarryError('bad-input', `no queries could be made from the index of ${root}`);
    const ds = prof.span('features', () => buildDataset(new FeatureSource(reader, root, vocabularyOf(queries)), queries, model.k));
    normalize(ds.x, model.mean, model.std);
    return prof.span('evaluate', () => {
      const base = evaluate(ds, null);
      const fitted = evaluate(ds, model.weights);
      const bySource: TransferReport['bySource'] = {};
      queries.forEach((q, i) => {
        const e = (bySource[q.source] ??= { queries: 0, bm25f: 0, model: 0 });
        e.queries++;
        e.bm25f += base.mrr[i]!;
        e.model += fitted.mrr[i]!;
      });
      for (const e of Object.values(bySource)) ((e.bm25f = e.bm25f / e.queries), (e.model = e.model / e.queries));
      return {
        root,
        modelPath: resolve(opts.modelPath),
        k: model.k,
        queries: queries.length,
        missed: ds.missed,
        bm25f: means(base),
        model: means(fitted),
        diff: {
          mrr: bootstrapDiff(base.mrr, fitted.mrr, opts.seed),
          ndcg: bootstrapDiff(base.ndcg, fitted.ndcg, opts.seed),
          recall: bootstrapDiff(base.recall, fitted.recall, opts.seed),
        },
        bySource,
      };
    });
  } finally {
    reader.close();
  }
}
