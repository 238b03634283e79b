// Indexed copies of the train fixtures, and default training options for tests.
import { runIndex } from '../../src/index/indexer.js';
import type { TrainOptions } from '../../src/train/train.js';
import { fixture } from '../helpers.js';

/** A temp copy of fixtures/train/<name>, indexed in-process. */
export async function indexedFixture(name: string): Promise<string> {
  const root = fixture(`train/${name}`);
  await runIndex({ root, cacheDir: null, workers: 1 });
  return root;
}

export function trainOptions(root: string, o: Partial<TrainOptions> = {}): TrainOptions {
  return {
    root,
    seed: 1,
    epochs: 4,
    lrs: [0.01, 0.03],
    maxPairs: 20000,
    k: 100,
    batch: 16,
    replay: 64,
    checkpointEvery: 5,
    resume: false,
    ...o,
  };
}
