import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runTrain } from '../../src/train/train.js';
import { CHECKPOINT_FILE, checkpointInfo } from '../../src/train/checkpoint.js';
import { modelPathOf, readModel } from '../../src/train/modelFile.js';
import { QuarryError } from '../../src/util/errors.js';
import { FEATURES, NF, NON_NEGATIVE } from '../../src/train/features.js';
import { fit, initialState } from '../../src/train/fit.js';
import { indexedFixture, trainOptions } from './helpers.js';

let basic = '';

/** Trains on `root` and returns the model bytes (or null when none was saved) and the report. */
async function trainBytes(root: string, o: Parameters<typeof trainOptions>[1] = {}) {
  rmSync(modelPathOf(root), { force: true });
  const report = await runTrain(trainOptions(root, o));
  return { report, bytes: existsSync(modelPathOf(root)) ? readFileSync(modelPathOf(root)) : null };
}

describe('quarry train', () => {
  beforeAll(async () => {
    basic = await indexedFixture('basic');
  });

  it('beats BM25F on held-out queries of the basic tree and saves the model with its metrics', async () => {
    const { report, bytes } = await trainBytes(basic);
    expect(report.saved).toBe(true);
    expect(bytes).not.toBeNull();
    expect(report.validation.model.mrr).toBeGreaterThan(report.validation.bm25f.mrr);
    expect(report.test.model.mrr).toBeGreaterThan(report.test.bm25f.mrr);
    expect(report.test.diff.mrr.lo).toBeGreaterThan(0);
    expect(report.test.queries).toBe(report.pairs.bySplit.test.queries);
    const read = readModel(modelPathOf(basic));
    if (!('model' in read)) throw new Error(read.problem);
    expect(read.model.features).toEqual(report.features);
    expect(read.model.metrics.test.model.mrr).toBe(report.test.model.mrr);
    expect(read.model.weights).toBeInstanceOf(Float64Array);
  });

  it('same seed, same model bytes; another seed, another split', async () => {
    const a = await trainBytes(basic, { seed: 3 });
    const b = await trainBytes(basic, { seed: 3 });
    expect(a.bytes).not.toBeNull();
    expect(Buffer.compare(a.bytes!, b.bytes!)).toBe(0);
    const c = await trainBytes(basic, { seed: 4 });
    expect(c.report.pairs.bySplit).not.toEqual(a.report.pairs.bySplit);
  });

  it('--resume after a stop ends with the same model as an uninterrupted run', async () => {
    const whole = await trainBytes(basic, { seed: 5 });
    const ckpt = join(basic, '.quarry', CHECKPOINT_FILE);
    expect(existsSync(ckpt)).toBe(false); // removed after a finished run

    rmSync(modelPathOf(basic), { force: true });
    const stopped = runTrain(trainOptions(basic, { seed: 5, shouldStop: (steps) => steps === 37 }));
    await expect(stopped).rejects.toMatchObject({ code: 'interrupted' });
    expect(checkpointInfo(ckpt)?.steps).toBe(37);
    expect(existsSync(modelPathOf(basic))).toBe(false);

    const resumed = await runTrain(trainOptions(basic, { seed: 5, resume: true }));
    expect(resumed.resumedAt).toBe(37);
    expect(resumed.steps).toBe(whole.report.steps);
    expect(Buffer.compare(readFileSync(modelPathOf(basic)), whole.bytes!)).toBe(0);
  });

  it('starts fresh with a warning when the checkpoint is corrupt or from another run', async () => {
    const whole = await trainBytes(basic, { seed: 6 });
    const ckpt = join(basic, '.quarry', CHECKPOINT_FILE);
    writeFileSync(ckpt, Buffer.from('not a checkpoint at all'));
    const warnings: string[] = [];
    const r = await runTrain(trainOptions(basic, { seed: 6, resume: true, onWarning: (w) => warnings.push(w) }));
    expect(warnings.join('\n')).toMatch(/not a checkpoint.*starting fresh/);
    expect(r.resumedAt).toBeNull();
    expect(Buffer.compare(readFileSync(modelPathOf(basic)), whole.bytes!)).toBe(0);

    await expect(runTrain(trainOptions(basic, { seed: 7, shouldStop: (s) => s === 3 }))).rejects.toBeInstanceOf(QuarryError);
    const w2: string[] = [];
    await runTrain(trainOptions(basic, { seed: 6, resume: true, onWarning: (w) => w2.push(w) }));
    expect(w2.join('\n')).toMatch(/another training run.*starting fresh/);
  });

  it('keeps BM25F and writes no model when BM25F is already perfect on validation', async () => {
    const perfect = await indexedFixture('perfect');
    const { report, bytes } = await trainBytes(perfect);
    expect(report.validation.bm25f.mrr).toBe(1);
    expect(report.saved).toBe(false);
    expect(report.chosen).toBeNull();
    expect(report.reason).toMatch(/no fitted weights beat BM25F/);
    expect(bytes).toBeNull();
  });

  it('refuses a tree with too few symbols: bad input, no model', async () => {
    const tiny = await indexedFixture('tiny');
    const run = runTrain(trainOptions(tiny));
    await expect(run).rejects.toMatchObject({ code: 'bad-input', exitCode: 2, message: expect.stringMatching(/too few queries/) });
    expect(existsSync(modelPathOf(tiny))).toBe(false);
  });

  it('--judgments: bad lines are reported with their line numbers; good ones join the queries', async () => {
    const file = join(basic, 'judgments.jsonl');
    writeFileSync(
      file,
      [
        '{"query": "header parsing", "path": "src/ui/configHeader24.ts", "grade": 2}',
        'not json',
        '{"query": "header parsing", "path": "src/nowhere.ts", "grade": 1}',
        '{"query": "!!", "path": "src/ui/configHeader24.ts"}',
        '',
        '{"query": "config header", "path": "./src/ui/configHeader24.ts", "grade": 99}',
      ].join('\n'),
    );
    const warnings: string[] = [];
    const r = await runTrain(trainOptions(basic, { judgments: file, onWarning: (w) => warnings.push(w) }));
    expect(r.judgmentErrors).toEqual([
      `${file}:2: not JSON (Unexpected token 'o', "not json" is not valid JSON)`,
      `${file}:3: path src/nowhere.ts is not in the index`,
      `${file}:4: query "!!" has no word to look up`,
      `${file}:6: "grade" must be a number from 0 to 10`,
    ]);
    expect(warnings[0]).toMatch(/4 judgment lines skipped/);
    expect(r.pairs.queries).toBeGreaterThan(0);
  });

  it('--judgments with no usable line is bad input', async () => {
    const file = join(basic, 'bad.jsonl');
    writeFileSync(file, '{"query": 1}\n[]\n');
    await expect(runTrain(trainOptions(basic, { judgments: file }))).rejects.toMatchObject({
      code: 'bad-input',
      message: expect.stringContaining(`${file}:1: "query" must be a string`),
    });
  });
});

