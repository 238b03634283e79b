// Search's use of a model from `quarry train`: features of the BM25F top K (the same code training used), the
// model's scores for them, and each feature's share for --explain. Loaded only when a model file exists.
import { readModel, type ModelFile } from '../train/modelFile.js';
import { FEATURES, FeatureSource, NF, extractFeatures } from '../train/features.js';
import type { Reranker, RerankInput, RerankOutput, FeatureContribution } from './search.js';

/** The model at `path` as a Reranker, or why it cannot be used (for one warning; search goes on with BM25F). */
export function loadReranker(path: string): { reranker: Reranker } | { warning: string } {
  const read = readModel(path);
  if ('problem' in read) return { warning: read.problem };
  return { reranker: new ModelReranker(read.model) };
}

class ModelReranker implements Reranker {
  readonly k: number;

  constructor(private readonly model: ModelFile) {
    this.k = model.k;
  }

  score(input: RerankInput): RerankOutput {
    const n = input.docs.length;
    const x = new Float32Array(n * NF);
    const src = new FeatureSource(input.reader, input.root, new Set(input.terms.terms), false);
    extractFeatures(src, input.terms, input.words, input.docs, input.bm25, x, 0);
    const { mean, std, weights } = this.model;
    const scores = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let s = 0;
      // Normalized as in training (Float32 rows there too), so the same pair gets the same score.
      for (let f = 0; f < NF; f++) s += weights[f]! * Math.fround((x[r * NF + f]! - mean[f]!) / std[f]!);
      scores[r] = s;
    }
    return {
      scores,
      explain: (r: number): FeatureContribution[] =>
        FEATURES.map((name, f) => {
          const value = x[r * NF + f]!;
          const contribution = weights[f]! * Math.fround((value - mean[f]!) / std[f]!);
          return { feature: name, value: round(value), weight: round(weights[f]!), contribution: round(contribution) };
        }),
    };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
