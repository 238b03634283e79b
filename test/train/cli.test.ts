import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_FILE, checkpointInfo, readCheckpoint } from '../../src/train/checkpoint.js';
import { modelPathOf, readModel } from '../../src/train/modelFile.js';
import { encodeModel } from '../../src/train/saveModel.js';
import { loadReranker } from '../../src/search/rerank.js';
import { search } from '../../src/search/search.js';
import { BIN, REPO, quarry, tempDir } from '../helpers.js';
import type { TrainReport } from '../../src/train/train.js';
import { indexedFixture } from './helpers.js';

let root = '';
const env = { QUARRY_CACHE_DIR: '' };
let trained: { schemaVersion: number; command: string; ok: boolean; data: TrainReport; warnings: string[] };

describe('quarry train and search with a model (CLI)', () => {
  beforeAll(async () => {
    root = await indexedFixture('basic');
    env.QUARRY_CACHE_DIR = tempDir();
    const r = await quarry(['train', '--epochs', '4', '--json'], { cwd: root, env });
    expect(r.code).toBe(0);
    trained = JSON.parse(r.stdout) as typeof trained;
    expect(trained.ok).toBe(true);
    expect(trained.data.saved).toBe(true);
  });

  it('--json is the envelope around the TrainReport', () => {
    expect(trained).toMatchObject({ schemaVersion: 1, command: 'train', ok: true, warnings: [] });
    const d = trained.data;
    expect(d.features).toHaveLength(19);
    expect(Object.keys(d.weights)).toEqual(d.features);
    for (const split of [d.validation, d.test]) {
      for (const side of [split.bm25f, split.model]) expect(Object.keys(side).sort()).toEqual(['mrr', 'ndcg', 'recall']);
    }
    expect(Object.keys(d.test.diff).sort()).toEqual(['mrr', 'ndcg', 'recall']);
    expect(d.test.diff.mrr.lo).toBeLessThanOrEqual(d.test.diff.mrr.diff);
    expect(d.test.diff.mrr.diff).toBeLessThanOrEqual(d.test.diff.mrr.hi);
    expect(d.test.bySource.name!.queries + d.test.bySource.doc!.queries).toBe(d.test.queries);
    expect(d.modelPath).toBe(modelPathOf(root));
    expect(d.chosen).toEqual({ lr: expect.any(Number), epoch: expect.any(Number) });
  });

  it('prints BM25F and the model side by side on the test split', async () => {
    const r = await quarry(['train', '--epochs', '2', '--seed', '9'], { cwd: root, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^metric\s+BM25F\s+model\s+change\s+Δ 95% CI/m);
    expect(r.stdout).toMatch(/^MRR@10\s+\d\.\d{3}\s+\d\.\d{3}/m);
    expect(r.stdout).toMatch(/^NDCG@10 /m);
    expect(r.stdout).toMatch(/^Recall@10 /m);
    expect(r.stdout).toMatch(/test split: \d+ queries/);
  });

  it('search re-ranks with the model: the defining file first, where BM25F put a caller first', async () => {
    const q = 'save config header record';
    const withModel = await quarry(['search', q, '--files', '--limit', '3'], { cwd: root, env });
    const plain = await quarry(['search', q, '--files', '--limit', '3', '--no-model'], { cwd: root, env });
    expect(withModel.stdout.split('\n')[0]).toBe('src/ui/configHeader24.ts');
    expect(plain.stdout.split('\n')[0]).toBe('src/app/step4.ts');
    const json = JSON.parse((await quarry(['search', q, '--json'], { cwd: root, env })).stdout) as {
      data: { ranking: string; hits: { modelScore?: number; score: number }[] };
    };
    expect(json.data.ranking).toBe('model');
    expect(json.data.hits[0]!.modelScore).toEqual(expect.any(Number));
    const none = JSON.parse((await quarry(['search', q, '--json', '--no-model'], { cwd: root, env })).stdout) as {
      data: { ranking: string; hits: { modelScore?: number }[] };
    };
    expect(none.data.ranking).toBe('bm25f');
    expect(none.data.hits[0]!.modelScore).toBeUndefined();
  });

  it('search --explain shows the features that moved a file', async () => {
    const r = await quarry(['search', 'save config header record', '--explain', '--limit', '1', '--no-heading'], { cwd: root, env });
    expect(r.stdout).toMatch(/src\/ui\/configHeader24\.ts: model -?\d+(\.\d+)?: .*sym_exact=1 \(\+/);
    const read = readModel(modelPathOf(root));
    if (!('model' in read)) throw new Error(read.problem);
    const loaded = loadReranker(modelPathOf(root));
    if (!('reranker' in loaded)) throw new Error(loaded.warning);
    const res = search({
      root,
      cwd: root,
      query: 'save config header record',
      limit: 1,
      filesOnly: true,
      explain: true,
      maxLines: 0,
      reranker: loaded.reranker,
    });
    const model = res.hits[0]!.explain!.model!;
    // sym: queries keep BM25F (the definitions bonus is not a feature the model saw).
    const sym = search({
      root,
      cwd: root,
      query: 'sym:parseConfigHeader config',
      limit: 0,
      filesOnly: true,
      explain: false,
      maxLines: 0,
      reranker: loaded.reranker,
    });
    expect(sym.ranking).toBe('bm25f');
    // The contributions add up to the model score.
    expect(model.features.reduce((s, f) => s + f.contribution, 0)).toBeCloseTo(model.score, 1);
    expect(model.features.map((f) => f.feature)).toEqual(read.model.features);
  });

  it('a model fitted on another index format is ignored with one warning', async () => {
    const dir = await indexedFixture('basic');
    const read = readModel(modelPathOf(root));
    if (!('model' in read)) throw new Error(read.problem);
    writeFileSync(modelPathOf(dir), encodeModel({ ...read.model, indexFormat: 999 }));
    const r = await quarry(['search', 'save config header record', '--json'], { cwd: dir, env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { data: { ranking: string }; warnings: string[] };
    expect(doc.data.ranking).toBe('bm25f');
    expect(doc.warnings).toHaveLength(1);
    expect(doc.warnings[0]).toMatch(/index format 999.*ignored/);
  });

  it('search without a model loads none of the training code; with one, not the msgpack writer', async () => {
    const plain = await indexedFixture('tiny');
    for (const [dir, expectRerank] of [
      [plain, false],
      [root, true],
    ] as const) {
      const trace = join(tempDir(), 'imports.txt');
      writeFileSync(trace, '');
      const code = await new Promise<number | null>((resolve) => {
        const c = spawn(process.execPath, ['--import', join(REPO, 'test/cli/trace-imports.mjs'), BIN, 'search', 'config'], {
          cwd: dir,
          env: { ...process.env, ...env, QUARRY_PROFILE: 'off', TRACE_IMPORTS_FILE: trace },
        });
        c.on('close', resolve);
      });
      expect(code === 0 || code === 1).toBe(true);
      const loaded = readFileSync(trace, 'utf8');
      expect(loaded.includes('/src/search/rerank.js')).toBe(expectRerank);
      expect(loaded).not.toContain('/src/train/fit.js');
      expect(loaded).not.toContain('msgpackr-extract');
    }
  });

  it('--eval-model measures a model from another tree against BM25F there and writes nothing', async () => {
    const other = await indexedFixture('perfect');
    const r = await quarry(['train', '--eval-model', modelPathOf(root), '--json'], { cwd: other, env });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      data: { queries: number; k: number; bm25f: { mrr: number }; model: { mrr: number }; diff: { mrr: { lo: number; hi: number } } };
    };
    expect(doc.data.queries).toBeGreaterThan(100);
    expect(doc.data.k).toBe(100);
    expect(doc.data.bm25f.mrr).toBe(1); // BM25F is perfect there (see make-fixtures.mjs)
    expect(doc.data.model.mrr).toBeGreaterThan(0);
    expect(doc.data.diff.mrr.lo).toBeLessThanOrEqual(doc.data.diff.mrr.hi);
    expect(existsSync(modelPathOf(other))).toBe(false);
    const bad = join(tempDir(), 'model.msgpack');
    writeFileSync(bad, 'garbage');
    const e = await quarry(['train', '--eval-model', bad], { cwd: other, env });
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/model .* is unreadable/);
  });

  it('no index: exit 2 and says to run quarry index', async () => {
    const r = await quarry(['train'], { cwd: tempDir(), env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no index found.*\n.*quarry index/);
  });

  it('too few symbols: exit 2, a clear message, no model', async () => {
    const tiny = await indexedFixture('tiny');
    const r = await quarry(['train', '--json'], { cwd: tiny, env });
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
    expect(doc.ok).toBe(false);
    expect(doc.error.message).toMatch(/too few queries to train on: 2 symbols of 2 files/);
    expect(existsSync(modelPathOf(tiny))).toBe(false);
  });

  it('usage errors exit 2', async () => {
    expect((await quarry(['train', '--lr', 'fast'], { cwd: root, env })).code).toBe(2);
    expect((await quarry(['train', '--epochs', '0'], { cwd: root, env })).code).toBe(2);
  });

  it('SIGINT writes a loadable checkpoint and exits 130', async () => {
    const dir = await indexedFixture('basic');
    const ckpt = join(dir, '.quarry', CHECKPOINT_FILE);
    const child = spawn(process.execPath, [BIN, 'train', '--epochs', '100000', '--checkpoint-every', '1'], {
      cwd: dir,
      env: { ...process.env, ...env, QUARRY_PROFILE: 'off', NO_COLOR: '1' },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait until training is under way (the first background checkpoint), then interrupt.
    for (let i = 0; i < 600 && !existsSync(ckpt); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(ckpt)).toBe(true);
    child.kill('SIGINT');
    expect(await closed).toBe(130);
    expect(stdout).toMatch(/training interrupted; checkpoint written/);
    const info = checkpointInfo(ckpt);
    expect(info).not.toBeNull();
    expect(info!.steps).toBeGreaterThan(0);
    const read = readCheckpoint(ckpt, info!.fingerprint);
    expect(read !== null && 'state' in read).toBe(true);
    expect(existsSync(modelPathOf(dir))).toBe(false);
  });
});