describe('monotone weights', () => {
  it('never lets evidence that the query names the file count against it', async () => {
    // 40 queries of 5 rows; the relevant row never has base_match, two wrong ones always do: a free weight goes negative.
    const nq = 40;
    const per = 5;
    const x = new Float32Array(nq * per * NF);
    const labels = new Float32Array(nq * per);
    const start = Int32Array.from({ length: nq + 1 }, (_, q) => q * per);
    const bm = FEATURES.indexOf('base_match');
    const other = FEATURES.indexOf('log_length');
    for (let q = 0; q < nq; q++) {
      for (let r = 0; r < per; r++) {
        const o = (q * per + r) * NF;
        x[o] = 1 - r * 0.1; // bm25f: the relevant row (r = 2) is third
        x[o + bm] = r < 2 ? 1 : 0;
        x[o + other] = r < 2 ? 1 : 0;
      }
      labels[q * per + 2] = 1;
    }
    const ds = { x, labels, start, relevant: Array.from({ length: nq }, () => [1]), missed: 0 };
    const opts = { lrs: [0.05], epochs: 5, batch: 8, replay: 64, l2: 0, seed: 1 };
    const s = initialState(ds, opts);
    await fit(ds, ds, s, opts);
    expect(s.best.config).toBe(0); // it learned something
    expect(s.best.w[other]).toBeLessThan(0); // the same signal on a free feature goes negative
    expect(s.best.w[bm]).toBe(0);
    expect(NON_NEGATIVE).toContain('base_match');
  });
});

describe('temp files of killed runs', () => {
  it('are removed at the next run when their writer is gone', async () => {
    const root = await indexedFixture('basic');
    const dead = join(root, '.quarry', `${CHECKPOINT_FILE}.tmp-999999999-0`);
    const alive = join(root, '.quarry', `${CHECKPOINT_FILE}.tmp-${process.ppid}-zz`);
    writeFileSync(dead, 'half a checkpoint');
    writeFileSync(alive, 'another live process writing');
    await runTrain(trainOptions(root, { epochs: 1 }));
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(alive)).toBe(true);
  });
});
