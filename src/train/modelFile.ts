// `.quarry/model.msgpack`: the fitted model with its feature list, normalization, the index format it was fitted
// on, and its metrics. Reading needs only the unpack half of msgpack (search loads it); writing is saveModel.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unpackr } from '../util/unpackr.js';
import { FORMAT_VERSION, isRecord } from '../index/format.js';
import { INDEX_DIR } from '../index/reader.js';
import { messageOf } from '../util/errors.js';
import { FEATURES } from './features.js';
import type { LinearModel } from './model.js';
import type { Metrics } from './metrics.js';

export const MODEL_FILE = 'model.msgpack';
export const MODEL_MAGIC = 'quarry-model';
export const MODEL_VERSION = 1;

export function modelPathOf(root: string): string {
  return join(root, INDEX_DIR, MODEL_FILE);
}

export interface ModelFile extends LinearModel {
  magic: typeof MODEL_MAGIC;
  version: typeof MODEL_VERSION;
  /** FORMAT_VERSION of the index the features were read from; a model for another format is ignored. */
  indexFormat: number;
  /** Candidates re-ranked per query (BM25F top K). */
  k: number;
  seed: number;
  /** Learning rate and epoch the validation split picked. */
  chosen: { lr: number; epoch: number };
  metrics: {
    validation: { queries: number; bm25f: Metrics; model: Metrics };
    test: { queries: number; bm25f: Metrics; model: Metrics };
  };
}

export type ModelRead = { model: ModelFile } | { problem: string };

/** Reads and checks a model file against this quarry's index format and feature list. */
export function readModel(path: string): ModelRead {
  let v: unknown;
  try {
    v = unpackr.unpack(readFileSync(path));
  } catch (err) {
    return { problem: `model ${path} is unreadable (${messageOf(err)}); ignored, run \`quarry train\`` };
  }
  if (!isRecord(v) || v.magic !== MODEL_MAGIC || v.version !== MODEL_VERSION) {
    return { problem: `${path} is not a model of this quarry; ignored, run \`quarry train\`` };
  }
  if (v.indexFormat !== FORMAT_VERSION) {
    return {
      problem: `model ${path} was fitted on index format ${String(v.indexFormat)}, this index is format ${FORMAT_VERSION}; ignored (plain BM25F), run \`quarry train\``,
    };
  }
  const features = v.features;
  if (!Array.isArray(features) || features.length !== FEATURES.length || features.some((f, i) => f !== FEATURES[i])) {
    return { problem: `model ${path} uses other features than this quarry; ignored (plain BM25F), run \`quarry train\`` };
  }
  const n = FEATURES.length;
  for (const k of ['mean', 'std', 'weights'] as const) {
    const a = v[k];
    if (!(a instanceof Float64Array) || a.length !== n || !a.every(Number.isFinite)) {
      return { problem: `model ${path} is damaged (${k}); ignored, run \`quarry train\`` };
    }
  }
  if (!Number.isSafeInteger(v.k) || (v.k as number) < 1) return { problem: `model ${path} is damaged (k); ignored, run \`quarry train\`` };
  return { model: v as unknown as ModelFile };
}
